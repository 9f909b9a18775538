"""Rules for content models: groups (sequence, choice, all), particles, occurrences and ``xs:any``."""

from __future__ import annotations

from typing import Any

from .components import Path_, element_names, kind_of, particles, wildcard_admits, wildcard_key
from .walk import Walk

__all__ = ["ContentRules"]

_INF = float("inf")


class ContentRules(Walk):
    def group(self, o: Any, n: Any, path: Path_, top: bool = False) -> None:
        parts_o, parts_n = particles(o), particles(n)
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
        if kind_of(particle) == "element":
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
            if kind_of(po) != "group":
                continue
            names = {self.mapped(q) for q in element_names(po)}
            match = max((pn for pn in right if kind_of(pn) == "group" and names & element_names(pn)), key=lambda pn: len(names & element_names(pn)), default=None)
            if match is not None:
                pairs.append((po, match))
                left.remove(po)
                right.remove(match)
        olds, news = [p for p in left if kind_of(p) == "any"], [p for p in right if kind_of(p) == "any"]
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
            names = [self.name_of(getattr(p, "name", None)) for p in parts_n if id(p) in set(old_order)]
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
        kind = kind_of(n)
        if kind == "element":
            here = path + (n.name,)
            self.occurs(o, n, here)
            self.element(o, n, here)
        elif kind == "group":
            self.group(o, n, path)
        else:
            self.occurs(o, n, path, "wildcard-")
            if wildcard_key(o, self.ns_map) != wildcard_key(n, self.ns_map):
                self.add("wildcard-changed", path, False, False, "xs:any's namespaces or processing changed")

    def particle_added(self, p: Any, old_parts: list[Any], choice: bool, path: Path_) -> None:
        kind = kind_of(p)
        here = path + (p.name,) if kind == "element" else path
        admitted = kind == "element" and any(kind_of(x) == "any" and wildcard_admits(x, p.name) for x in old_parts)
        if kind == "any":
            self.add("wildcard-added", here, True, False, "xs:any added: other elements are now allowed")
        elif choice:
            self.add("choice-member-added", here, True, admitted, f"choice member {self._label(p, False)} added")
        elif p.is_emptiable():
            self.add(f"{kind}-added-optional", here, True, admitted, f"optional {self._label(p, False)} added")
        else:
            self.add(f"{kind}-added-required", here, False, admitted, f"required {self._label(p, False)} added")

    def particle_removed(self, p: Any, new_parts: list[Any], choice: bool, path: Path_) -> None:
        kind = kind_of(p)
        name = self.mapped(p.name) if kind == "element" else None
        here = path + (name,) if name else path
        admitted = name is not None and any(kind_of(x) == "any" and wildcard_admits(x, name) for x in new_parts)
        if kind == "any":
            self.add("wildcard-removed", here, False, True, "xs:any removed: other elements are no longer allowed")
        elif choice:
            self.add("choice-member-removed", here, admitted, True, f"choice member {self._label(p, True)} removed")
        elif p.is_emptiable():
            self.add(f"{kind}-removed-optional", here, admitted, True, f"optional {self._label(p, True)} removed")
        else:
            self.add(f"{kind}-removed-required", here, admitted, False, f"required {self._label(p, True)} removed")

    def _label(self, p: Any, old: bool) -> str:
        if kind_of(p) == "element":
            return f"element {self.name_of(self.mapped(p.name) if old else p.name)}"
        return f"{p.model} group of {', '.join(sorted(self.name_of(q) for q in element_names(p)))}"


def _occurs(max_occurs: int | None) -> float:
    return _INF if max_occurs is None else max_occurs


def _show(value: float) -> str:
    return "unbounded" if value == _INF else str(int(value))
