"""Rules for simple types: variety (atomic, list, union), built-in base and every facet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..changes import kebab
from .components import XSD_NS, Path_, builtin, split_name
from .walk import Walk

__all__ = ["SimpleTypeRules"]

#: facet → True for a lower bound (raising it narrows), False for an upper bound
_LENGTHS = {"minLength": True, "maxLength": False, "totalDigits": False, "fractionDigits": False}
_RANGES = {"minInclusive": True, "minExclusive": True, "maxInclusive": False, "maxExclusive": False}


class SimpleTypeRules(Walk):
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
                self.add("union-member-removed", path, False, True, f"union member {self.name_of(members_o[i].name)} removed")
        for i, key in enumerate(keys_n):
            if key not in keys_o:
                self.add("union-member-added", path, True, False, f"union member {self.name_of(members_n[i].name)} added")

    def builtin_base(self, o: Any, n: Any, path: Path_) -> None:
        chain_o, chain_n = _builtin_chain(o), _builtin_chain(n)
        if chain_o[0] == chain_n[0]:
            return
        show = lambda q: f"xs:{split_name(q)[1]}"  # noqa: E731
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
        name = kebab(facet)
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


def _variety(t: Any) -> str:
    name = type(t).__name__
    if "List" in name:
        return "list"
    if "Union" in name:
        return "union"
    base = getattr(t, "base_type", None)
    if base is not None and not builtin(t) and name == "XsdAtomicRestriction" and type(base).__name__ not in ("XsdAtomicBuiltin", "XsdAtomicRestriction"):
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
    while t is not None and not builtin(t):
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
    while t is not None and not builtin(t):
        for qname, facet in (getattr(t, "facets", None) or {}).items():
            if qname is None:
                continue
            name = split_name(qname)[1]
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
