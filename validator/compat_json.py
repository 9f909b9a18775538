"""Compatibility rules for JSON Schema (2020-12 and draft-07).

The rule set covers the established schema registries' JSON Schema checks (strict
mode): types, enum/const, every numeric, length, item and property-count bound,
pattern, format, multipleOf, uniqueItems, required (with or without default),
properties against open, closed and partially open content models, items /
prefixItems / additionalItems, dependencies, oneOf / anyOf / allOf / not,
if/then/else, with ``$ref`` followed (local definitions, sibling files and the
catalog's schemas by ``$id``; never the network). Titles, descriptions, examples,
comments and ``x-`` keywords are documentation only.

Each rule reports a :class:`~validator.compat.Change` located by a JSON Pointer into
the schema (NEW's where the thing exists there, OLD's for what was removed). A
rule that cannot prove a change harmless calls it breaking: a verdict of
"compatible" must never be contradicted by a real document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from .compat import Change, JsonMarker
from .errors import SchemaLoadError

__all__ = ["diff_json_schema_files", "diff_json_schemas"]

#: Keywords that only document (they never change which documents are valid).
DOCUMENTATION = {"title", "description", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
                 "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$dynamicAnchor"}
#: Keywords handled by a rule below (everything else is an annotation to validators).
_STRUCTURAL = {
    "$ref", "$schema", "$id", "$defs", "definitions", "$vocabulary", "$dynamicRef", "type", "enum", "const",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
    "minProperties", "maxProperties", "minContains", "maxContains", "multipleOf", "pattern", "format", "uniqueItems",
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames", "dependentRequired",
    "dependentSchemas", "dependencies", "items", "prefixItems", "additionalItems", "contains", "unevaluatedItems",
    "unevaluatedProperties", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "default",
}
_VALIDATION = _STRUCTURAL - {"$schema", "$id", "$defs", "definitions", "$vocabulary", "default"}
_TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
_BOUNDS = {  # keyword → True for a lower bound (raising it narrows), False for an upper bound
    "minimum": True, "exclusiveMinimum": True, "maximum": False, "exclusiveMaximum": False,
    "minLength": True, "maxLength": False, "minItems": True, "maxItems": False,
    "minProperties": True, "maxProperties": False, "minContains": True, "maxContains": False,
}


def _kebab(keyword: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", keyword.lstrip("$")).lower()


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _canonical(value: Any) -> str:
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


# --------------------------------------------------------------------------- documents and $ref


@dataclass(eq=False)
class _Doc:
    """One schema document: its content, base URI and folder (for sibling ``$ref`` s)."""

    root: Any
    base: str
    folder: Path | None
    name: str


@dataclass(frozen=True, eq=False)
class _Node:
    """A subschema and where it sits: the document and the JSON Pointer inside it."""

    schema: Any
    doc: _Doc
    pointer: str

    def child(self, *tokens: str | int) -> _Node:
        value, pointer = self.schema, self.pointer
        for token in tokens:
            value = value[token]
            pointer += "/" + _escape(str(token))
        return _Node(value, self.doc, pointer)

    def at(self, *tokens: str | int) -> str:
        return self.pointer + "".join("/" + _escape(str(t)) for t in tokens)


class _Resolver:
    """Local-only ``$ref`` resolution: same document, sibling files, catalog ``$id`` s."""

    def __init__(self, resources: Mapping[str, Path] | None) -> None:
        self.resources = dict(resources or {})
        self.docs: dict[str, _Doc] = {}

    def load(self, path: Path, name: str | None = None) -> _Doc:
        path = Path(path).resolve()
        try:
            root = json.loads(path.read_bytes())
        except OSError as exc:
            raise SchemaLoadError(path, f"cannot be read: {exc.strerror}") from None
        except ValueError as exc:
            raise SchemaLoadError(path, f"is not valid JSON: {exc}") from None
        return self.document(root, path.parent, name or path.name, path.as_uri())

    def document(self, root: Any, folder: Path | None, name: str, uri: str = "") -> _Doc:
        base = root.get("$id", uri) if isinstance(root, dict) and isinstance(root.get("$id"), str) else uri
        doc = _Doc(root, urldefrag(base)[0], folder, name)
        if doc.base:
            self.docs.setdefault(doc.base, doc)
        return doc

    def resolve(self, node: _Node, ref: str) -> _Node:
        uri, fragment = urldefrag(urljoin(node.doc.base, ref) if node.doc.base else ref)
        doc = node.doc if (not uri or uri == node.doc.base) else self._other(node.doc, ref, uri)
        if doc is None:
            raise LookupError(ref)
        return self._fragment(doc, unquote(fragment))

    def _other(self, here: _Doc, ref: str, uri: str) -> _Doc | None:
        if uri in self.docs:
            return self.docs[uri]
        path = self.resources.get(uri)
        if path is None and here.folder is not None:
            relative = urldefrag(ref)[0]
            candidate = (here.folder / unquote(relative)).resolve() if relative and "://" not in relative and not relative.startswith("urn:") else None
            if candidate is not None and candidate.is_relative_to(here.folder) and candidate.is_file():
                path = candidate
            elif here.base and uri.startswith(urljoin(here.base, ".")):
                candidate = (here.folder / unquote(uri[len(urljoin(here.base, ".")):])).resolve()
                path = candidate if candidate.is_relative_to(here.folder) and candidate.is_file() else None
        if path is None:
            return None
        doc = self.load(path)
        self.docs[uri] = doc
        return doc

    @staticmethod
    def _fragment(doc: _Doc, fragment: str) -> _Node:
        node = _Node(doc.root, doc, "")
        if not fragment:
            return node
        if not fragment.startswith("/"):
            found = _find_anchor(doc.root, fragment, "")
            if found is None:
                raise LookupError(fragment)
            return _Node(found[0], doc, found[1])
        for token in fragment.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            schema = node.schema
            key: str | int = int(token) if isinstance(schema, list) else token
            if isinstance(schema, list) and not 0 <= int(key) < len(schema) or isinstance(schema, dict) and key not in schema:
                raise LookupError(fragment)
            node = node.child(key)
        return node


def _find_anchor(value: Any, anchor: str, pointer: str) -> tuple[Any, str] | None:
    if isinstance(value, dict):
        if value.get("$anchor") == anchor:
            return value, pointer
        items: Iterator[tuple[str, Any]] = iter(value.items())
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, child in items:
        if (found := _find_anchor(child, anchor, f"{pointer}/{_escape(key)}")) is not None:
            return found
    return None


# --------------------------------------------------------------------------- the comparison


class _Comparison:
    """Walks OLD and NEW side by side and collects :class:`Change` values."""

    def __init__(self, resolver: _Resolver, marker: JsonMarker | None, mains: tuple[_Doc, _Doc]) -> None:
        self.resolver = resolver
        self.marker = marker
        self.mains = mains
        self.changes: list[Change] = []
        self._seen: set[tuple[int, int, str]] = set()
        self._keep: list[Any] = []

    # -- reporting
    def where(self, node: _Node, *tokens: str | int) -> str:
        pointer = node.at(*tokens) or "/"
        return pointer if any(node.doc is m for m in self.mains) else f"{node.doc.name}#{pointer}"

    def add(self, kind: str, where: str, backward: bool, forward: bool, message: str, instance: str, *, documentation: bool = False) -> None:
        self.changes.append(Change(kind, where, backward, forward, message, documentation=documentation, instance=instance))

    def sub(self, old: _Node, new: _Node, path: str, role: str = "schema") -> list[Change]:
        """Compare in isolation (for rules that summarise what a subschema change does)."""
        saved, self.changes = self.changes, []
        try:
            self.compare(old, new, path, role)
            return self.changes
        finally:
            self.changes = saved

    # -- $ref
    def deref(self, node: _Node) -> _Node:
        """Follow ``$ref`` (sibling keywords merged in), cycles stop at the first repeat."""
        hops = 0
        while isinstance(node.schema, dict) and isinstance(node.schema.get("$ref"), str) and hops < 64:
            hops += 1
            try:
                target = self.resolver.resolve(node, node.schema["$ref"])
            except (LookupError, SchemaLoadError, ValueError):
                return node  # reported by compare as ref-unresolved
            siblings = {k: v for k, v in node.schema.items() if k != "$ref" and k in _VALIDATION}
            if siblings and isinstance(target.schema, dict):
                merged = dict(target.schema)
                clash = {k: v for k, v in siblings.items() if k in merged and _canonical(merged[k]) != _canonical(v)}
                merged.update({k: v for k, v in siblings.items() if k not in clash})
                if clash:
                    merged["allOf"] = [*merged.get("allOf", []), clash]
                target = _Node(merged, target.doc, target.pointer)
            elif siblings and target.schema is False:
                target = _Node(False, target.doc, target.pointer)
            node = target
        return node

    def trivial(self, node: _Node) -> bool:
        """The schema accepts everything (``true``, ``{}``, or only annotations)."""
        node = self.deref(node)
        return node.schema is True or (isinstance(node.schema, dict) and not (set(node.schema) & _VALIDATION))

    # -- the walk
    def compare(self, old: _Node, new: _Node, path: str, role: str = "schema") -> None:
        """Compare two subschemas that govern the same place ``path`` of a document."""
        if isinstance(old.schema, dict) and isinstance(new.schema, dict):
            self.annotations(old, new, path)
        o, n = self.deref(old), self.deref(new)
        if (o is not old or n is not new) and isinstance(o.schema, dict) and isinstance(n.schema, dict):
            self.annotations(o, n, path)
        key = (id(o.schema), id(n.schema), path if self.marker and path == self.marker.pointer else "")
        if key in self._seen:
            return  # a shared definition (or a recursive one) is compared once
        self._seen.add(key)
        self._keep.extend((o.schema, n.schema))  # ids stay unique while the walk lasts
        for node in (o, n):
            if isinstance(node.schema, dict) and isinstance(node.schema.get("$ref"), str):
                self.add("ref-unresolved", self.where(node, "$ref"), False, False,
                         f"$ref {node.schema['$ref']!r} cannot be resolved locally; the subschema could not be compared", path)
                return
        if self.booleans(o, n, path, role):
            return
        # `true` accepts what `{}` accepts; compare it as the empty schema
        o = _Node({}, o.doc, o.pointer) if o.schema is True else o
        n = _Node({}, n.doc, n.pointer) if n.schema is True else n
        if not isinstance(o.schema, dict) or not isinstance(n.schema, dict):
            return
        self._keep.extend((o.schema, n.schema))
        if self.combined_wrap(o, n, path):
            return
        for rule in self.rules():
            rule(o, n, path)

    def rules(self) -> list[Callable[[_Node, _Node, str], None]]:
        return [self.dialect, self.types, self.values, self.bounds, self.multiple_of, self.strings, self.unique_items,
                self.required, self.properties, self.property_names, self.dependencies, self.items, self.contains,
                self.unevaluated, self.combinators, self.negation, self.conditional, self.default]

    def booleans(self, o: _Node, n: _Node, path: str, role: str) -> bool:
        """``false`` (nothing allowed) on either side; returns True when handled."""
        if o.schema is False and n.schema is False:
            return True
        if n.schema is False:
            self.add(f"{role}-narrowed", self.where(n), False, True, f"{role} now allows nothing (false)", path)
            return True
        if o.schema is False:
            self.add(f"{role}-extended", self.where(n), True, False, f"{role} allowed nothing (false); now allows values", path)
            return True
        return False

    # -- documentation
    def annotations(self, o: _Node, n: _Node, path: str) -> None:
        for keyword in sorted(set(o.schema) | set(n.schema)):
            if keyword in _STRUCTURAL and keyword != "$id":
                continue
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if _canonical(before) == _canonical(after):
                continue
            if keyword == "$id":
                kind = "id-changed"
            elif keyword in ("title", "description", "examples"):
                kind = f"{keyword}-changed"
            else:
                kind = "annotation-changed"
            verb = "added" if before is None else "removed" if after is None else "changed"
            self.add(kind, self.where(n if after is not None else o, keyword), True, True,
                     f"{keyword} {verb} (documentation only)", path, documentation=True)

    def dialect(self, o: _Node, n: _Node, path: str) -> None:
        before, after = o.schema.get("$schema"), n.schema.get("$schema")
        if before != after and (before or after):
            self.add("dialect-changed", self.where(n, "$schema"), False, False,
                     f"$schema changed from {before!r} to {after!r}: keywords may mean different things", path)

    # -- types and values
    @staticmethod
    def _type_set(schema: dict) -> frozenset[str]:
        declared = schema.get("type")
        if declared is None:
            return _TYPES
        names = {declared} if isinstance(declared, str) else set(declared)
        if "number" in names:
            names.add("integer")
        return frozenset(names)

    def types(self, o: _Node, n: _Node, path: str) -> None:
        before, after = self._type_set(o.schema), self._type_set(n.schema)
        if before == after:
            return
        show = lambda s: "any type" if s == _TYPES else "/".join(sorted(s - {"integer"} if "number" in s else s))  # noqa: E731
        if before < after:
            kind, b, f = "type-extended", True, False
        elif after < before:
            kind, b, f = "type-narrowed", False, True
        else:
            kind, b, f = "type-changed", False, False
        self.add(kind, self.where(n, "type") if "type" in n.schema else self.where(o, "type"), b, f,
                 f"type {show(before)} → {show(after)}", path)

    @staticmethod
    def _allowed(schema: dict) -> set[str] | None:
        values: set[str] | None = None
        if "enum" in schema and isinstance(schema["enum"], list):
            values = {_canonical(v) for v in schema["enum"]}
        if "const" in schema:
            const = {_canonical(schema["const"])}
            values = const if values is None else values & const
        return values

    def _is_marker(self, path: str) -> bool:
        return self.marker is not None and path == self.marker.pointer

    def values(self, o: _Node, n: _Node, path: str) -> None:
        before, after = self._allowed(o.schema), self._allowed(n.schema)
        if before == after:
            return
        word = "const" if "const" in o.schema or "const" in n.schema else "enum"
        where = self.where(n, word) if word in n.schema else self.where(o, word)
        if self._is_marker(path):
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

    # -- bounds
    def bounds(self, o: _Node, n: _Node, path: str) -> None:
        for keyword, lower in _BOUNDS.items():
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if _canonical(before) == _canonical(after):
                continue
            name = _kebab(keyword)
            where = self.where(n, keyword) if keyword in n.schema else self.where(o, keyword)
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (before, after) if v is not None)
            if not numeric:
                self.add(f"{name}-changed", where, False, False, f"{keyword} {before!r} → {after!r}", path)
            elif before is None:
                self.add(f"{name}-added", where, False, True, f"{keyword} {after} added", path)
            elif after is None:
                self.add(f"{name}-removed", where, True, False, f"{keyword} {before} removed", path)
            else:
                narrower = after > before if lower else after < before
                verb = "increased" if after > before else "decreased"
                self.add(f"{name}-{verb}", where, not narrower, narrower, f"{keyword} {before} → {after}", path)

    def multiple_of(self, o: _Node, n: _Node, path: str) -> None:
        before, after = o.schema.get("multipleOf"), n.schema.get("multipleOf")
        if _canonical(before) == _canonical(after):
            return
        where = self.where(n, "multipleOf") if after is not None else self.where(o, "multipleOf")
        if before is None:
            self.add("multiple-of-added", where, False, True, f"multipleOf {after} added", path)
        elif after is None:
            self.add("multiple-of-removed", where, True, False, f"multipleOf {before} removed", path)
        else:
            ratio = Fraction(str(before)) / Fraction(str(after))
            if ratio.denominator == 1:  # every multiple of OLD is a multiple of NEW
                self.add("multiple-of-reduced", where, True, False, f"multipleOf {before} → {after}: a divisor of the old step", path)
            elif (1 / ratio).denominator == 1:
                self.add("multiple-of-expanded", where, False, True, f"multipleOf {before} → {after}: a multiple of the old step", path)
            else:
                self.add("multiple-of-changed", where, False, False, f"multipleOf {before} → {after}", path)

    def strings(self, o: _Node, n: _Node, path: str) -> None:
        for keyword in ("pattern", "format"):
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if before == after:
                continue
            name = _kebab(keyword)
            where = self.where(n, keyword) if after is not None else self.where(o, keyword)
            if self._is_marker(path):
                self.add("version-marker", where, True, True, f"version marker {keyword} {before!r} → {after!r}", path)
            elif before is None:
                self.add(f"{name}-added", where, False, True, f"{keyword} {after!r} added", path)
            elif after is None:
                self.add(f"{name}-removed", where, True, False, f"{keyword} {before!r} removed", path)
            else:
                self.add(f"{name}-changed", where, False, False, f"{keyword} {before!r} → {after!r}", path)

    def unique_items(self, o: _Node, n: _Node, path: str) -> None:
        before, after = bool(o.schema.get("uniqueItems", False)), bool(n.schema.get("uniqueItems", False))
        if before != after:
            where = self.where(n, "uniqueItems") if "uniqueItems" in n.schema else self.where(o, "uniqueItems")
            if after:
                self.add("unique-items-added", where, False, True, "items must now be unique", path)
            else:
                self.add("unique-items-removed", where, True, False, "items may now repeat", path)

    def default(self, o: _Node, n: _Node, path: str) -> None:
        before, after = o.schema.get("default"), n.schema.get("default")
        if _canonical(before) != _canonical(after):
            where = self.where(n, "default") if "default" in n.schema else self.where(o, "default")
            if self._is_marker(path):
                self.add("version-marker", where, True, True, f"default version marker {before!r} → {after!r}", path)
            else:
                self.add("default-changed", where, True, True,
                         f"default {before!r} → {after!r} (validity unchanged; consumers that fill defaults see another value)", path)

    # -- objects
    def required(self, o: _Node, n: _Node, path: str) -> None:
        before = set(o.schema.get("required", []) or [])
        after = set(n.schema.get("required", []) or [])
        props = n.schema.get("properties", {}) if isinstance(n.schema.get("properties"), dict) else {}
        for name in sorted(after - before):
            prop = self.deref(_Node(props[name], n.doc, n.at("properties", name))).schema if name in props else None
            if isinstance(prop, dict) and "default" in prop:
                self.add("required-property-with-default-added", self.where(n, "required"), False, True,
                         f"property {name!r} is now required (it has a default, but a document without it still fails validation)",
                         f"{path}/{_escape(name)}")
            else:
                self.add("required-property-added", self.where(n, "required"), False, True,
                         f"property {name!r} is now required", f"{path}/{_escape(name)}")
        for name in sorted(before - after):
            self.add("required-property-removed", self.where(o, "required"), True, False,
                     f"property {name!r} is no longer required", f"{path}/{_escape(name)}")

    def slot(self, node: _Node, name: str) -> tuple[str, _Node]:
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
            return "pattern", _Node({"allOf": [patterns[p] for p in matched]}, node.doc, node.at("patternProperties"))
        if "additionalProperties" in schema:
            return "additional", node.child("additionalProperties")
        return "additional", _Node(True, node.doc, node.at("additionalProperties"))

    def _openness(self, kind: str, node: _Node) -> str:
        if kind == "pattern":
            return "partial"
        schema = self.deref(node).schema
        if self.trivial(node):
            return "open"
        return "closed" if schema is False else "partial"

    def properties(self, o: _Node, n: _Node, path: str) -> None:
        old_props = o.schema.get("properties") if isinstance(o.schema.get("properties"), dict) else {}
        new_props = n.schema.get("properties") if isinstance(n.schema.get("properties"), dict) else {}
        for name in old_props:
            if name in new_props:
                self.compare(o.child("properties", name), n.child("properties", name), f"{path}/{_escape(name)}", "property")
        for name in new_props:
            if name not in old_props:
                self.property_added(o, n.child("properties", name), name, path)
        for name in old_props:
            if name not in new_props:
                self.property_removed(o.child("properties", name), n, name, path)
        self.pattern_properties(o, n, path)
        before = o.child("additionalProperties") if "additionalProperties" in o.schema else _Node(True, o.doc, o.at("additionalProperties"))
        after = n.child("additionalProperties") if "additionalProperties" in n.schema else _Node(True, n.doc, n.at("additionalProperties"))
        self.compare(before, after, f"{path}/*", "additional-properties")

    def property_added(self, o: _Node, added: _Node, name: str, path: str) -> None:
        kind, governing = self.slot(o, name)
        openness = self._openness(kind, governing)
        instance, where = f"{path}/{_escape(name)}", self.where(added)
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
            nested = self.sub(governing, added, instance, "property")
            b, f = all(c.backward for c in nested), all(c.forward for c in nested)
            covered = "is-covered" if b else "not-covered"
            self.add(f"property-added-{covered}-by-partially-open-content-model", where, b, f,
                     f"property {name!r} added where the old {kind} schema governed it" + _detail(nested), instance)

    def property_removed(self, removed: _Node, n: _Node, name: str, path: str) -> None:
        kind, governing = self.slot(n, name)
        self._slot_removed(
            "property", removed, kind, governing, f"{path}/{_escape(name)}",
            open_text=f"property {name!r} removed; the new content model accepts it with any value",
            closed_text=f"property {name!r} removed; the new content model is closed and rejects it",
            partial_text=f"property {name!r} removed; the new {kind} schema now governs it",
        )

    def _slot_removed(
        self, what: str, removed: _Node, kind: str, governing: _Node, instance: str,
        *, open_text: str, closed_text: str, partial_text: str,
    ) -> None:
        """A property or tuple item lost its own schema: what governs its place now decides."""
        openness = self._openness(kind, governing)
        where = self.where(removed)
        if openness == "open":
            self.add(f"{what}-removed-from-open-content-model", where, True, self.trivial(removed), open_text, instance)
        elif openness == "closed":
            self.add(f"{what}-removed-from-closed-content-model", where, self.deref(removed).schema is False, True,
                     closed_text, instance)
        else:
            nested = self.sub(removed, governing, instance, what)
            b, f = all(c.backward for c in nested), all(c.forward for c in nested)
            covered = "is-covered" if b else "not-covered"
            self.add(f"{what}-removed-{covered}-by-partially-open-content-model", where, b, f,
                     partial_text + _detail(nested), instance)

    def pattern_properties(self, o: _Node, n: _Node, path: str) -> None:
        before = o.schema.get("patternProperties") if isinstance(o.schema.get("patternProperties"), dict) else {}
        after = n.schema.get("patternProperties") if isinstance(n.schema.get("patternProperties"), dict) else {}
        named = set(n.schema.get("properties", {}) or {}) | set(o.schema.get("properties", {}) or {})
        for pattern in before.keys() & after.keys():
            self.compare(o.child("patternProperties", pattern), n.child("patternProperties", pattern), f"{path}/*", "pattern-property")
        for pattern in after.keys() - before.keys():
            added = n.child("patternProperties", pattern)
            old_rest = o.child("additionalProperties") if "additionalProperties" in o.schema else _Node(True, o.doc, o.at("additionalProperties"))
            nested = self.sub(old_rest, added, f"{path}/*", "pattern-property")
            # a named property matching the new pattern must now also satisfy it
            hit = [p for p in named if _search(pattern, p)]
            b = all(c.backward for c in nested) and (not hit or self.trivial(added))
            self.add("pattern-property-added", self.where(added), b, all(c.forward for c in nested),
                     f"patternProperties {pattern!r} added" + _detail(nested), f"{path}/*")
        for pattern in before.keys() - after.keys():
            removed = o.child("patternProperties", pattern)
            new_rest = n.child("additionalProperties") if "additionalProperties" in n.schema else _Node(True, n.doc, n.at("additionalProperties"))
            nested = self.sub(removed, new_rest, f"{path}/*", "pattern-property")
            hit = [p for p in named if _search(pattern, p)]
            f = all(c.forward for c in nested) and (not hit or self.trivial(removed))
            self.add("pattern-property-removed", self.where(removed), all(c.backward for c in nested), f,
                     f"patternProperties {pattern!r} removed" + _detail(nested), f"{path}/*")

    def property_names(self, o: _Node, n: _Node, path: str) -> None:
        if "propertyNames" in o.schema or "propertyNames" in n.schema:
            before = o.child("propertyNames") if "propertyNames" in o.schema else _Node(True, o.doc, o.at("propertyNames"))
            after = n.child("propertyNames") if "propertyNames" in n.schema else _Node(True, n.doc, n.at("propertyNames"))
            self.compare(before, after, f"{path}/(names)", "property-names")

    def dependencies(self, o: _Node, n: _Node, path: str) -> None:
        arrays_o, schemas_o = _dependency_tables(o.schema)
        arrays_n, schemas_n = _dependency_tables(n.schema)
        for key in sorted(arrays_o.keys() | arrays_n.keys()):
            before, after = arrays_o.get(key), arrays_n.get(key)
            where = self.where(n if after is not None else o, "dependentRequired" if "dependentRequired" in (n.schema if after is not None else o.schema) else "dependencies", key)
            instance = f"{path}/{_escape(key)}"
            if before is None:
                self.add("dependency-array-added", where, False, True, f"when {key!r} is present, {sorted(after)} are now required", instance)
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
            instance = f"{path}/{_escape(key)}"
            if before_node is None and after_node is not None:
                b = self.trivial(after_node)
                self.add("dependency-schema-added", self.where(after_node), b, True, f"a schema now applies when {key!r} is present", instance)
            elif after_node is None and before_node is not None:
                self.add("dependency-schema-removed", self.where(before_node), True, self.trivial(before_node), f"the schema applied when {key!r} is present was removed", instance)
            elif before_node is not None and after_node is not None:
                self.compare(before_node, after_node, path, "dependent-schema")

    # -- arrays
    @staticmethod
    def _tuple_model(node: _Node) -> tuple[list[_Node], _Node]:
        schema = node.schema
        if isinstance(schema.get("prefixItems"), list):
            prefix = [node.child("prefixItems", i) for i in range(len(schema["prefixItems"]))]
            rest = node.child("items") if "items" in schema else _Node(True, node.doc, node.at("items"))
        elif isinstance(schema.get("items"), list):
            prefix = [node.child("items", i) for i in range(len(schema["items"]))]
            rest = node.child("additionalItems") if "additionalItems" in schema else _Node(True, node.doc, node.at("additionalItems"))
        else:
            prefix = []
            rest = node.child("items") if "items" in schema else _Node(True, node.doc, node.at("items"))
        return prefix, rest

    def items(self, o: _Node, n: _Node, path: str) -> None:
        old_prefix, old_rest = self._tuple_model(o)
        new_prefix, new_rest = self._tuple_model(n)
        for i in range(min(len(old_prefix), len(new_prefix))):
            self.compare(old_prefix[i], new_prefix[i], f"{path}/{i}", "item")
        for i in range(len(old_prefix), len(new_prefix)):
            self.item_added(old_rest, new_prefix[i], i, path)
        for i in range(len(new_prefix), len(old_prefix)):
            self.item_removed(old_prefix[i], new_rest, i, path)
        tupled = bool(old_prefix or new_prefix)
        self.compare(old_rest, new_rest, f"{path}/*", "additional-items" if tupled else "items")

    def item_added(self, old_rest: _Node, added: _Node, index: int, path: str) -> None:
        openness = self._openness("additional", old_rest)
        instance, where = f"{path}/{index}", self.where(added)
        if openness == "open":
            b = self.trivial(added)
            self.add("item-added-to-open-content-model", where, b, True, f"item {index} now has a schema; it was free before", instance)
        elif openness == "closed":
            self.add("item-added-to-closed-content-model", where, True, self.deref(added).schema is False,
                     f"item {index} added; the old array model had no room for it", instance)
        else:
            nested = self.sub(old_rest, added, instance, "item")
            b, f = all(c.backward for c in nested), all(c.forward for c in nested)
            covered = "is-covered" if b else "not-covered"
            self.add(f"item-added-{covered}-by-partially-open-content-model", where, b, f,
                     f"item {index} added where the old items schema governed it" + _detail(nested), instance)

    def item_removed(self, removed: _Node, new_rest: _Node, index: int, path: str) -> None:
        self._slot_removed(
            "item", removed, "additional", new_rest, f"{path}/{index}",
            open_text=f"item {index} lost its schema; anything goes there now",
            closed_text=f"item {index} removed; the new array model has no room for it",
            partial_text=f"item {index} removed; the new items schema governs it",
        )

    def contains(self, o: _Node, n: _Node, path: str) -> None:
        if "contains" in o.schema and "contains" in n.schema:
            self.compare(o.child("contains"), n.child("contains"), f"{path}/*", "contains")
        elif "contains" in n.schema:
            self.add("contains-added", self.where(n, "contains"), False, True, "arrays must now contain a matching item", f"{path}/*")
        elif "contains" in o.schema:
            self.add("contains-removed", self.where(o, "contains"), True, False, "arrays no longer need a matching item", f"{path}/*")

    def unevaluated(self, o: _Node, n: _Node, path: str) -> None:
        for keyword in ("unevaluatedProperties", "unevaluatedItems"):
            if keyword in o.schema or keyword in n.schema:
                before = o.child(keyword) if keyword in o.schema else _Node(True, o.doc, o.at(keyword))
                after = n.child(keyword) if keyword in n.schema else _Node(True, n.doc, n.at(keyword))
                self.compare(before, after, f"{path}/*", _kebab(keyword))

    # -- combinations
    def combined_wrap(self, o: _Node, n: _Node, path: str) -> bool:
        """A plain schema became one member of an anyOf/oneOf (or the reverse)."""
        for keyword in ("anyOf", "oneOf"):
            old_list, new_list = o.schema.get(keyword), n.schema.get(keyword)
            if old_list is None and isinstance(new_list, list) and _only(n.schema, keyword) and _validating(o.schema):
                match = self._closest(o, [n.child(keyword, i) for i in range(len(new_list))])
                if match is None:
                    return False
                nested = self.sub(o, match, path)
                others = [n.child(keyword, i) for i in range(len(new_list)) if n.child(keyword, i).pointer != match.pointer]
                b = all(c.backward for c in nested) and (keyword == "anyOf" or all(self.disjoint(match, x) for x in others))
                self.add("combined-type-extended", self.where(n, keyword), b, False,
                         f"the schema became one member of {keyword}, beside {len(others)} other(s)" + _detail(nested), path)
                return True
            if new_list is None and isinstance(old_list, list) and _only(o.schema, keyword) and _validating(n.schema):
                match = self._closest(n, [o.child(keyword, i) for i in range(len(old_list))])
                if match is None:
                    return False
                nested = self.sub(match, n, path)
                others = [o.child(keyword, i) for i in range(len(old_list)) if o.child(keyword, i).pointer != match.pointer]
                f = all(c.forward for c in nested) and (keyword == "anyOf" or all(self.disjoint(match, x) for x in others))
                self.add("combined-type-narrowed", self.where(o, keyword), False, f,
                         f"{keyword} reduced to one of its members; the {len(others)} other(s) are gone" + _detail(nested), path)
                return True
        return False

    def _closest(self, plain: _Node, members: list[_Node]) -> _Node | None:
        target = self._type_set(self.deref(plain).schema) if isinstance(self.deref(plain).schema, dict) else None
        for member in members:
            if _canonical(self.deref(member).schema) == _canonical(self.deref(plain).schema):
                return member
        for member in members:
            schema = self.deref(member).schema
            if isinstance(schema, dict) and target is not None and self._type_set(schema) == target:
                return member
        return None

    def combinators(self, o: _Node, n: _Node, path: str) -> None:
        for keyword in ("allOf", "anyOf", "oneOf"):
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if before is None and after is None:
                continue
            if before is None:
                self.add(f"{_kebab(keyword)}-added", self.where(n, keyword), False, True, f"{keyword} added: documents must now match it", path)
                continue
            if after is None:
                self.add(f"{_kebab(keyword)}-removed", self.where(o, keyword), True, False, f"{keyword} removed", path)
                continue
            self.members(keyword, [o.child(keyword, i) for i in range(len(before))], [n.child(keyword, i) for i in range(len(after))], path)

    def members(self, keyword: str, old: list[_Node], new: list[_Node], path: str) -> None:
        pairs, added, removed = self._pair(old, new)
        old_disjoint = keyword != "oneOf" or _pairwise(old, self.disjoint)
        new_disjoint = keyword != "oneOf" or _pairwise(new, self.disjoint)
        for before, after in pairs:
            for change in self.sub(before, after, path):
                if keyword == "oneOf" and change.backward and not change.forward and not new_disjoint:
                    change.backward = False
                    change.message += " (oneOf: a document may now match two members)"
                if keyword == "oneOf" and change.forward and not change.backward and not old_disjoint:
                    change.forward = False
                    change.message += " (oneOf: a document may match two old members)"
                self.changes.append(change)
        product = keyword == "allOf"
        for member in added:
            if product:
                self.add("product-type-extended", self.where(member), self.trivial(member), True, "allOf member added: documents must also match it", path)
            else:
                self.add("sum-type-extended", self.where(member), new_disjoint, False, f"{keyword} member added: documents may also match it", path)
        for member in removed:
            if product:
                self.add("product-type-narrowed", self.where(member), True, self.trivial(member), "allOf member removed", path)
            else:
                self.add("sum-type-narrowed", self.where(member), False, old_disjoint, f"{keyword} member removed: documents that matched only it now fail", path)

    def _pair(self, old: list[_Node], new: list[_Node]) -> tuple[list[tuple[_Node, _Node]], list[_Node], list[_Node]]:
        """Pair members: identical first, then by $ref / title / types, then by position."""
        left, right = list(old), list(new)
        pairs: list[tuple[_Node, _Node]] = []
        signatures: list[Callable[[_Node], str | None]] = [
            lambda x: _canonical(x.schema),
            lambda x: x.schema.get("$ref") if isinstance(x.schema, dict) else None,
            lambda x: self.deref(x).schema.get("title") if isinstance(self.deref(x).schema, dict) else None,
            lambda x: _discriminator(self.deref(x).schema),
            lambda x: ",".join(sorted(self._type_set(self.deref(x).schema))) if isinstance(self.deref(x).schema, dict) and "type" in self.deref(x).schema else None,
        ]
        for signature in signatures:
            for a in list(left):
                key = signature(a)
                if key is None:
                    continue
                match = next((b for b in right if signature(b) == key), None)
                if match is not None:
                    pairs.append((a, match))
                    left.remove(a)
                    right.remove(match)
        return pairs, right, left

    def disjoint(self, a: _Node, b: _Node) -> bool:
        """Whether no document can match both schemas (by type, by value, or by a discriminating property)."""
        x, y = self.deref(a).schema, self.deref(b).schema
        if x is False or y is False:
            return True
        if not isinstance(x, dict) or not isinstance(y, dict):
            return False
        if not (self._type_set(x) & self._type_set(y)):
            return True
        vx, vy = self._allowed(x), self._allowed(y)
        if vx is not None and vy is not None and not (vx & vy):
            return True
        shared = set(x.get("required", []) or []) & set(y.get("required", []) or [])
        px, py = x.get("properties") or {}, y.get("properties") or {}
        for name in shared:
            if name in px and name in py:
                sx, sy = self.deref(_Node(px[name], a.doc, "")).schema, self.deref(_Node(py[name], b.doc, "")).schema
                if isinstance(sx, dict) and isinstance(sy, dict):
                    ax, ay = self._allowed(sx), self._allowed(sy)
                    if ax is not None and ay is not None and not (ax & ay):
                        return True
        return False

    def negation(self, o: _Node, n: _Node, path: str) -> None:
        before, after = o.schema.get("not"), n.schema.get("not")
        if before is None and after is None:
            return
        if before is None:
            self.add("not-added", self.where(n, "not"), False, True, "not added: documents matching it are now rejected", path)
        elif after is None:
            self.add("not-removed", self.where(o, "not"), True, False, "not removed", path)
        else:
            # NEW accepts more exactly when its `not` schema accepts less
            nested = self.sub(n.child("not"), o.child("not"), path)
            nested = [c for c in nested if not c.documentation]
            if not nested:
                return
            b, f = all(c.backward for c in nested), all(c.forward for c in nested)
            kind = "not-type-narrowed" if b and not f else "not-type-extended" if f and not b else "not-type-changed"
            self.add(kind, self.where(n, "not"), b, f, "the schema under not changed" + _detail(nested), path)

    def conditional(self, o: _Node, n: _Node, path: str) -> None:
        before_if, after_if = o.schema.get("if"), n.schema.get("if")
        if before_if is None and after_if is None:
            return
        if _canonical(before_if) != _canonical(after_if):
            self.add("conditional-changed", self.where(n if after_if is not None else o, "if"), False, False,
                     "the if condition of if/then/else changed", path)
            return
        for keyword in ("then", "else"):
            before = o.child(keyword) if keyword in o.schema else _Node(True, o.doc, o.at(keyword))
            after = n.child(keyword) if keyword in n.schema else _Node(True, n.doc, n.at(keyword))
            self.compare(before, after, path, keyword)


# --------------------------------------------------------------------------- helpers


def _search(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # cannot tell: assume it matches (the conservative answer)


def _detail(nested: list[Change]) -> str:
    shown = [c.kind for c in nested if not c.documentation]
    return f" ({', '.join(shown[:4])}{', …' if len(shown) > 4 else ''})" if shown else ""


def _only(schema: dict, keyword: str) -> bool:
    return not (set(schema) & _VALIDATION - {keyword})


def _validating(schema: dict) -> bool:
    return bool(set(schema) & _VALIDATION)


def _pairwise(nodes: list[_Node], disjoint: Callable[[_Node, _Node], bool]) -> bool:
    return all(disjoint(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :])


def _discriminator(schema: Any) -> str | None:
    """A member's constant discriminating property, e.g. ``kind=="card"``."""
    if not isinstance(schema, dict):
        return None
    for name in sorted(schema.get("required", []) or []):
        prop = (schema.get("properties") or {}).get(name)
        if isinstance(prop, dict) and ("const" in prop or isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1):
            return f"{name}={_canonical(prop.get('const', (prop.get('enum') or [None])[0]))}"
    return None


def _dependency_tables(schema: dict) -> tuple[dict[str, list[str]], dict[str, Any]]:
    arrays: dict[str, list[str]] = {}
    schemas: dict[str, Any] = {}
    for key, value in (schema.get("dependencies") or {}).items():
        (arrays if isinstance(value, list) else schemas)[key] = value
    arrays.update(schema.get("dependentRequired") or {})
    schemas.update(schema.get("dependentSchemas") or {})
    return arrays, schemas


def _dependent_node(node: _Node, key: str) -> _Node:
    if key in (node.schema.get("dependentSchemas") or {}):
        return node.child("dependentSchemas", key)
    return node.child("dependencies", key)


# --------------------------------------------------------------------------- entry points


def diff_json_schemas(
    old: Any,
    new: Any,
    *,
    old_folder: Path | None = None,
    new_folder: Path | None = None,
    resources: Mapping[str, Path] | None = None,
    marker: JsonMarker | None = None,
) -> list[Change]:
    """Every change from the JSON Schema ``old`` to ``new`` (parsed values).

    :param old_folder: / :param new_folder: where each schema's relative ``$ref`` s are found.
    :param resources: known schemas by ``$id`` (the catalog's), resolved without I/O beyond them.
    :param marker: the catalog version marker; its value change is reported as ``version-marker``.
    """
    resolver = _Resolver(resources)
    old_doc = resolver.document(old, old_folder, "old", (old_folder / "old.json").as_uri() if old_folder else "")
    new_doc = resolver.document(new, new_folder, "new", (new_folder / "new.json").as_uri() if new_folder else "")
    return _run(resolver, old_doc, new_doc, marker)


def diff_json_schema_files(
    old: Path, new: Path, *, resources: Mapping[str, Path] | None = None, marker: JsonMarker | None = None
) -> list[Change]:
    """Every change from the JSON Schema file ``old`` to ``new``.

    :raises SchemaLoadError: a file cannot be read or is not JSON.
    """
    resolver = _Resolver(resources)
    old_doc = resolver.load(Path(old), "old")
    new_doc = _Resolver(resources).load(Path(new), "new")
    # each side resolves its own $refs: OLD's siblings must not be found through NEW
    return _run(resolver, old_doc, new_doc, marker, new_resolver=_Resolver(resources))


def _run(resolver: _Resolver, old_doc: _Doc, new_doc: _Doc, marker: JsonMarker | None, new_resolver: _Resolver | None = None) -> list[Change]:
    comparison = _SideAwareComparison(resolver, new_resolver or resolver, marker, (old_doc, new_doc))
    comparison.compare(_Node(old_doc.root, old_doc, ""), _Node(new_doc.root, new_doc, ""), "")
    return comparison.changes


class _SideAwareComparison(_Comparison):
    """Resolves each node's ``$ref`` through the resolver of the side it belongs to."""

    def __init__(self, old: _Resolver, new: _Resolver, marker: JsonMarker | None, mains: tuple[_Doc, _Doc]) -> None:
        super().__init__(old, marker, mains)
        self._new_resolver = new
        if mains[1].base:
            new.docs.setdefault(mains[1].base, mains[1])
        self._new_docs: set[int] = {id(mains[1])}

    def deref(self, node: _Node) -> _Node:
        if id(node.doc) in self._new_docs or node.doc in self._new_resolver.docs.values():
            saved, self.resolver = self.resolver, self._new_resolver
            try:
                result = super().deref(node)
            finally:
                self.resolver = saved
            self._new_docs.add(id(result.doc))
            return result
        return super().deref(node)
