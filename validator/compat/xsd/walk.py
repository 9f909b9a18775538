"""The walk over OLD and NEW from their global elements: namespaces, elements and types.

:class:`Walk` pairs global elements, compares element declarations and decides
whether a type is simple or complex; the rule families it hands over to are
mixins of it: :mod:`.attributes`, :mod:`.simple_types` and :mod:`.content`
(content models). The comparison that puts them together is in :mod:`.diff`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from ..changes import Change, XmlMarker
from .components import SYSTEM_NAMESPACES, Path_, builtin, clark_name, docs, split_name

__all__ = ["Walk"]


class Walk(ABC):
    """Walks OLD and NEW from their global elements and collects :class:`Change` values."""

    def __init__(self, old: Any, new: Any, marker: XmlMarker | None) -> None:
        self.old, self.new, self.marker = old, new, marker
        self.changes: list[Change] = []
        self.ns_map: dict[str, str] = {}
        self.prefixes = self._prefixes(new) | {k: v for k, v in self._prefixes(old).items() if k not in self._prefixes(new)}
        self._seen: set[tuple[int, int]] = set()

    # -- names and places
    @staticmethod
    def _prefixes(schema: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        for s in schema.maps.iter_schemas():
            for prefix, uri in s.namespaces.items():
                if prefix and uri not in found:
                    found[uri] = prefix
        return found

    def mapped(self, qname: str) -> str:
        """An OLD name in NEW's namespaces (so renamed namespaces still pair their components)."""
        ns, local = split_name(qname)
        return clark_name(self.ns_map.get(ns, ns), local)

    def render(self, path: Path_) -> str:
        steps = []
        for step in path:
            attribute = step.startswith("@")
            ns, local = split_name(step.removeprefix("@"))
            if ns and ns in self.prefixes:
                name = f"{self.prefixes[ns]}:{local}"
            else:  # no prefix for it: the default namespace of the schema reads best unprefixed
                name = local if not ns or ns == self.new.namespaces.get("") else f"{{{ns}}}{local}"
            steps.append(("@" if attribute else "") + name)
        return "/" + "/".join(steps)

    def add(self, kind: str, path: Path_, backward: bool, forward: bool, message: str, *, documentation: bool = False) -> None:
        where = self.render(path)
        self.changes.append(Change(kind, where, backward, forward, message, documentation=documentation, instance=where))

    def is_marker(self, path: Path_) -> bool:
        return self.marker is not None and path == self.marker.steps

    def on_marker_route(self, path: Path_) -> bool:
        return self.marker is not None and self.marker.steps[: len(path)] == path

    # -- the walk
    def run(self) -> list[Change]:
        self.namespaces()
        self.schema_documentation()
        old_roots = {self.mapped(k): e for k, e in self.old.maps.elements.items() if split_name(k)[0] not in SYSTEM_NAMESPACES}
        new_roots = {k: e for k, e in self.new.maps.elements.items() if split_name(k)[0] not in SYSTEM_NAMESPACES}
        for name in sorted(old_roots.keys() | new_roots.keys()):
            if name not in old_roots:
                self.add("global-element-added", (name,), True, False, "a new global element: documents rooted in it are unknown to the old version")
            elif name not in new_roots:
                self.add("global-element-removed", (name,), False, True, "global element removed: documents rooted in it are no longer valid")
            else:
                self.element(old_roots[name], new_roots[name], (name,))
        return self.changes

    def namespaces(self) -> None:
        old_ns = {s.target_namespace for s in self.old.maps.iter_schemas()} - SYSTEM_NAMESPACES
        new_ns = {s.target_namespace for s in self.new.maps.iter_schemas()} - SYSTEM_NAMESPACES
        gone, came = sorted(old_ns - new_ns), sorted(new_ns - old_ns)
        for ns in gone:
            if not came:
                break
            partner = max(came, key=lambda c: (common_prefix(ns, c), c == self.new.target_namespace))
            came.remove(partner)
            self.ns_map[ns] = partner
        if self.old.target_namespace != self.new.target_namespace and self.old.target_namespace not in self.ns_map:
            self.ns_map[self.old.target_namespace or ""] = self.new.target_namespace or ""
        for before, after in sorted(self.ns_map.items()):
            self.changes.append(Change("namespace-changed", f"namespace {before}", False, False,
                                       f"namespace {before!r} → {after!r}: every element in it changes name", instance="/"))

    def schema_documentation(self) -> None:
        before, after = self.old.root.get("version"), self.new.root.get("version")
        if before != after:
            self.changes.append(Change("schema-version-changed", "/xs:schema/@version", True, True,
                                       f"the schema's version attribute {before!r} → {after!r} (documentation only)",
                                       documentation=True, instance="/"))

    def element(self, o: Any, n: Any, path: Path_) -> None:
        if docs(o) != docs(n):
            self.add("documentation-changed", path, True, True, "xs:documentation changed", documentation=True)
        self.flag(path, o.nillable, n.nillable, "nillable")
        if bool(o.abstract) != bool(n.abstract):
            self.add("abstract-changed", path, not n.abstract, not o.abstract, f"abstract {o.abstract} → {n.abstract}")
        self.value_constraints(path, o, n)
        self.type(o.type, n.type, path)

    def flag(self, path: Path_, before: bool, after: bool, name: str) -> None:
        if bool(before) != bool(after):
            if after:
                self.add(f"{name}-added", path, True, False, f"the element may now be {name} (xsi:nil)")
            else:
                self.add(f"{name}-removed", path, False, True, f"the element may no longer be {name} (xsi:nil)")

    def value_constraints(self, path: Path_, o: Any, n: Any) -> None:
        """``default`` and ``fixed`` of an element or attribute declaration."""
        if o.default != n.default:
            kind = "version-marker" if self.is_marker(path) else "default-changed"
            self.add(kind, path, True, True, f"default {o.default!r} → {n.default!r} (validity unchanged)")
        if o.fixed == n.fixed:
            return
        if self.is_marker(path):
            self.add("version-marker", path, True, True, f"fixed version marker {o.fixed!r} → {n.fixed!r} (expected between versions)")
        elif o.fixed is None:
            self.add("fixed-added", path, False, True, f"value fixed to {n.fixed!r}")
        elif n.fixed is None:
            self.add("fixed-removed", path, True, False, f"value no longer fixed to {o.fixed!r}")
        else:
            self.add("fixed-changed", path, False, False, f"fixed value {o.fixed!r} → {n.fixed!r}")

    # -- types
    def type(self, o: Any, n: Any, path: Path_) -> None:
        key = (id(o), id(n))
        if key in self._seen and not self.on_marker_route(path):
            return  # a shared (or recursive) type is compared once, where first met
        self._seen.add(key)
        if o.name and n.name and self.mapped(o.name) != n.name and not (builtin(o) and builtin(n)):
            self.add("type-name-changed", path, True, True, f"type {self.name_of(o.name)} → {self.name_of(n.name)} (compared by content)")
        if (o.name or n.name) and docs(o) != docs(n) and not builtin(o):
            self.add("documentation-changed", path, True, True, f"xs:documentation of type {self.name_of(n.name or o.name)} changed", documentation=True)
        if o.is_simple() and n.is_simple():
            self.simple(o, n, path)
            return
        if o.is_simple() or n.is_simple():
            simple_o = o if o.is_simple() else (o.content if o.has_simple_content() else None)
            simple_n = n if n.is_simple() else (n.content if n.has_simple_content() else None)
            self.attributes(o, n, path)
            if simple_o is not None and simple_n is not None:
                self.simple(simple_o, simple_n, path)
            else:
                self.add("content-type-changed", path, False, False, "content changed between a simple value and child elements")
            return
        self.complex(o, n, path)

    def name_of(self, qname: str | None) -> str:
        if not qname:
            return "(anonymous)"
        ns, local = split_name(qname)
        return f"{self.prefixes[ns]}:{local}" if ns in self.prefixes else local

    def complex(self, o: Any, n: Any, path: Path_) -> None:
        base_o = self.mapped(o.base_type.name) if o.base_type is not None and o.base_type.name else None
        base_n = n.base_type.name if n.base_type is not None and n.base_type.name else None
        if (o.derivation, base_o) != (n.derivation, base_n):
            self.add("type-derivation-changed", path, True, True,
                     f"derivation {o.derivation or 'none'} of {self.name_of(base_o)} → {n.derivation or 'none'} of {self.name_of(base_n)} "
                     "(content compared structurally; documents using xsi:type may be affected)")
        if bool(o.mixed) != bool(n.mixed):
            if n.mixed:
                self.add("mixed-content-allowed", path, True, False, "text is now allowed between child elements")
            else:
                self.add("mixed-content-removed", path, False, True, "text between child elements is no longer allowed")
        self.attributes(o, n, path)
        simple_o, simple_n = o.has_simple_content(), n.has_simple_content()
        if simple_o and simple_n:
            self.simple(o.content, n.content, path)
        elif simple_o != simple_n:
            self.add("content-type-changed", path, False, False,
                     f"content {o.content_type_label} → {n.content_type_label}")
        else:
            self.group(o.content, n.content, path, top=True)

    # -- hooks for the rule families
    @abstractmethod
    def attributes(self, o: Any, n: Any, path: Path_) -> None:
        """Attributes and attribute wildcards of two types (:mod:`.attributes`)."""

    @abstractmethod
    def simple(self, o: Any, n: Any, path: Path_) -> None:
        """Two simple types (:mod:`.simple_types`)."""

    @abstractmethod
    def group(self, o: Any, n: Any, path: Path_, top: bool = False) -> None:
        """Two model groups (:mod:`.content`)."""


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
