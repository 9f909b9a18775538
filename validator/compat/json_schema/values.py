"""Rules for what values a schema allows: ``type``, ``enum``, ``const`` and ``default``."""

from __future__ import annotations

from .documents import Node
from .keywords import TYPES, canonical
from .walk import Walk

__all__ = ["ValueRules", "allowed_values", "type_set"]


def type_set(schema: dict) -> frozenset[str]:
    """The JSON types ``schema`` admits (``integer`` included in ``number``)."""
    declared = schema.get("type")
    if declared is None:
        return TYPES
    names = {declared} if isinstance(declared, str) else set(declared)
    if "number" in names:
        names.add("integer")
    return frozenset(names)


def allowed_values(schema: dict) -> set[str] | None:
    """The canonical values ``enum`` and ``const`` leave, or ``None`` where they do not limit."""
    values: set[str] | None = None
    if "enum" in schema and isinstance(schema["enum"], list):
        values = {canonical(v) for v in schema["enum"]}
    if "const" in schema:
        const = {canonical(schema["const"])}
        values = const if values is None else values & const
    return values


class ValueRules(Walk):
    def types(self, o: Node, n: Node, path: str) -> None:
        before, after = type_set(o.schema), type_set(n.schema)
        if before == after:
            return
        show = lambda s: "any type" if s == TYPES else "/".join(sorted(s - {"integer"} if "number" in s else s))  # noqa: E731
        if before < after:
            kind, b, f = "type-extended", True, False
        elif after < before:
            kind, b, f = "type-narrowed", False, True
        else:
            kind, b, f = "type-changed", False, False
        self.add(kind, self.where(n, "type") if "type" in n.schema else self.where(o, "type"), b, f,
                 f"type {show(before)} → {show(after)}", path)

    def values(self, o: Node, n: Node, path: str) -> None:
        before, after = allowed_values(o.schema), allowed_values(n.schema)
        if before == after:
            return
        word = "const" if "const" in o.schema or "const" in n.schema else "enum"
        where = self.where(n, word) if word in n.schema else self.where(o, word)
        if self.marker is not None and self.is_marker(path):
            self.add("version-marker", where, True, True,
                     f"version marker {self.marker.old!r} → {self.marker.new!r} (expected between versions)", path)
            return
        if before is None:
            kind, b, f, msg = f"{word}-added", False, True, f"values now limited to {sorted(after or ())}"
        elif after is None:
            kind, b, f, msg = f"{word}-removed", True, False, f"values no longer limited to {sorted(before)}"
        elif before < after:
            kind, b, f, msg = f"{word}-extended", True, False, f"values added: {sorted(after - before)}"
        elif after < before:
            kind, b, f, msg = f"{word}-narrowed", False, True, f"values removed: {sorted(before - after)}"
        else:
            kind, b, f, msg = f"{word}-changed", False, False, f"values removed {sorted(before - after)}, added {sorted(after - before)}"
        self.add(kind, where, b, f, msg, path)

    def default(self, o: Node, n: Node, path: str) -> None:
        before, after = o.schema.get("default"), n.schema.get("default")
        if canonical(before) != canonical(after):
            where = self.where(n, "default") if "default" in n.schema else self.where(o, "default")
            if self.is_marker(path):
                self.add("version-marker", where, True, True, f"default version marker {before!r} → {after!r}", path)
            else:
                self.add("default-changed", where, True, True,
                         f"default {before!r} → {after!r} (validity unchanged; consumers that fill defaults see another value)", path)
