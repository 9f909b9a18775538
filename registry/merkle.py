"""RFC 6962 Merkle tree hashing over the log's entry hashes (pure functions).

Appending keeps only the *frontier*: the roots of the perfect subtrees that make up
the tree, largest first, so an append costs O(log n) and needs no earlier entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["EMPTY_ROOT", "Frontier", "leaf_hash", "node_hash", "root_of"]

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(data: bytes) -> str:
    """``SHA-256(0x00 || data)`` in hex (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x00" + data).hexdigest()


def node_hash(left: str, right: str) -> str:
    """``SHA-256(0x01 || left || right)`` in hex."""
    return hashlib.sha256(b"\x01" + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


class Frontier:
    """The compact state of a tree: its size and the roots of its perfect subtrees."""

    def __init__(self, size: int = 0, roots: Iterable[str] = ()) -> None:
        self.size = size
        self.roots = list(roots)
        if len(self.roots) != bin(size).count("1"):
            raise ValueError(f"a tree of {size} leaves has {bin(size).count('1')} subtree roots, not {len(self.roots)}")

    def append(self, leaf: str) -> None:
        """Add a leaf hash, merging equal-sized subtrees as a binary counter carries."""
        node, size = leaf, self.size
        while size & 1:
            node = node_hash(self.roots.pop(), node)
            size >>= 1
        self.roots.append(node)
        self.size += 1

    def root(self) -> str:
        """The Merkle tree hash of all leaves so far."""
        if not self.roots:
            return EMPTY_ROOT
        node = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            node = node_hash(left, node)
        return node


def root_of(leaves: Iterable[str]) -> str:
    """The tree hash of ``leaves``, computed by the textbook recursion (for tests)."""
    items = list(leaves)
    if not items:
        return EMPTY_ROOT
    if len(items) == 1:
        return items[0]
    k = 1
    while k * 2 < len(items):
        k *= 2
    return node_hash(root_of(items[:k]), root_of(items[k:]))
