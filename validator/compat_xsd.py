"""Compatibility rules for XML Schema 1.0, over xmlschema's component model.

Both schemas are loaded with xmlschema (includes, imports and ``ref=`` resolved,
local files only). The walk starts at every global element and follows the
document's structure, so each change is located by the qualified path of the
element or attribute it affects (``/rsm:Root/ram:Child/@attr``). Compared:
target and imported namespaces; elements and attributes added or removed
(optional vs required, wildcards that already admit them); minOccurs/maxOccurs;
sequence order; choice members; model groups; content types (empty, simple,
element-only, mixed); simple types by variety, built-in base and every facet
(length, min/maxLength, pattern, enumeration, ranges, totalDigits,
fractionDigits, whiteSpace); unions and lists; nillable, default and fixed
values; derivation; documentation (documentation only).

A rule that cannot prove a change harmless calls it breaking. Not modelled:
substitution groups and ``xsi:type`` (a derivation change is reported but
assumed harmless for documents that do not use ``xsi:type``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .compat import Change, XmlMarker
from .errors import SchemaLoadError

__all__ = ["diff_xsd_files", "load_xsd"]

XSD_NS = "http://www.w3.org/2001/XMLSchema"
_SYSTEM = {XSD_NS, "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2001/XMLSchema-instance"}
_F = f"{{{XSD_NS}}}"
#: facet → True for a lower bound (raising it narrows), False for an upper bound
_LENGTHS = {"minLength": True, "maxLength": False, "totalDigits": False, "fractionDigits": False}
_RANGES = {"minInclusive": True, "minExclusive": True, "maxInclusive": False, "maxExclusive": False}
_INF = float("inf")

Path_ = tuple[str, ...]


def load_xsd(path: Path) -> Any:
    """Load an XSD with its includes and imports, from local files only.

    :raises SchemaLoadError: unreadable, not a schema, or reaching for the network.
    """
    import xmlschema

    from .xml_engine import _check_local_imports

    path = Path(path).resolve()
    _check_local_imports(path)
    try:
        # "local", not "sandbox": a publisher's package imports from sibling folders (../../uncefact)
        return xmlschema.XMLSchema10(str(path), allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError, SyntaxError) as exc:
        raise SchemaLoadError(path, f"is not a usable XML Schema: {exc}") from None


def _qname(namespace: str | None, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def _split(qname: str) -> tuple[str, str]:
    if qname.startswith("{"):
        ns, _, local = qname[1:].partition("}")
        return ns, local
    return "", qname


def _docs(component: Any) -> str:
    annotation = getattr(component, "annotation", None)
    if annotation is None:
        return ""
    return " | ".join(" ".join((d.text or "").split()) for d in getattr(annotation, "documentation", []) or [])


def _builtin(t: Any) -> bool:
    return getattr(t, "target_namespace", None) == XSD_NS


def _occurs(max_occurs: int | None) -> float:
    return _INF if max_occurs is None else max_occurs


def _show(value: float) -> str:
    return "unbounded" if value == _INF else str(int(value))


class _XsdComparison:
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
        ns, local = _split(qname)
        return _qname(self.ns_map.get(ns, ns), local)

    def render(self, path: Path_) -> str:
        steps = []
        for step in path:
            attribute = step.startswith("@")
            ns, local = _split(step.removeprefix("@"))
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
        old_roots = {self.mapped(k): e for k, e in self.old.maps.elements.items() if _split(k)[0] not in _SYSTEM}
        new_roots = {k: e for k, e in self.new.maps.elements.items() if _split(k)[0] not in _SYSTEM}
        for name in sorted(old_roots.keys() | new_roots.keys()):
            if name not in old_roots:
                self.add("global-element-added", (name,), True, False, "a new global element: documents rooted in it are unknown to the old version")
            elif name not in new_roots:
                self.add("global-element-removed", (name,), False, True, "global element removed: documents rooted in it are no longer valid")
            else:
                self.element(old_roots[name], new_roots[name], (name,))
        return self.changes

    def namespaces(self) -> None:
        old_ns = {s.target_namespace for s in self.old.maps.iter_schemas()} - _SYSTEM
        new_ns = {s.target_namespace for s in self.new.maps.iter_schemas()} - _SYSTEM
        gone, came = sorted(old_ns - new_ns), sorted(new_ns - old_ns)
        for ns in gone:
            if not came:
                break
            partner = max(came, key=lambda c: (_common_prefix(ns, c), c == self.new.target_namespace))
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
        if _docs(o) != _docs(n):
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
        if o.name and n.name and self.mapped(o.name) != n.name and not (_builtin(o) and _builtin(n)):
            self.add("type-name-changed", path, True, True, f"type {self._name(o.name)} → {self._name(n.name)} (compared by content)")
        if (o.name or n.name) and _docs(o) != _docs(n) and not _builtin(o):
            self.add("documentation-changed", path, True, True, f"xs:documentation of type {self._name(n.name or o.name)} changed", documentation=True)
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

    def _name(self, qname: str | None) -> str:
        if not qname:
            return "(anonymous)"
        ns, local = _split(qname)
        return f"{self.prefixes[ns]}:{local}" if ns in self.prefixes else local

    def complex(self, o: Any, n: Any, path: Path_) -> None:
        base_o = self.mapped(o.base_type.name) if o.base_type is not None and o.base_type.name else None
        base_n = n.base_type.name if n.base_type is not None and n.base_type.name else None
        if (o.derivation, base_o) != (n.derivation, base_n):
            self.add("type-derivation-changed", path, True, True,
                     f"derivation {o.derivation or 'none'} of {self._name(base_o)} → {n.derivation or 'none'} of {self._name(base_n)} "
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

    # -- attributes
    def attributes(self, o: Any, n: Any, path: Path_) -> None:
        old_attrs = self._attrs(o, old=True)
        new_attrs = self._attrs(n, old=False)
        old_any = o.attributes.get(None) if not o.is_simple() else None
        new_any = n.attributes.get(None) if not n.is_simple() else None
        for name in sorted(old_attrs.keys() | new_attrs.keys()):
            where = path + (f"@{name}",)
            if name not in old_attrs:
                a = new_attrs[name]
                admitted = _wildcard_admits(old_any, name)
                if a.use == "required":
                    self.add("attribute-added-required", where, False, admitted, "required attribute added")
                else:
                    self.add("attribute-added-optional", where, True, admitted, "optional attribute added")
            elif name not in new_attrs:
                a = old_attrs[name]
                admitted = _wildcard_admits(new_any, name)
                if a.use == "required":
                    self.add("attribute-removed-required", where, admitted, False, "required attribute removed")
                else:
                    self.add("attribute-removed-optional", where, admitted, True, "optional attribute removed")
            else:
                self.attribute(old_attrs[name], new_attrs[name], where)
        self.attribute_wildcard(old_any, new_any, path)

    def _attrs(self, t: Any, *, old: bool) -> dict[str, Any]:
        if t.is_simple():
            return {}
        return {self.mapped(k) if old else k: a for k, a in t.attributes.items() if k is not None and a.use != "prohibited"}

    def attribute(self, o: Any, n: Any, path: Path_) -> None:
        if o.use != n.use:
            if n.use == "required":
                self.add("attribute-now-required", path, False, True, "attribute is now required")
            else:
                self.add("attribute-now-optional", path, True, False, "attribute is now optional")
        if _docs(o) != _docs(n):
            self.add("documentation-changed", path, True, True, "xs:documentation changed", documentation=True)
        self.value_constraints(path, o, n)
        self.simple(o.type, n.type, path)

    def attribute_wildcard(self, o: Any, n: Any, path: Path_) -> None:
        if o is None and n is None:
            return
        if o is None:
            self.add("attribute-wildcard-added", path, True, False, "anyAttribute added: other attributes are now allowed")
        elif n is None:
            self.add("attribute-wildcard-removed", path, False, True, "anyAttribute removed: other attributes are no longer allowed")
        elif _wildcard_key(o, self) != _wildcard_key(n, self):
            self.add("attribute-wildcard-changed", path, False, False, "anyAttribute's namespaces or processing changed")

    # -- simple types
    def simple(self, o: Any, n: Any, path: Path_) -> None:
        variety_o, variety_n = _variety(o), _variety(n)
        if variety_o != variety_n:
            self.add("simple-type-changed", path, False, False, f"simple type {variety_o} → {variety_n}")
            return
        if variety_o == "list":
            self.simple(_list_item(o), _list_item(n), path)
        elif variety_o == "union":
            self.union(o, n, path)
        else:
            self.builtin_base(o, n, path)
        self.facets(o, n, path)

    def union(self, o: Any, n: Any, path: Path_) -> None:
        members_o, members_n = list(_union_members(o)), list(_union_members(n))
        keys_o = [self.mapped(m.name) if m.name else f"#{i}" for i, m in enumerate(members_o)]
        keys_n = [m.name if m.name else f"#{i}" for i, m in enumerate(members_n)]
        for i, key in enumerate(keys_o):
            if key in keys_n:
                self.simple(members_o[i], members_n[keys_n.index(key)], path)
            else:
                self.add("union-member-removed", path, False, True, f"union member {self._name(members_o[i].name)} removed")
        for i, key in enumerate(keys_n):
            if key not in keys_o:
                self.add("union-member-added", path, True, False, f"union member {self._name(members_n[i].name)} added")

    def builtin_base(self, o: Any, n: Any, path: Path_) -> None:
        chain_o, chain_n = _builtin_chain(o), _builtin_chain(n)
        if chain_o[0] == chain_n[0]:
            return
        show = lambda q: f"xs:{_split(q)[1]}"  # noqa: E731
        if chain_n[0] in chain_o:
            self.add("base-type-widened", path, True, False, f"built-in type {show(chain_o[0])} → {show(chain_n[0])}, which includes it")
        elif chain_o[0] in chain_n:
            self.add("base-type-narrowed", path, False, True, f"built-in type {show(chain_o[0])} → {show(chain_n[0])}, a restriction of it")
        else:
            self.add("base-type-changed", path, False, False, f"built-in type {show(chain_o[0])} → {show(chain_n[0])}")

    def facets(self, o: Any, n: Any, path: Path_) -> None:
        fo, fn = _effective_facets(o), _effective_facets(n)
        for facet, lower in {**_LENGTHS, **_RANGES}.items():
            self.bound(facet, lower, fo.get(facet), fn.get(facet), path)
        self.exact_length(fo.get("length"), fn.get("length"), path)
        if fo.get("whiteSpace") != fn.get("whiteSpace"):
            self.add("white-space-changed", path, False, False, f"whiteSpace {fo.get('whiteSpace')} → {fn.get('whiteSpace')}")
        self.enumeration(fo.get("enumeration"), fn.get("enumeration"), path)
        self.patterns(fo.get("pattern", []), fn.get("pattern", []), path)

    def bound(self, facet: str, lower: bool, before: Any, after: Any, path: Path_) -> None:
        if before == after:
            return
        name = _kebab(facet)
        if before is None:
            self.add(f"{name}-added", path, False, True, f"{facet} {after} added")
        elif after is None:
            self.add(f"{name}-removed", path, True, False, f"{facet} {before} removed")
        else:
            try:
                narrower = after > before if lower else after < before
            except TypeError:
                self.add(f"{name}-changed", path, False, False, f"{facet} {before} → {after}")
                return
            verb = "increased" if after > before else "decreased"
            self.add(f"{name}-{verb}", path, not narrower, narrower, f"{facet} {before} → {after}")

    def exact_length(self, before: Any, after: Any, path: Path_) -> None:
        if before == after:
            return
        if before is None:
            self.add("length-added", path, False, True, f"length fixed to {after}")
        elif after is None:
            self.add("length-removed", path, True, False, f"length no longer fixed to {before}")
        else:
            self.add("length-changed", path, False, False, f"length {before} → {after}")

    def enumeration(self, before: frozenset | None, after: frozenset | None, path: Path_) -> None:
        if before == after:
            return
        if self.is_marker(path):
            self.add("version-marker", path, True, True, f"version marker values {_values(before)} → {_values(after)} (expected between versions)")
        elif before is None:
            self.add("enumeration-added", path, False, True, f"values now limited to {_values(after)}")
        elif after is None:
            self.add("enumeration-removed", path, True, False, f"values no longer limited to {_values(before)}")
        elif before < after:
            self.add("enumeration-extended", path, True, False, f"values added: {_values(after - before)}")
        elif after < before:
            self.add("enumeration-narrowed", path, False, True, f"values removed: {_values(before - after)}")
        else:
            self.add("enumeration-changed", path, False, False, f"values removed {_values(before - after)}, added {_values(after - before)}")

    def patterns(self, before: list[frozenset[str]], after: list[frozenset[str]], path: Path_) -> None:
        """Patterns: alternatives within one derivation step are OR-ed, steps AND-ed."""
        if set(before) == set(after):
            return
        if self.is_marker(path):
            self.add("version-marker", path, True, True, "version marker pattern changed (expected between versions)")
            return
        shared = set(before) & set(after)
        only_o, only_n = [p for p in before if p not in shared], [p for p in after if p not in shared]
        if not only_o:
            self.add("pattern-added", path, False, True, f"pattern {_patterns(only_n)} added")
        elif not only_n:
            self.add("pattern-removed", path, True, False, f"pattern {_patterns(only_o)} removed")
        elif len(only_o) == 1 and len(only_n) == 1 and only_o[0] < only_n[0]:
            self.add("pattern-extended", path, True, False, f"pattern alternatives added: {_patterns([only_n[0] - only_o[0]])}")
        elif len(only_o) == 1 and len(only_n) == 1 and only_n[0] < only_o[0]:
            self.add("pattern-narrowed", path, False, True, f"pattern alternatives removed: {_patterns([only_o[0] - only_n[0]])}")
        else:
            self.add("pattern-changed", path, False, False, f"pattern {_patterns(only_o)} → {_patterns(only_n)}")

    # -- content models
    def group(self, o: Any, n: Any, path: Path_, top: bool = False) -> None:
        parts_o, parts_n = _particles(o), _particles(n)
        model_o, model_n = o.model, n.model
        if model_o != model_n and not (len(parts_o) <= 1 and len(parts_n) <= 1):
            self.add("model-group-changed", path, False, False, f"content model {model_o} → {model_n}")
        if not top or (o.min_occurs, o.max_occurs) != (1, 1) or (n.min_occurs, n.max_occurs) != (1, 1):
            self.occurs(o, n, path, "group-")
        pairs, added, removed = self._pair(parts_o, parts_n)
        if model_o == model_n == "sequence":
            self.order(pairs, parts_o, parts_n, path)
        choice = model_n == "choice" and model_o == "choice"
        for po, pn in pairs:
            self.particle(po, pn, path)
        for p in added:
            self.particle_added(p, parts_o, choice, path)
        for p in removed:
            self.particle_removed(p, parts_n, choice, path)

    def _key(self, particle: Any, old: bool) -> str | None:
        if _kind(particle) == "element":
            return self.mapped(particle.name) if old else particle.name
        return None

    def _pair(self, parts_o: list[Any], parts_n: list[Any]) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
        pairs: list[tuple[Any, Any]] = []
        left, right = list(parts_o), list(parts_n)
        for po in list(left):  # elements by qualified name
            key = self._key(po, True)
            match = next((pn for pn in right if key is not None and self._key(pn, False) == key), None)
            if match is not None:
                pairs.append((po, match))
                left.remove(po)
                right.remove(match)
        for po in list(left):  # groups by the element names they share
            if _kind(po) != "group":
                continue
            names = {self.mapped(q) for q in _names(po)}
            match = max((pn for pn in right if _kind(pn) == "group" and names & _names(pn)), key=lambda pn: len(names & _names(pn)), default=None)
            if match is not None:
                pairs.append((po, match))
                left.remove(po)
                right.remove(match)
        olds, news = [p for p in left if _kind(p) == "any"], [p for p in right if _kind(p) == "any"]
        for po, pn in zip(olds, news):  # wildcards by position
            pairs.append((po, pn))
            left.remove(po)
            right.remove(pn)
        return pairs, right, left

    def order(self, pairs: list[tuple[Any, Any]], parts_o: list[Any], parts_n: list[Any], path: Path_) -> None:
        partner = {id(po): pn for po, pn in pairs}
        old_order = [id(partner[id(p)]) for p in parts_o if id(p) in partner]
        new_order = [id(p) for p in parts_n if id(p) in {id(x) for x in partner.values()}]
        if old_order != new_order:
            names = [self._name(getattr(p, "name", None)) for p in parts_n if id(p) in set(old_order)]
            self.add("sequence-order-changed", path, False, False, f"the order of child elements changed (now {', '.join(names)})")

    def occurs(self, o: Any, n: Any, path: Path_, prefix: str = "") -> None:
        if o.min_occurs != n.min_occurs:
            if n.min_occurs > o.min_occurs:
                self.add(f"{prefix}min-occurs-increased", path, False, True, f"minOccurs {o.min_occurs} → {n.min_occurs}")
            else:
                self.add(f"{prefix}min-occurs-decreased", path, True, False, f"minOccurs {o.min_occurs} → {n.min_occurs}")
        max_o, max_n = _occurs(o.max_occurs), _occurs(n.max_occurs)
        if max_o != max_n:
            if max_n < max_o:
                self.add(f"{prefix}max-occurs-decreased", path, False, True, f"maxOccurs {_show(max_o)} → {_show(max_n)}")
            else:
                self.add(f"{prefix}max-occurs-increased", path, True, False, f"maxOccurs {_show(max_o)} → {_show(max_n)}")

    def particle(self, o: Any, n: Any, path: Path_) -> None:
        kind = _kind(n)
        if kind == "element":
            here = path + (n.name,)
            self.occurs(o, n, here)
            self.element(o, n, here)
        elif kind == "group":
            self.group(o, n, path)
        else:
            self.occurs(o, n, path, "wildcard-")
            if _wildcard_key(o, self) != _wildcard_key(n, self):
                self.add("wildcard-changed", path, False, False, "xs:any's namespaces or processing changed")

    def particle_added(self, p: Any, old_parts: list[Any], choice: bool, path: Path_) -> None:
        kind = _kind(p)
        here = path + (p.name,) if kind == "element" else path
        admitted = kind == "element" and any(_kind(x) == "any" and _wildcard_admits(x, p.name) for x in old_parts)
        if kind == "any":
            self.add("wildcard-added", here, True, False, "xs:any added: other elements are now allowed")
        elif choice:
            self.add("choice-member-added", here, True, admitted, f"choice member {self._label(p, False)} added")
        elif p.is_emptiable():
            self.add(f"{kind}-added-optional", here, True, admitted, f"optional {self._label(p, False)} added")
        else:
            self.add(f"{kind}-added-required", here, False, admitted, f"required {self._label(p, False)} added")

    def particle_removed(self, p: Any, new_parts: list[Any], choice: bool, path: Path_) -> None:
        kind = _kind(p)
        name = self.mapped(p.name) if kind == "element" else None
        here = path + (name,) if name else path
        admitted = name is not None and any(_kind(x) == "any" and _wildcard_admits(x, name) for x in new_parts)
        if kind == "any":
            self.add("wildcard-removed", here, False, True, "xs:any removed: other elements are no longer allowed")
        elif choice:
            self.add("choice-member-removed", here, admitted, True, f"choice member {self._label(p, True)} removed")
        elif p.is_emptiable():
            self.add(f"{kind}-removed-optional", here, admitted, True, f"optional {self._label(p, True)} removed")
        else:
            self.add(f"{kind}-removed-required", here, admitted, False, f"required {self._label(p, True)} removed")

    def _label(self, p: Any, old: bool) -> str:
        if _kind(p) == "element":
            return f"element {self._name(self.mapped(p.name) if old else p.name)}"
        return f"{p.model} group of {', '.join(sorted(self._name(q) for q in _names(p)))}"


# --------------------------------------------------------------------------- helpers


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _kind(particle: Any) -> str:
    name = type(particle).__name__
    if name == "XsdGroup":
        return "group"
    if name in ("XsdAnyElement",):
        return "any"
    return "element"


def _particles(group: Any) -> list[Any]:
    """A group's particles, nested sequences of one occurrence flattened into their parent."""
    out: list[Any] = []
    for p in group:
        if _kind(p) == "group" and p.model == group.model == "sequence" and (p.min_occurs, p.max_occurs) == (1, 1):
            out.extend(_particles(p))
        elif _kind(p) == "group" and len(p) == 0:
            continue
        else:
            out.append(p)
    return out


def _names(group: Any) -> set[str]:
    found: set[str] = set()
    for p in group:
        if _kind(p) == "group":
            found |= _names(p)
        elif _kind(p) == "element":
            found.add(p.name)
    return found


def _wildcard_admits(wildcard: Any, qname: str) -> bool:
    """Whether a wildcard already accepts ``qname`` without a declaration (lax or skip)."""
    if wildcard is None or getattr(wildcard, "process_contents", "strict") == "strict":
        return False
    try:
        return bool(wildcard.is_matching(qname))
    except Exception:  # noqa: BLE001 — xmlschema may refuse odd names; then we cannot tell
        return False


def _wildcard_key(wildcard: Any, comparison: _XsdComparison) -> tuple:
    namespaces = tuple(sorted(comparison.ns_map.get(ns, ns) for ns in getattr(wildcard, "namespace", ()) or ()))
    return namespaces, tuple(sorted(getattr(wildcard, "not_namespace", ()) or ())), getattr(wildcard, "process_contents", "")


def _variety(t: Any) -> str:
    name = type(t).__name__
    if "List" in name:
        return "list"
    if "Union" in name:
        return "union"
    base = getattr(t, "base_type", None)
    if base is not None and not _builtin(t) and name == "XsdAtomicRestriction" and type(base).__name__ not in ("XsdAtomicBuiltin", "XsdAtomicRestriction"):
        return _variety(base)
    return "atomic"


def _list_item(t: Any) -> Any:
    while getattr(t, "item_type", None) is None and getattr(t, "base_type", None) is not None:
        t = t.base_type
    return t.item_type


def _union_members(t: Any) -> Iterable[Any]:
    while getattr(t, "member_types", None) is None and getattr(t, "base_type", None) is not None:
        t = t.base_type
    return t.member_types or ()


def _builtin_chain(t: Any) -> list[str]:
    """Names of the built-in type a simple type rests on, then its built-in ancestors."""
    while t is not None and not _builtin(t):
        t = t.base_type
    chain: list[str] = []
    while t is not None:
        chain.append(t.name)
        t = t.base_type
    return chain or ["{%s}anySimpleType" % XSD_NS]


def _effective_facets(t: Any) -> dict[str, Any]:
    """Facets in force on a user-defined simple type: the nearest of each, every pattern step."""
    facets: dict[str, Any] = {}
    patterns: list[frozenset[str]] = []
    while t is not None and not _builtin(t):
        for qname, facet in (getattr(t, "facets", None) or {}).items():
            if qname is None:
                continue
            name = _split(qname)[1]
            if name == "pattern":
                patterns.append(frozenset(getattr(facet, "regexps", None) or []))
            elif name == "enumeration":
                facets.setdefault(name, frozenset(_hashable(v) for v in facet.enumeration))
            elif name not in facets:
                facets[name] = getattr(facet, "value", None)
        t = t.base_type
    if patterns:
        facets["pattern"] = patterns
    return facets


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return value
    except TypeError:
        return str(value)


def _values(values: frozenset | None) -> str:
    return "[" + ", ".join(sorted(str(v) for v in values or ())) + "]"


def _patterns(steps: list[frozenset[str]]) -> str:
    return " and ".join("|".join(sorted(s)) for s in steps)


def diff_xsd_schemas(old: Any, new: Any, *, marker: XmlMarker | None = None) -> list[Change]:
    """Every change from the loaded xmlschema schema ``old`` to ``new``."""
    return _XsdComparison(old, new, marker).run()


def diff_xsd_files(old: Path, new: Path, *, marker: XmlMarker | None = None) -> list[Change]:
    """Every change from the XSD file ``old`` to ``new`` (their imports and includes too).

    :raises SchemaLoadError: a schema cannot be loaded from local files.
    """
    return diff_xsd_schemas(load_xsd(old), load_xsd(new), marker=marker)
