"""JSON Schema compatibility: a table of changes, each with its kind and level, checked against real documents.

For every case the documents the old schema accepts (the case's own plus a pool
generated from both schemas) are run through the new one: a "backward" verdict
must never be contradicted, nor a "forward" one with documents the new schema
accepts. Where a case says a direction breaks, one of its documents shows it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from dxs.validator.compat.changes import Compatibility, JsonMarker
from dxs.validator.compat.json_schema import diff_json_schemas
from dxs.validator.json_engine import JsonSchema

D = "https://json-schema.org/draft/2020-12/schema"


def obj(props: dict, **extra: Any) -> dict:
    return {"type": "object", "properties": props, **extra}


def prop(schema: Any, **extra: Any) -> dict:
    """A one-property object whose property ``a`` has ``schema``."""
    return obj({"a": schema}, **extra)


def wrap(*values: Any) -> list[dict]:
    return [{"a": v} for v in values]


@dataclass
class Case:
    id: str
    old: Any
    new: Any
    kind: str
    level: str
    docs: list[Any]
    bump: str | None = None
    witness: bool = True  # the docs include one that shows each broken direction
    extra: list[Any] = field(default_factory=list)


S, I, N = {"type": "string"}, {"type": "integer"}, {"type": "number"}

CASES = [
    # types
    Case("type-narrowed", prop({"type": ["string", "number"]}), prop(S), "type-narrowed", "FORWARD", wrap("x", 1)),
    Case("type-extended", prop(S), prop({"type": ["string", "null"]}), "type-extended", "BACKWARD", wrap("x", None)),
    Case("type-changed", prop(S), prop(I), "type-changed", "NONE", wrap("x", 1)),
    Case("integer-to-number", prop(I), prop(N), "type-extended", "BACKWARD", wrap(1, 1.5)),
    # enum and const
    Case("enum-extended", prop({"enum": ["a", "b"]}), prop({"enum": ["a", "b", "c"]}), "enum-extended", "BACKWARD", wrap("a", "c")),
    Case("enum-narrowed", prop({"enum": ["a", "b", "c"]}), prop({"enum": ["a", "b"]}), "enum-narrowed", "FORWARD", wrap("a", "c")),
    Case("enum-changed", prop({"enum": ["a", "b"]}), prop({"enum": ["a", "c"]}), "enum-changed", "NONE", wrap("a", "b", "c")),
    Case("enum-added", prop(S), prop({"type": "string", "enum": ["a"]}), "enum-added", "FORWARD", wrap("a", "b")),
    Case("enum-removed", prop({"type": "string", "enum": ["a"]}), prop(S), "enum-removed", "BACKWARD", wrap("a", "b")),
    Case("const-changed", prop({"const": 1}), prop({"const": 2}), "const-changed", "NONE", wrap(1, 2)),
    Case("const-added", prop(S), prop({"type": "string", "const": "x"}), "const-added", "FORWARD", wrap("x", "y")),
    # numeric bounds
    Case("minimum-increased", prop({"minimum": 0}), prop({"minimum": 5}), "minimum-increased", "FORWARD", wrap(0, 5, 6)),
    Case("minimum-decreased", prop({"minimum": 5}), prop({"minimum": 0}), "minimum-decreased", "BACKWARD", wrap(0, 5)),
    Case("maximum-decreased", prop({"maximum": 10}), prop({"maximum": 5}), "maximum-decreased", "FORWARD", wrap(5, 7)),
    Case("maximum-added", prop(N), prop({"type": "number", "maximum": 10}), "maximum-added", "FORWARD", wrap(5, 50)),
    Case("exclusive-minimum-added", prop(N), prop({"type": "number", "exclusiveMinimum": 0}), "exclusive-minimum-added", "FORWARD", wrap(0, 1)),
    Case("exclusive-maximum-removed", prop({"exclusiveMaximum": 10}), prop({}), "exclusive-maximum-removed", "BACKWARD", wrap(5, 10)),
    Case("multiple-of-added", prop(N), prop({"type": "number", "multipleOf": 2}), "multiple-of-added", "FORWARD", wrap(2, 3)),
    Case("multiple-of-reduced", prop({"multipleOf": 10}), prop({"multipleOf": 5}), "multiple-of-reduced", "BACKWARD", wrap(10, 5)),
    Case("multiple-of-expanded", prop({"multipleOf": 5}), prop({"multipleOf": 10}), "multiple-of-expanded", "FORWARD", wrap(5, 10)),
    Case("multiple-of-changed", prop({"multipleOf": 2}), prop({"multipleOf": 3}), "multiple-of-changed", "NONE", wrap(2, 3, 6)),
    # strings
    Case("min-length-increased", prop({"minLength": 1}), prop({"minLength": 3}), "min-length-increased", "FORWARD", wrap("ab", "abc")),
    Case("max-length-decreased", prop({"maxLength": 10}), prop({"maxLength": 3}), "max-length-decreased", "FORWARD", wrap("abcd", "ab")),
    Case("max-length-increased", prop({"maxLength": 3}), prop({"maxLength": 10}), "max-length-increased", "BACKWARD", wrap("abcd", "ab")),
    Case("min-length-removed", prop({"minLength": 2}), prop({}), "min-length-removed", "BACKWARD", wrap("", "ab")),
    Case("pattern-added", prop(S), prop({"type": "string", "pattern": "^[a-z]+$"}), "pattern-added", "FORWARD", wrap("abc", "123")),
    Case("pattern-changed", prop({"pattern": "^[a-z]+$"}), prop({"pattern": "^[0-9]+$"}), "pattern-changed", "NONE", wrap("abc", "123")),
    Case("pattern-removed", prop({"pattern": "^[a-z]+$"}), prop({}), "pattern-removed", "BACKWARD", wrap("abc", "123")),
    Case("format-added", prop(S), prop({"type": "string", "format": "email"}), "format-added", "FORWARD", wrap("a@b.co", "nope")),
    Case("format-changed", prop({"format": "email"}), prop({"format": "date"}), "format-changed", "NONE", wrap("a@b.co", "2024-01-01")),
    # arrays
    Case("unique-items-added", prop({"type": "array"}), prop({"type": "array", "uniqueItems": True}), "unique-items-added", "FORWARD", wrap([1, 1], [1, 2])),
    Case("unique-items-removed", prop({"uniqueItems": True}), prop({}), "unique-items-removed", "BACKWARD", wrap([1, 1], [1, 2])),
    Case("min-items-increased", prop({"minItems": 0}), prop({"minItems": 1}), "min-items-increased", "FORWARD", wrap([], [1])),
    Case("max-items-decreased", prop({"maxItems": 3}), prop({"maxItems": 1}), "max-items-decreased", "FORWARD", wrap([1, 2, 3], [1])),
    Case("items-narrowed", prop({"items": {"type": ["string", "integer"]}}), prop({"items": S}), "type-narrowed", "FORWARD", wrap([1], ["a"])),
    Case("item-added-to-closed-content-model", prop({"prefixItems": [S], "items": False}), prop({"prefixItems": [S, I], "items": False}),
         "item-added-to-closed-content-model", "BACKWARD", wrap(["a"], ["a", 1])),
    Case("item-added-to-open-content-model", prop({"prefixItems": [S]}), prop({"prefixItems": [S, I]}),
         "item-added-to-open-content-model", "FORWARD", wrap(["a", "b"], ["a", 1])),
    Case("item-removed-from-closed-content-model", prop({"prefixItems": [S, I], "items": False}), prop({"prefixItems": [S], "items": False}),
         "item-removed-from-closed-content-model", "FORWARD", wrap(["a"], ["a", 1])),
    Case("additional-items-narrowed", prop({"prefixItems": [S]}), prop({"prefixItems": [S], "items": False}),
         "additional-items-narrowed", "FORWARD", wrap(["a"], ["a", 1])),
    Case("contains-added", prop({"type": "array"}), prop({"type": "array", "contains": I}), "contains-added", "FORWARD", wrap([1], ["a"])),
    # objects
    Case("min-properties-added", prop({"type": "object"}), prop({"type": "object", "minProperties": 1}), "min-properties-added", "FORWARD", wrap({}, {"x": 1})),
    Case("max-properties-increased", prop({"maxProperties": 1}), prop({"maxProperties": 2}), "max-properties-increased", "BACKWARD", wrap({"x": 1, "y": 2}, {})),
    Case("required-property-added", obj({"a": S}), obj({"a": S}, required=["a"]), "required-property-added", "FORWARD", [{}, {"a": "x"}]),
    Case("required-property-with-default-added", obj({"a": S}), obj({"a": {"type": "string", "default": "x"}}, required=["a"]),
         "required-property-with-default-added", "FORWARD", [{}, {"a": "x"}]),
    Case("required-property-removed", obj({"a": S}, required=["a"]), obj({"a": S}), "required-property-removed", "BACKWARD", [{}, {"a": "x"}]),
    Case("property-added-to-open-content-model", obj({"a": S}), obj({"a": S, "b": S}), "property-added-to-open-content-model", "FORWARD",
         [{"b": 1}, {"b": "x"}]),
    Case("property-with-empty-schema-added-to-open-content-model", obj({"a": S}), obj({"a": S, "b": {}}),
         "property-with-empty-schema-added-to-open-content-model", "FULL", [{"b": 1}, {"a": "x"}], bump="minor"),
    Case("property-added-to-closed-content-model", obj({"a": S}, additionalProperties=False), obj({"a": S, "b": S}, additionalProperties=False),
         "property-added-to-closed-content-model", "BACKWARD", [{}, {"b": "x"}], bump="minor"),
    Case("property-with-false-added-to-closed-content-model", obj({"a": S}, additionalProperties=False),
         obj({"a": S, "b": False}, additionalProperties=False), "property-with-false-added-to-closed-content-model", "FULL", [{"a": "x"}, {"b": 1}]),
    Case("property-removed-from-open-content-model", obj({"a": S, "b": S}), obj({"a": S}), "property-removed-from-open-content-model", "BACKWARD",
         [{"b": "x"}, {"b": 1}]),
    Case("property-removed-from-closed-content-model", obj({"a": S, "b": S}, additionalProperties=False), obj({"a": S}, additionalProperties=False),
         "property-removed-from-closed-content-model", "FORWARD", [{"b": "x"}, {}]),
    Case("property-added-is-covered-by-partially-open-content-model", obj({"a": S}, additionalProperties={"type": "string", "maxLength": 3}),
         obj({"a": S, "b": S}, additionalProperties={"type": "string", "maxLength": 3}),
         "property-added-is-covered-by-partially-open-content-model", "BACKWARD", [{"b": "ab"}, {"b": "abcdef"}]),
    Case("property-added-not-covered-by-partially-open-content-model", obj({"a": S}, additionalProperties=S),
         obj({"a": S, "b": I}, additionalProperties=S), "property-added-not-covered-by-partially-open-content-model", "NONE",
         [{"b": "x"}, {"b": 1}]),
    Case("property-removed-not-covered-by-partially-open-content-model", obj({"b": I}, additionalProperties=S), obj({}, additionalProperties=S),
         "property-removed-not-covered-by-partially-open-content-model", "NONE", [{"b": 1}, {"b": "x"}]),
    Case("additional-properties-narrowed", obj({"a": S}), obj({"a": S}, additionalProperties=False), "additional-properties-narrowed", "FORWARD",
         [{"z": 1}, {}]),
    Case("additional-properties-extended", obj({"a": S}, additionalProperties=False), obj({"a": S}), "additional-properties-extended", "BACKWARD",
         [{"z": 1}, {}]),
    Case("additional-properties-schema-narrowed", obj({}, additionalProperties={"type": ["string", "integer"]}), obj({}, additionalProperties=S),
         "type-narrowed", "FORWARD", [{"z": 1}, {"z": "x"}]),
    Case("property-names-added", {"type": "object"}, {"type": "object", "propertyNames": {"maxLength": 3}}, "max-length-added", "FORWARD",
         [{"abcd": 1}, {"ab": 1}]),
    Case("dependency-array-added", obj({"a": {}, "b": {}}), obj({"a": {}, "b": {}}, dependentRequired={"a": ["b"]}), "dependency-array-added",
         "FORWARD", [{"a": 1}, {"a": 1, "b": 2}]),
    Case("dependency-schema-added", obj({"a": {}}), obj({"a": {}}, dependentSchemas={"a": {"required": ["c"]}}), "dependency-schema-added",
         "FORWARD", [{"a": 1}, {"a": 1, "c": 1}]),
    # combinations
    Case("sum-type-extended", prop({"anyOf": [S]}), prop({"anyOf": [S, I]}), "sum-type-extended", "BACKWARD", wrap("a", 1)),
    Case("sum-type-narrowed", prop({"anyOf": [S, I]}), prop({"anyOf": [S]}), "sum-type-narrowed", "FORWARD", wrap("a", 1)),
    Case("one-of-member-overlapping", prop({"oneOf": [I, S]}), prop({"oneOf": [I, S, N]}), "sum-type-extended", "NONE", wrap(1, 1.5, "a")),
    Case("one-of-member-disjoint", prop({"oneOf": [I]}), prop({"oneOf": [I, S]}), "sum-type-extended", "BACKWARD", wrap(1, "a")),
    Case("product-type-extended", prop({"allOf": [S]}), prop({"allOf": [S, {"minLength": 2}]}), "product-type-extended", "FORWARD", wrap("a", "ab")),
    Case("product-type-narrowed", prop({"allOf": [S, {"minLength": 2}]}), prop({"allOf": [S]}), "product-type-narrowed", "BACKWARD", wrap("a", "ab")),
    Case("combined-type-extended", prop(S), prop({"anyOf": [S, I]}), "combined-type-extended", "BACKWARD", wrap("a", 1)),
    Case("combined-type-narrowed", prop({"anyOf": [S, I]}), prop(S), "combined-type-narrowed", "FORWARD", wrap("a", 1)),
    Case("not-type-extended", prop({"not": S}), prop({"not": {"type": ["string", "integer"]}}), "not-type-extended", "FORWARD", wrap(1, None)),
    Case("not-added", prop({}), prop({"not": S}), "not-added", "FORWARD", wrap("a", 1)),
    Case("conditional-changed", prop({"if": {"minLength": 3}, "then": {"pattern": "^a"}}), prop({"if": {"minLength": 2}, "then": {"pattern": "^a"}}),
         "conditional-changed", "NONE", wrap("bc", "abc"), witness=False),
    # $ref and nesting
    Case("ref-target-changed", {"$defs": {"T": {"type": "string", "maxLength": 5}}, **prop({"$ref": "#/$defs/T"})},
         {"$defs": {"T": {"type": "string", "maxLength": 3}}, **prop({"$ref": "#/$defs/T"})}, "max-length-decreased", "FORWARD", wrap("abcd", "ab")),
    Case("inline-to-ref", prop({"type": "string", "maxLength": 5}), {"$defs": {"T": {"type": "string", "maxLength": 5}}, **prop({"$ref": "#/$defs/T"})},
         "none", "FULL", wrap("abcd"), bump="patch"),
    Case("nested-object", prop(obj({"b": {"type": ["string", "integer"]}})), prop(obj({"b": S})), "type-narrowed", "FORWARD",
         wrap({"b": 1}, {"b": "x"})),
    # documentation and annotations
    Case("title-changed", prop({"type": "string", "title": "A"}), prop({"type": "string", "title": "B"}), "title-changed", "FULL", wrap("a"), bump="patch"),
    Case("description-changed", prop({"description": "x"}), prop({"description": "y", "x-description-th": "ย"}), "description-changed", "FULL",
         wrap("a"), bump="patch"),
    Case("examples-changed", prop({"examples": ["a"]}), prop({"examples": ["b"]}), "examples-changed", "FULL", wrap("a"), bump="patch"),
    Case("default-changed", prop({"default": "a"}), prop({"default": "b"}), "default-changed", "FULL", wrap("a"), bump="minor"),
]

POOL: list[Any] = [None, True, 0, 1, -1, 2, 2.5, 5, 6, 10, 11, 100, "", "a", "ab", "abc", "abcd", "abcdef", "123", "a@b.co",
                   "2024-01-01", [], [1], [1, 1], [1, 2], ["a"], ["a", 1], ["a", "b"], {}, {"x": 1}, {"z": 1}, {"b": 1}, {"b": "x"}]


def generated(schema: Any) -> list[Any]:
    """Documents made from a schema: the pool, its enum/const values and values at each bound, as ``a``."""
    values: list[Any] = list(POOL)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            values.extend(node.get("enum", []))
            if "const" in node:
                values.append(node["const"])
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
                if isinstance(node.get(key), (int, float)):
                    values.extend([node[key] - 1, node[key], node[key] + 1])
            for key in ("minLength", "maxLength"):
                if isinstance(node.get(key), int):
                    values.extend("a" * max(0, node[key] + d) for d in (-1, 0, 1))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return values + [{"a": v} for v in values]


def compile_(schema: Any) -> JsonSchema:
    return JsonSchema({"$schema": D, **schema} if isinstance(schema, dict) else schema)


def diff(case: Case) -> Compatibility:
    return Compatibility("old", "new", diff_json_schemas(case.old, case.new))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kind_and_level(case: Case) -> None:
    result = diff(case)
    kinds = [c.kind for c in result.changes if not c.documentation] or [c.kind for c in result.changes] or ["none"]
    assert case.kind in kinds, result.to_dict()
    assert result.level.value == case.level, result.to_dict()
    if case.bump:
        assert result.bump == case.bump


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict_never_contradicted_by_documents(case: Case) -> None:
    result = diff(case)
    old, new = compile_(case.old), compile_(case.new)
    documents = case.docs + generated(case.old) + generated(case.new)
    old_ok = [d for d in documents if old.is_valid(d)]
    new_ok = [d for d in documents if new.is_valid(d)]
    assert old_ok and new_ok, "the case needs documents each schema accepts"
    backward_broken = [d for d in old_ok if not new.is_valid(d)]
    forward_broken = [d for d in new_ok if not old.is_valid(d)]
    if result.level.value in ("BACKWARD", "FULL"):
        assert not backward_broken, f"called backward compatible, but NEW rejects {backward_broken[:3]}"
    if result.level.value in ("FORWARD", "FULL"):
        assert not forward_broken, f"called forward compatible, but OLD rejects {forward_broken[:3]}"
    if case.witness:  # and the breaking verdicts are backed by a document
        if result.level.value in ("FORWARD", "NONE"):
            assert backward_broken, "called backward-breaking, but no document shows it"
        if result.level.value in ("BACKWARD", "NONE"):
            assert forward_broken, "called forward-breaking, but no document shows it"


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.kind for c in CASES}) >= 40


def test_every_change_names_a_json_pointer_into_the_schema() -> None:
    old = {"$defs": {"T": {"type": "string", "maxLength": 5}}, **prop({"$ref": "#/$defs/T"})}
    new = {"$defs": {"T": {"type": "string", "maxLength": 3}}, **prop({"$ref": "#/$defs/T"})}
    (change,) = diff_json_schemas(old, new)
    assert change.location == "/$defs/T/maxLength"
    assert change.instance == "/a"


def test_the_version_marker_is_exempt_only_when_named() -> None:
    old = obj({"documentVersion": {"type": "string", "const": "2.0"}}, required=["documentVersion"])
    new = obj({"documentVersion": {"type": "string", "const": "2.1"}}, required=["documentVersion"])
    raw = Compatibility("a", "b", diff_json_schemas(old, new))
    assert [c.kind for c in raw.changes] == ["const-changed"] and raw.level.value == "NONE"
    marked = Compatibility("a", "b", diff_json_schemas(old, new, marker=JsonMarker("/documentVersion", "2.0", "2.1")))
    assert [c.kind for c in marked.changes] == ["version-marker"]
    assert marked.level.value == "FULL" and marked.bump == "minor"


def test_recursive_schemas_terminate() -> None:
    tree = {"$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                                                               "name": {"type": "string", "maxLength": 9}}}}, "$ref": "#/$defs/node"}
    changed = json.loads(json.dumps(tree).replace('"maxLength": 9', '"maxLength": 4'))
    kinds = [c.kind for c in diff_json_schemas(tree, changed)]
    assert kinds == ["max-length-decreased"]


def test_refs_to_sibling_files_are_followed(tmp_path) -> None:
    from dxs.validator.compat.json_schema import diff_json_schema_files

    for side, length in (("old", 9), ("new", 4)):
        folder = tmp_path / side
        folder.mkdir()
        (folder / "party.json").write_text(json.dumps({"type": "string", "maxLength": length}))
        (folder / "schema.json").write_text(json.dumps(prop({"$ref": "party.json"})))
    changes = diff_json_schema_files(tmp_path / "old" / "schema.json", tmp_path / "new" / "schema.json")
    assert [(c.kind, c.location) for c in changes] == [("max-length-decreased", "party.json#/maxLength")]
