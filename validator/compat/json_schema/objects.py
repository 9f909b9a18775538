"""Rules for objects: ``required``, ``properties``, ``patternProperties``,
``additionalProperties``, ``propertyNames`` and dependencies."""

from __future__ import annotations

import re
from typing import Any

from ...json_positions import escape_pointer
from .content_models import ContentModels
from .documents import Node
from .walk import detail

__all__ = ["ObjectRules"]


class ObjectRules(ContentModels):
    def required(self, o: Node, n: Node, path: str) -> None:
        before = set(o.schema.get("required", []) or [])
        after = set(n.schema.get("required", []) or [])
        props = n.schema.get("properties", {}) if isinstance(n.schema.get("properties"), dict) else {}
        for name in sorted(after - before):
            prop = self.deref(Node(props[name], n.doc, n.at("properties", name))).schema if name in props else None
            if isinstance(prop, dict) and "default" in prop:
                self.add("required-property-with-default-added", self.where(n, "required"), False, True,
                         f"property {name!r} is now required (it has a default, but a document without it still fails validation)",
                         f"{path}/{escape_pointer(name)}")
            else:
                self.add("required-property-added", self.where(n, "required"), False, True,
                         f"property {name!r} is now required", f"{path}/{escape_pointer(name)}")
        for name in sorted(before - after):
            self.add("required-property-removed", self.where(o, "required"), True, False,
                     f"property {name!r} is no longer required", f"{path}/{escape_pointer(name)}")

    def slot(self, node: Node, name: str) -> tuple[str, Node]:
        """What governs property ``name`` in ``node``: ``property``, ``pattern`` or ``additional``."""
        schema = node.schema
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        if name in props:
            return "property", node.child("properties", name)
        patterns = schema.get("patternProperties") if isinstance(schema.get("patternProperties"), dict) else {}
        matched = [p for p in patterns if _search(p, name)]
        if len(matched) == 1:
            return "pattern", node.child("patternProperties", matched[0])
        if matched:
            return "pattern", Node({"allOf": [patterns[p] for p in matched]}, node.doc, node.at("patternProperties"))
        return "additional", node.child_or_true("additionalProperties")

    def properties(self, o: Node, n: Node, path: str) -> None:
        old_props = o.schema.get("properties") if isinstance(o.schema.get("properties"), dict) else {}
        new_props = n.schema.get("properties") if isinstance(n.schema.get("properties"), dict) else {}
        for name in old_props:
            if name in new_props:
                self.compare(o.child("properties", name), n.child("properties", name), f"{path}/{escape_pointer(name)}", "property")
        for name in new_props:
            if name not in old_props:
                self.property_added(o, n.child("properties", name), name, path)
        for name in old_props:
            if name not in new_props:
                self.property_removed(o.child("properties", name), n, name, path)
        self.pattern_properties(o, n, path)
        before, after = o.child_or_true("additionalProperties"), n.child_or_true("additionalProperties")
        self.compare(before, after, f"{path}/*", "additional-properties")

    def property_added(self, o: Node, added: Node, name: str, path: str) -> None:
        kind, governing = self.slot(o, name)
        openness = self.openness(kind, governing)
        instance, where = f"{path}/{escape_pointer(name)}", self.where(added)
        if openness == "open":
            if self.trivial(added):
                self.add("property-with-empty-schema-added-to-open-content-model", where, True, True,
                         f"property {name!r} added with an empty schema; it was already allowed", instance)
            else:
                self.add("property-added-to-open-content-model", where, False, True,
                         f"property {name!r} added; the old content model allowed it with any value, the new one limits it", instance)
        elif openness == "closed":
            if self.deref(added).schema is False:
                self.add("property-with-false-added-to-closed-content-model", where, True, True,
                         f"property {name!r} added as false; it was already forbidden", instance)
            else:
                self.add("property-added-to-closed-content-model", where, True, False,
                         f"property {name!r} added; the old content model is closed and rejects it", instance)
        else:
            self.partially_open("property", "added", governing, added, where,
                                f"property {name!r} added where the old {kind} schema governed it", instance)

    def property_removed(self, removed: Node, n: Node, name: str, path: str) -> None:
        kind, governing = self.slot(n, name)
        self.slot_removed(
            "property", removed, kind, governing, f"{path}/{escape_pointer(name)}",
            open_text=f"property {name!r} removed; the new content model accepts it with any value",
            closed_text=f"property {name!r} removed; the new content model is closed and rejects it",
            partial_text=f"property {name!r} removed; the new {kind} schema now governs it",
        )

    def pattern_properties(self, o: Node, n: Node, path: str) -> None:
        before = o.schema.get("patternProperties") if isinstance(o.schema.get("patternProperties"), dict) else {}
        after = n.schema.get("patternProperties") if isinstance(n.schema.get("patternProperties"), dict) else {}
        named = set(n.schema.get("properties", {}) or {}) | set(o.schema.get("properties", {}) or {})
        for pattern in before.keys() & after.keys():
            self.compare(o.child("patternProperties", pattern), n.child("patternProperties", pattern), f"{path}/*", "pattern-property")
        for pattern in after.keys() - before.keys():
            added = n.child("patternProperties", pattern)
            nested = self.sub(o.child_or_true("additionalProperties"), added, f"{path}/*", "pattern-property")
            # a named property matching the new pattern must now also satisfy it
            hit = [p for p in named if _search(pattern, p)]
            b = all(c.backward for c in nested) and (not hit or self.trivial(added))
            self.add("pattern-property-added", self.where(added), b, all(c.forward for c in nested),
                     f"patternProperties {pattern!r} added" + detail(nested), f"{path}/*")
        for pattern in before.keys() - after.keys():
            removed = o.child("patternProperties", pattern)
            nested = self.sub(removed, n.child_or_true("additionalProperties"), f"{path}/*", "pattern-property")
            hit = [p for p in named if _search(pattern, p)]
            f = all(c.forward for c in nested) and (not hit or self.trivial(removed))
            self.add("pattern-property-removed", self.where(removed), all(c.backward for c in nested), f,
                     f"patternProperties {pattern!r} removed" + detail(nested), f"{path}/*")

    def property_names(self, o: Node, n: Node, path: str) -> None:
        if "propertyNames" in o.schema or "propertyNames" in n.schema:
            self.compare(o.child_or_true("propertyNames"), n.child_or_true("propertyNames"), f"{path}/(names)", "property-names")

    def dependencies(self, o: Node, n: Node, path: str) -> None:
        arrays_o, schemas_o = _dependency_tables(o.schema)
        arrays_n, schemas_n = _dependency_tables(n.schema)
        for key in sorted(arrays_o.keys() | arrays_n.keys()):
            before, after = arrays_o.get(key), arrays_n.get(key)
            where = self.where(n if after is not None else o, "dependentRequired" if "dependentRequired" in (n.schema if after is not None else o.schema) else "dependencies", key)
            instance = f"{path}/{escape_pointer(key)}"
            if before is None:
                self.add("dependency-array-added", where, False, True, f"when {key!r} is present, {sorted(after or ())} are now required", instance)
            elif after is None:
                self.add("dependency-array-removed", where, True, False, f"{key!r} no longer requires {sorted(before)}", instance)
            elif set(after) > set(before):
                self.add("dependency-array-extended", where, False, True, f"{key!r} now also requires {sorted(set(after) - set(before))}", instance)
            elif set(after) < set(before):
                self.add("dependency-array-narrowed", where, True, False, f"{key!r} no longer requires {sorted(set(before) - set(after))}", instance)
            elif set(after) != set(before):
                self.add("dependency-array-changed", where, False, False, f"{key!r} requires {sorted(after)} instead of {sorted(before)}", instance)
        for key in sorted(schemas_o.keys() | schemas_n.keys()):
            before_node = _dependent_node(o, key) if key in schemas_o else None
            after_node = _dependent_node(n, key) if key in schemas_n else None
            instance = f"{path}/{escape_pointer(key)}"
            if before_node is None and after_node is not None:
                b = self.trivial(after_node)
                self.add("dependency-schema-added", self.where(after_node), b, True, f"a schema now applies when {key!r} is present", instance)
            elif after_node is None and before_node is not None:
                self.add("dependency-schema-removed", self.where(before_node), True, self.trivial(before_node), f"the schema applied when {key!r} is present was removed", instance)
            elif before_node is not None and after_node is not None:
                self.compare(before_node, after_node, path, "dependent-schema")


def _search(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # cannot tell: assume it matches (the conservative answer)


def _dependency_tables(schema: dict) -> tuple[dict[str, list[str]], dict[str, Any]]:
    arrays: dict[str, list[str]] = {}
    schemas: dict[str, Any] = {}
    for key, value in (schema.get("dependencies") or {}).items():
        (arrays if isinstance(value, list) else schemas)[key] = value
    arrays.update(schema.get("dependentRequired") or {})
    schemas.update(schema.get("dependentSchemas") or {})
    return arrays, schemas


def _dependent_node(node: Node, key: str) -> Node:
    if key in (node.schema.get("dependentSchemas") or {}):
        return node.child("dependentSchemas", key)
    return node.child("dependencies", key)
