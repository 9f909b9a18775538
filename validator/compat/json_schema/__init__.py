"""Compatibility rules for JSON Schema (2020-12 and draft-07).

The rule set covers the established schema registries' JSON Schema checks (strict
mode): types, enum/const, every numeric, length, item and property-count bound,
pattern, format, multipleOf, uniqueItems, required (with or without default),
properties against open, closed and partially open content models, items /
prefixItems / additionalItems, dependencies, oneOf / anyOf / allOf / not,
if/then/else, with ``$ref`` followed (local definitions, sibling files and the
catalog's schemas by ``$id``; never the network). Titles, descriptions, examples,
comments and ``x-`` keywords are documentation only.

Each rule reports a :class:`~validator.compat.changes.Change` located by a JSON
Pointer into the schema (NEW's where the thing exists there, OLD's for what was
removed). A rule that cannot prove a change harmless calls it breaking: a verdict
of "compatible" must never be contradicted by a real document.

Modules, lowest first: :mod:`.keywords` (keyword tables, value comparison),
:mod:`.documents` (schema documents, ``$ref`` resolution), :mod:`.walk` (the walk
and documentation changes), one module per keyword family (:mod:`.values`,
:mod:`.bounds`, :mod:`.content_models`, :mod:`.objects`, :mod:`.arrays`,
:mod:`.composition`), and :mod:`.diff` (the comparison and the entry points).
"""

from .diff import diff_json_schema_files, diff_json_schemas

__all__ = ["diff_json_schema_files", "diff_json_schemas"]
