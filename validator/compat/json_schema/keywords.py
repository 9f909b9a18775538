"""The JSON Schema keywords the rules know, and how values are compared."""

from __future__ import annotations

import json
from typing import Any

#: Keywords that only document (they never change which documents are valid).
DOCUMENTATION = {"title", "description", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
                 "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$dynamicAnchor"}
#: Keywords handled by a rule (everything else is an annotation to validators).
STRUCTURAL = {
    "$ref", "$schema", "$id", "$defs", "definitions", "$vocabulary", "$dynamicRef", "type", "enum", "const",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
    "minProperties", "maxProperties", "minContains", "maxContains", "multipleOf", "pattern", "format", "uniqueItems",
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "dependencies", "items", "prefixItems", "additionalItems", "contains", "unevaluatedItems",
    "unevaluatedProperties", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "default",
}
#: Keywords that decide validity.
VALIDATION = STRUCTURAL - {"$schema", "$id", "$defs", "definitions", "$vocabulary", "default"}
TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
BOUNDS = {  # keyword → True for a lower bound (raising it narrows), False for an upper bound
    "minimum": True, "exclusiveMinimum": True, "maximum": False, "exclusiveMaximum": False,
    "minLength": True, "maxLength": False, "minItems": True, "maxItems": False,
    "minProperties": True, "maxProperties": False, "minContains": True, "maxContains": False,
}


def canonical(value: Any) -> str:
    """One spelling per JSON value as JSON Schema compares them (1 and 1.0 are equal)."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v

    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


def validating(schema: dict) -> bool:
    """Whether ``schema`` has any keyword that decides validity."""
    return bool(set(schema) & VALIDATION)


def only(schema: dict, keyword: str) -> bool:
    """Whether ``keyword`` is the only keyword of ``schema`` that may decide validity."""
    return not (set(schema) & VALIDATION - {keyword})
