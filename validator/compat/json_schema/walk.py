"""The walk over OLD and NEW side by side: ``$ref`` s, booleans, documentation, reporting.

:class:`Walk` compares two subschemas that govern the same place of a document and
hands the keywords to the rule families (:mod:`.values`, :mod:`.bounds`,
:mod:`.objects`, :mod:`.arrays`, :mod:`.composition`), each a mixin of it; the
comparison that puts them together is in :mod:`.diff`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from ...errors import SchemaLoadError
from ..changes import Change, JsonMarker
from .documents import Doc, Node, Resolver
from .keywords import STRUCTURAL, VALIDATION, canonical

__all__ = ["Rule", "Walk", "detail"]

#: One rule: compares OLD and NEW at a document place and records what changed.
Rule = Callable[[Node, Node, str], None]


class Walk(ABC):
    """Walks OLD and NEW side by side and collects :class:`Change` values."""

    def __init__(self, resolver: Resolver, marker: JsonMarker | None, mains: tuple[Doc, Doc]) -> None:
        self.resolver = resolver
        self.marker = marker
        self.mains = mains
        self.changes: list[Change] = []
        self._seen: set[tuple[int, int, str]] = set()
        self._keep: list[Any] = []

    # -- hooks for the rule families
    @abstractmethod
    def rules(self) -> list[Rule]:
        """The keyword rules, in the order they report (the comparison in :mod:`.diff` lists them)."""

    def combined_wrap(self, o: Node, n: Node, path: str) -> bool:
        """A plain schema became one member of an anyOf/oneOf (or the reverse); True when handled."""
        return False

    # -- reporting
    def where(self, node: Node, *tokens: str | int) -> str:
        pointer = node.at(*tokens) or "/"
        return pointer if any(node.doc is m for m in self.mains) else f"{node.doc.name}#{pointer}"

    def add(self, kind: str, where: str, backward: bool, forward: bool, message: str, instance: str, *, documentation: bool = False) -> None:
        self.changes.append(Change(kind, where, backward, forward, message, documentation=documentation, instance=instance))

    def sub(self, old: Node, new: Node, path: str, role: str = "schema") -> list[Change]:
        """Compare in isolation (for rules that summarise what a subschema change does)."""
        saved, self.changes = self.changes, []
        try:
            self.compare(old, new, path, role)
            return self.changes
        finally:
            self.changes = saved

    def is_marker(self, path: str) -> bool:
        return self.marker is not None and path == self.marker.pointer

    # -- $ref
    def deref(self, node: Node) -> Node:
        """Follow ``$ref`` (sibling keywords merged in), cycles stop at the first repeat."""
        hops = 0
        while isinstance(node.schema, dict) and isinstance(node.schema.get("$ref"), str) and hops < 64:
            hops += 1
            try:
                target = self.resolver.resolve(node, node.schema["$ref"])
            except (LookupError, SchemaLoadError, ValueError):
                return node  # reported by compare as ref-unresolved
            siblings = {k: v for k, v in node.schema.items() if k != "$ref" and k in VALIDATION}
            if siblings and isinstance(target.schema, dict):
                merged = dict(target.schema)
                clash = {k: v for k, v in siblings.items() if k in merged and canonical(merged[k]) != canonical(v)}
                merged.update({k: v for k, v in siblings.items() if k not in clash})
                if clash:
                    merged["allOf"] = [*merged.get("allOf", []), clash]
                target = Node(merged, target.doc, target.pointer)
            elif siblings and target.schema is False:
                target = Node(False, target.doc, target.pointer)
            node = target
        return node

    def trivial(self, node: Node) -> bool:
        """The schema accepts everything (``true``, ``{}``, or only annotations)."""
        node = self.deref(node)
        return node.schema is True or (isinstance(node.schema, dict) and not (set(node.schema) & VALIDATION))

    # -- the walk
    def compare(self, old: Node, new: Node, path: str, role: str = "schema") -> None:
        """Compare two subschemas that govern the same place ``path`` of a document."""
        if isinstance(old.schema, dict) and isinstance(new.schema, dict):
            self.annotations(old, new, path)
        o, n = self.deref(old), self.deref(new)
        if (o is not old or n is not new) and isinstance(o.schema, dict) and isinstance(n.schema, dict):
            self.annotations(o, n, path)
        key = (id(o.schema), id(n.schema), path if self.marker and path == self.marker.pointer else "")
        if key in self._seen:
            return  # a shared definition (or a recursive one) is compared once
        self._seen.add(key)
        self._keep.extend((o.schema, n.schema))  # ids stay unique while the walk lasts
        for node in (o, n):
            if isinstance(node.schema, dict) and isinstance(node.schema.get("$ref"), str):
                self.add("ref-unresolved", self.where(node, "$ref"), False, False,
                         f"$ref {node.schema['$ref']!r} cannot be resolved locally; the subschema could not be compared", path)
                return
        if self.booleans(o, n, path, role):
            return
        # `true` accepts what `{}` accepts; compare it as the empty schema
        o = Node({}, o.doc, o.pointer) if o.schema is True else o
        n = Node({}, n.doc, n.pointer) if n.schema is True else n
        if not isinstance(o.schema, dict) or not isinstance(n.schema, dict):
            return
        self._keep.extend((o.schema, n.schema))
        if self.combined_wrap(o, n, path):
            return
        for rule in self.rules():
            rule(o, n, path)

    def booleans(self, o: Node, n: Node, path: str, role: str) -> bool:
        """``false`` (nothing allowed) on either side; returns True when handled."""
        if o.schema is False and n.schema is False:
            return True
        if n.schema is False:
            self.add(f"{role}-narrowed", self.where(n), False, True, f"{role} now allows nothing (false)", path)
            return True
        if o.schema is False:
            self.add(f"{role}-extended", self.where(n), True, False, f"{role} allowed nothing (false); now allows values", path)
            return True
        return False

    # -- documentation and dialect
    def annotations(self, o: Node, n: Node, path: str) -> None:
        for keyword in sorted(set(o.schema) | set(n.schema)):
            if keyword in STRUCTURAL and keyword != "$id":
                continue
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if canonical(before) == canonical(after):
                continue
            if keyword == "$id":
                kind = "id-changed"
            elif keyword in ("title", "description", "examples"):
                kind = f"{keyword}-changed"
            else:
                kind = "annotation-changed"
            verb = "added" if before is None else "removed" if after is None else "changed"
            self.add(kind, self.where(n if after is not None else o, keyword), True, True,
                     f"{keyword} {verb} (documentation only)", path, documentation=True)

    def dialect(self, o: Node, n: Node, path: str) -> None:
        before, after = o.schema.get("$schema"), n.schema.get("$schema")
        if before != after and (before or after):
            self.add("dialect-changed", self.where(n, "$schema"), False, False,
                     f"$schema changed from {before!r} to {after!r}: keywords may mean different things", path)


def detail(nested: list[Change]) -> str:
    """`` (kind, kind, …)``: what a summarised subschema change consists of."""
    shown = [c.kind for c in nested if not c.documentation]
    return f" ({', '.join(shown[:4])}{', …' if len(shown) > 4 else ''})" if shown else ""
