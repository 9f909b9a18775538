"""Rules for attributes: added, removed, their use and value constraints, ``xs:anyAttribute``."""

from __future__ import annotations

from typing import Any

from .components import Path_, docs, wildcard_admits, wildcard_key
from .walk import Walk

__all__ = ["AttributeRules"]


class AttributeRules(Walk):
    def attributes(self, o: Any, n: Any, path: Path_) -> None:
        old_attrs = self._attrs(o, old=True)
        new_attrs = self._attrs(n, old=False)
        old_any = o.attributes.get(None) if not o.is_simple() else None
        new_any = n.attributes.get(None) if not n.is_simple() else None
        for name in sorted(old_attrs.keys() | new_attrs.keys()):
            where = path + (f"@{name}",)
            if name not in old_attrs:
                a = new_attrs[name]
                admitted = wildcard_admits(old_any, name)
                if a.use == "required":
                    self.add("attribute-added-required", where, False, admitted, "required attribute added")
                else:
                    self.add("attribute-added-optional", where, True, admitted, "optional attribute added")
            elif name not in new_attrs:
                a = old_attrs[name]
                admitted = wildcard_admits(new_any, name)
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
        if docs(o) != docs(n):
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
        elif wildcard_key(o, self.ns_map) != wildcard_key(n, self.ns_map):
            self.add("attribute-wildcard-changed", path, False, False, "anyAttribute's namespaces or processing changed")
