"""Rules for limits on numbers, strings and arrays.

Every numeric, length, item, property-count and contains bound, ``multipleOf``,
``pattern``, ``format`` and ``uniqueItems``.
"""

from __future__ import annotations

from fractions import Fraction

from ..changes import kebab
from .documents import Node
from .keywords import BOUNDS, canonical
from .walk import Walk

__all__ = ["BoundRules"]


class BoundRules(Walk):
    def bounds(self, o: Node, n: Node, path: str) -> None:
        for keyword, lower in BOUNDS.items():
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if canonical(before) == canonical(after):
                continue
            name = kebab(keyword)
            where = self.where(n, keyword) if keyword in n.schema else self.where(o, keyword)
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after) if v is not None)
            if not numeric:
                self.add(f"{name}-changed", where, False, False, f"{keyword} {before!r} → {after!r}", path)
            elif before is None:
                self.add(f"{name}-added", where, False, True, f"{keyword} {after} added", path)
            elif after is None:
                self.add(f"{name}-removed", where, True, False, f"{keyword} {before} removed", path)
            else:
                narrower = after > before if lower else after < before
                verb = "increased" if after > before else "decreased"
                self.add(f"{name}-{verb}", where, not narrower, narrower, f"{keyword} {before} → {after}", path)

    def multiple_of(self, o: Node, n: Node, path: str) -> None:
        before, after = o.schema.get("multipleOf"), n.schema.get("multipleOf")
        if canonical(before) == canonical(after):
            return
        where = self.where(n, "multipleOf") if after is not None else self.where(o, "multipleOf")
        if before is None:
            self.add("multiple-of-added", where, False, True, f"multipleOf {after} added", path)
        elif after is None:
            self.add("multiple-of-removed", where, True, False, f"multipleOf {before} removed", path)
        else:
            ratio = Fraction(str(before)) / Fraction(str(after))
            if ratio.denominator == 1:  # every multiple of OLD is a multiple of NEW
                self.add("multiple-of-reduced", where, True, False, f"multipleOf {before} → {after}: a divisor of the old step", path)
            elif (1 / ratio).denominator == 1:
                self.add("multiple-of-expanded", where, False, True, f"multipleOf {before} → {after}: a multiple of the old step", path)
            else:
                self.add("multiple-of-changed", where, False, False, f"multipleOf {before} → {after}", path)

    def strings(self, o: Node, n: Node, path: str) -> None:
        for keyword in ("pattern", "format"):
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if before == after:
                continue
            name = kebab(keyword)
            where = self.where(n, keyword) if after is not None else self.where(o, keyword)
            if self.is_marker(path):
                self.add("version-marker", where, True, True, f"version marker {keyword} {before!r} → {after!r}", path)
            elif before is None:
                self.add(f"{name}-added", where, False, True, f"{keyword} {after!r} added", path)
            elif after is None:
                self.add(f"{name}-removed", where, True, False, f"{keyword} {before!r} removed", path)
            else:
                self.add(f"{name}-changed", where, False, False, f"{keyword} {before!r} → {after!r}", path)

    def unique_items(self, o: Node, n: Node, path: str) -> None:
        before, after = bool(o.schema.get("uniqueItems", False)), bool(n.schema.get("uniqueItems", False))
        if before != after:
            where = self.where(n, "uniqueItems") if "uniqueItems" in n.schema else self.where(o, "uniqueItems")
            if after:
                self.add("unique-items-added", where, False, True, "items must now be unique", path)
            else:
                self.add("unique-items-removed", where, True, False, "items may now repeat", path)
