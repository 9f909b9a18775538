"""RFC 6962 Merkle tree hashing over the log's entry hashes, and RFC 9162 proofs (pure functions).

Appending keeps only the *frontier*: the roots of the perfect subtrees that make up
the tree, largest first, so an append costs O(log n) and needs no earlier entry.

The proofs let anyone check the log from the outside with only signed checkpoints:
an inclusion proof shows an entry is in the tree of a given size and root; a
consistency proof shows a later tree extends an earlier one (nothing was removed or
changed, only added).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "MerkleTree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_of",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]

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


# --------------------------------------------------------------------------- proofs (RFC 9162 §2.1.3, §2.1.4)
#
# The tree's leaves are leaf hashes (the log's entry hashes), in hex as everywhere here;
# inside, the code works on raw bytes and hashes each node once, which keeps a proof
# over 100,000 entries to a tenth of a second. Generating takes the leaves of the tree;
# verifying takes only the proof, the sizes and the roots an outsider trusts (from
# signed checkpoints).


_EMPTY = bytes.fromhex(EMPTY_ROOT)


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class _Tree:
    """Every node of the tree of some leaves, hashed once, level by level.

    Pairing neighbours and carrying a lone last node up unchanged builds the same tree
    as RFC 9162's "largest power of two first" recursion (§2.1.1), so node ``j`` of
    level ``L`` is MTH(D[j·2^L : min((j+1)·2^L, n)]). Every subtree a proof names is
    one of these, or (for an earlier size) made of them: a proof is then a few lookups
    after one pass of ``n`` hashes, with no call per node.
    """

    def __init__(self, leaves: Sequence[str]) -> None:
        level = [bytes.fromhex(leaf) for leaf in leaves]
        self.size = len(level)
        self.levels = [level]
        while len(level) > 1:
            paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                paired.append(level[-1])
            self.levels.append(paired)
            level = paired

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for ``0 ≤ lo ≤ hi ≤ size``."""
        width = hi - lo
        if width <= 0:
            return _EMPTY
        height = (width - 1).bit_length()  # the level whose nodes span at least ``width`` leaves
        if lo % (1 << height) == 0 and (width == 1 << height or hi == self.size):
            return self.levels[height][lo >> height]
        k = _split(width)  # a tree of an earlier size: its left part is a stored node
        return _node(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), the RFC's recursion unrolled."""
        path: list[bytes] = []  # the top sibling is found first, sent last
        lo, hi, m = 0, size, index
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                path.append(self.mth(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.mth(lo, lo + k))
                lo, m = lo + k, m - k
        return path[::-1]

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """PROOF(size1, D[0:size2]) for ``0 < size1 < size2`` (RFC 9162 §2.1.4.1), SUBPROOF unrolled."""
        proof: list[bytes] = []
        lo, hi, m, whole = 0, size2, size1, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self.mth(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.mth(lo, lo + k))
                lo, m, whole = lo + k, m - k, False
        if not whole:
            proof.append(self.mth(lo, hi))
        return proof[::-1]


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1): where the RFC splits a tree of ``n`` leaves."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """The tree of a list of leaf hashes (hex), hashed once: its roots and proofs at any size up to all of it.

    For one answer, use the functions below; for several about the same leaves, this.
    """

    def __init__(self, leaves: Sequence[str]) -> None:
        self._tree = _Tree(leaves)
        self.size = self._tree.size

    def root(self, size: int | None = None) -> str:
        """MTH of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"a tree of {self.size} leaves has no size {size}")
        return self._tree.mth(0, size).hex()

    def inclusion_proof(self, index: int, size: int | None = None) -> list[str]:
        """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1): the audit path, leaf side first.

        :raises ValueError: ``index`` is not a leaf of the tree of ``size`` (default: all) leaves.
        """
        size = self.size if size is None else size
        if not 0 < size <= self.size:
            raise ValueError(f"a tree of {self.size} leaves has no size {size}")
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        return [node.hex() for node in self._tree.inclusion_proof(index, size)]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[str]:
        """PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1); empty when ``size1`` is 0 or ``size2`` (nothing to prove).

        :raises ValueError: not ``0 ≤ size1 ≤ size2 ≤`` the tree's size.
        """
        size2 = self.size if size2 is None else size2
        if not 0 <= size1 <= size2 <= self.size:
            raise ValueError(f"a tree of {size2} leaves has no earlier size {size1}" if size2 <= self.size
                             else f"a tree of {self.size} leaves has no size {size2}")
        if size1 in (0, size2):
            return []
        return [node.hex() for node in self._tree.consistency_proof(size1, size2)]


def tree_hash(leaves: Sequence[str]) -> str:
    """MTH of ``leaves`` (the same as :func:`root_of`, fast enough for a whole log)."""
    return MerkleTree(leaves).root()


def inclusion_proof(leaves: Sequence[str], index: int) -> list[str]:
    """PATH(index, D[n]) for the tree of all ``leaves`` (RFC 9162 §2.1.3.1): the audit path, leaf side first.

    :raises ValueError: ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return MerkleTree(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[str], size1: int) -> list[str]:
    """PROOF(size1, D[n]) for the tree of all ``leaves`` (RFC 9162 §2.1.4.1).

    Empty when ``size1`` is 0 or the whole tree (nothing to prove).

    :raises ValueError: ``size1`` is larger than the tree.
    """
    if not 0 <= size1 <= len(leaves):
        raise ValueError(f"a tree of {len(leaves)} leaves has no earlier size {size1}")
    return MerkleTree(leaves).consistency_proof(size1)


def _hashes(*values: str) -> list[bytes] | None:
    """Hex hashes as bytes; ``None`` if any is not 32 bytes of hex (a proof that cannot hold)."""
    try:
        raw = [bytes.fromhex(value) for value in values]
    except (TypeError, ValueError):
        return None
    return raw if all(len(h) == 32 for h in raw) else None


def verify_inclusion(leaf_hash: str, index: int, size: int, proof: Sequence[str], root: str) -> bool:
    """Whether ``proof`` shows the leaf ``leaf_hash`` at ``index`` in the tree of ``size`` leaves whose
    hash is ``root``: RFC 9162 §2.1.3.2, step by step. Malformed input is a proof that fails."""
    if not isinstance(index, int) or not isinstance(size, int) or not 0 <= index < size:  # step 1
        return False
    given = _hashes(leaf_hash, root, *proof)
    if given is None:
        return False
    r, expected, path = given[0], given[1], given[2:]
    fn, sn = index, size - 1  # steps 2 and 3
    for p in path:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected  # step 5


def verify_consistency(size1: int, size2: int, root1: str, root2: str, proof: Sequence[str]) -> bool:
    """Whether ``proof`` shows that the tree of ``size2`` leaves hashing to ``root2`` extends the tree of
    ``size1`` leaves hashing to ``root1``: RFC 9162 §2.1.4.2, step by step.

    The RFC's algorithm is for ``0 < size1 < size2``; around it: equal sizes need equal
    roots and an empty proof, and the empty tree (``size1`` 0, root :data:`EMPTY_ROOT`)
    is extended by every tree, with an empty proof. A smaller ``size2`` never holds.
    Malformed input is a proof that fails.
    """
    if not isinstance(size1, int) or not isinstance(size2, int) or not 0 <= size1 <= size2:
        return False
    given = _hashes(root1, root2, *proof)
    if given is None:
        return False
    first, second, path = given[0], given[1], list(given[2:])
    if size1 == 0:
        return not path and first == _EMPTY
    if size1 == size2:
        return not path and first == second
    if not path:  # step 1
        return False
    if size1 & (size1 - 1) == 0:  # step 2: a power of two
        path.insert(0, first)
    fn, sn = size1 - 1, size2 - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first and sr == second and sn == 0  # step 7
