"""Field tables of a standard version, for human documentation.

``json_fields`` walks the version's JSON Schema, ``xml_fields`` its XSD; both
return one :class:`Field` per property, element or attribute, in document
order, parents before children (``depth`` says how deep). Everything resolves
from the version folder: a ``$ref`` or ``xs:import`` never reaches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from .catalog import StandardVersion
from .errors import SchemaLoadError
from .json_engine import json_type_of
from .json_positions import unescape_pointer

__all__ = ["Field", "json_fields", "xml_fields"]

#: Deeper than this the walk stops (real standards stay well under it).
MAX_DEPTH = 16
#: Enumerations longer than this are cut, saying how many values were left out.
MAX_ENUM = 100


@dataclass(frozen=True, slots=True)
class Field:
    """One row of a fields table.

    ``path`` is ``/seller/taxId`` for JSON (``[]`` marks array items) and
    ``rsm:Root/ram:Child/@attr`` for XML; ``cardinality`` is ``min..max``
    (``1..1``, ``0..1``, ``0..n``, ``1..n``) and ``constraints`` one readable line.
    """

    path: str
    type: str
    cardinality: str
    constraints: str = ""
    title_en: str = ""
    title_th: str = ""
    description_en: str = ""
    description_th: str = ""
    depth: int = 0

    @property
    def name(self) -> str:
        """The last step of the path (``taxId``, ``ram:ID``, ``@schemeID``)."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def required(self) -> bool:
        return not self.cardinality.startswith("0")


def _cardinality(low: int, high: int | None) -> str:
    return f"{low}..{'n' if high is None else high}"


def _show(value: Any) -> str:
    """A JSON value the way a reader expects to see it (strings unquoted)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _one_of(values: Iterable[Any]) -> str:
    values = [_show(v) for v in values]
    cut = f" … (+{len(values) - MAX_ENUM} more)" if len(values) > MAX_ENUM else ""
    return "one of: " + ", ".join(values[:MAX_ENUM]) + cut


# =========================================================================== JSON Schema


_ANNOTATIONS = ("title", "description", "x-title-th", "x-description-th")


@dataclass
class _Node:
    """A schema with its ``$ref`` s and ``allOf`` s merged in: what a reader sees of it."""

    keywords: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name → (subschema, base URI)
    required: set[str] = field(default_factory=set)
    conditionals: list[tuple[Any, Any, Any, str]] = field(default_factory=list)  # (if, then, else, base)
    alternatives: list[tuple[str, list[tuple[Any, str]]]] = field(default_factory=list)  # ("oneOf", [(s, base)])
    items: tuple[Any, str] | None = None
    ref_name: str = ""
    refs: tuple[str, ...] = ()  # absolute URIs of the $refs followed, for the recursion guard

    def absorb(self, other: _Node) -> None:
        """Take what ``other`` says and ``self`` does not (``self`` wins on conflicts)."""
        for key, value in other.keywords.items():
            self.keywords.setdefault(key, value)
        for name, sub in other.properties.items():
            self.properties.setdefault(name, sub)
        self.required |= other.required
        self.conditionals += other.conditionals
        self.alternatives += other.alternatives
        self.items = self.items or other.items
        self.ref_name = self.ref_name or other.ref_name
        self.refs += other.refs


class _Schemas:
    """The JSON documents of one version folder, addressed by ``$id`` or file URI."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.docs: dict[str, Any] = {}
        for path in sorted(self.folder.glob("*.json")):
            doc = self._load(path)
            self.docs[path.as_uri()] = doc
            if isinstance(doc, dict) and isinstance(doc.get("$id"), str):
                self.docs.setdefault(urldefrag(doc["$id"])[0], doc)

    @staticmethod
    def _load(path: Path) -> Any:
        try:
            return json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise SchemaLoadError(path, f"not readable JSON: {exc}") from None

    def root(self, path: Path) -> tuple[Any, str]:
        doc = self.docs[path.resolve().as_uri()]
        base = doc.get("$id") if isinstance(doc, dict) and isinstance(doc.get("$id"), str) else path.resolve().as_uri()
        return doc, urldefrag(base)[0]

    def resolve(self, ref: str, base: str) -> tuple[Any, str, str]:
        """``$ref`` against ``base`` → (target schema, its base URI, absolute URI)."""
        uri = urljoin(base, ref)
        doc_uri, fragment = urldefrag(uri)
        doc = self.docs.get(doc_uri)
        if doc is None:
            # a sibling file named by its last path segment, never outside the folder
            name = unquote(doc_uri.rsplit("/", 1)[-1])
            candidate = (self.folder / name).resolve()
            if candidate.parent == self.folder and candidate.is_file():
                doc = self.docs.get(candidate.as_uri())
        if doc is None:
            raise SchemaLoadError(self.folder, f"cannot resolve $ref {ref!r} locally")
        target = doc
        if fragment.startswith("/"):
            for token in fragment[1:].split("/"):
                token = unescape_pointer(unquote(token))
                try:
                    target = target[int(token)] if isinstance(target, list) else target[token]
                except (KeyError, IndexError, ValueError, TypeError):
                    raise SchemaLoadError(self.folder, f"$ref {ref!r}: nothing at #{fragment}") from None
        elif fragment:
            target = self._anchor(doc, fragment)
            if target is None:
                raise SchemaLoadError(self.folder, f"$ref {ref!r}: no $anchor {fragment!r}")
        return target, doc_uri, uri

    def _anchor(self, node: Any, name: str) -> Any:
        if isinstance(node, dict):
            if node.get("$anchor") == name:
                return node
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return None
        for child in children:
            if (found := self._anchor(child, name)) is not None:
                return found
        return None

    def node(self, schema: Any, base: str, hops: int = 0) -> _Node:
        """Merge ``schema`` with what its ``$ref`` and ``allOf`` members say."""
        node = _Node()
        if not isinstance(schema, dict):
            return node  # `true` / `false` schemas say nothing a table can show
        if isinstance(schema.get("$id"), str):
            base = urldefrag(urljoin(base, schema["$id"]))[0]
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                node.properties = {name: (sub, base) for name, sub in value.items()}
            elif key == "required" and isinstance(value, list):
                node.required = set(value)
            elif key in ("oneOf", "anyOf") and isinstance(value, list):
                node.alternatives.append((key, [(s, base) for s in value]))
            elif key == "items" and not isinstance(value, list):
                node.items = (value, base)
            elif key == "if":
                node.conditionals.append((value, schema.get("then"), schema.get("else"), base))
            elif key not in ("$ref", "allOf", "then", "else", "$defs", "definitions", "$id", "$schema"):
                node.keywords[key] = value
        if isinstance(ref := schema.get("$ref"), str):
            if hops > 32:
                raise SchemaLoadError(self.folder, f"$ref {ref!r} goes round in circles")
            target, target_base, uri = self.resolve(ref, base)
            inner = self.node(target, target_base, hops + 1)
            inner.ref_name = inner.ref_name or _ref_name(uri)
            node.refs += (uri,)
            node.absorb(inner)
        for member in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
            inner = self.node(member, base, hops + 1)
            annotations = {k: inner.keywords.pop(k) for k in _ANNOTATIONS if k in inner.keywords}
            node.absorb(inner)
            for key, value in annotations.items():
                node.keywords.setdefault(key, value)
        return node


def _ref_name(uri: str) -> str:
    doc, fragment = urldefrag(uri)
    if fragment:
        return unquote(fragment.rstrip("/").rsplit("/", 1)[-1])
    return unquote(doc.rsplit("/", 1)[-1]).removesuffix(".json")


def _json_type(node: _Node, schemas: _Schemas) -> str:
    kw = node.keywords
    kind = kw.get("type")
    if isinstance(kind, list):
        text = " | ".join(map(str, kind))
    elif isinstance(kind, str):
        text = kind
    elif "const" in kw:
        text = json_type_of(kw["const"])
    elif isinstance(kw.get("enum"), list) and kw["enum"]:
        text = " | ".join(dict.fromkeys(json_type_of(v) for v in kw["enum"]))
    elif node.properties:
        text = "object"
    elif node.items is not None:
        text = "array"
    elif node.alternatives:
        kinds = []
        for _, options in node.alternatives:
            for sub, base in options:
                kinds.append(_json_type(schemas.node(sub, base), schemas))
        text = " | ".join(dict.fromkeys(k for k in kinds if k)) or "any"
    else:
        text = "any"
    if text == "array" and node.items is not None:
        item = schemas.node(*node.items)
        return f"array of {_json_type(item, schemas)}"
    if text == "object" and node.ref_name:
        return f"object ({node.ref_name})"
    return text


def _json_constraints(kw: Mapping[str, Any]) -> list[str]:
    """The validation keywords of one schema as short phrases."""
    out: list[str] = []
    if "const" in kw:
        out.append(f"= {_show(kw['const'])}")
    if isinstance(kw.get("enum"), list):
        out.append(_one_of(kw["enum"]))
    if "format" in kw:
        out.append(f"format: {kw['format']}")
    if "pattern" in kw:
        out.append(f"pattern: {kw['pattern']}")
    low, high = kw.get("minLength"), kw.get("maxLength")
    if low is not None and high is not None:
        out.append(f"length: {low}" if low == high else f"length: {low}..{high}")
    elif low is not None:
        out.append(f"length ≥ {low}")
    elif high is not None:
        out.append(f"length ≤ {high}")
    for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in kw and not isinstance(kw[key], bool):
            out.append(f"{sign} {_show(kw[key])}")
    if "multipleOf" in kw:
        out.append(f"multiple of {_show(kw['multipleOf'])}")
    if kw.get("minItems", 0) > 1:
        out.append(f"at least {kw['minItems']} items")
    if kw.get("uniqueItems") is True:
        out.append("unique items")
    if "minProperties" in kw:
        out.append(f"at least {kw['minProperties']} properties")
    if "contentMediaType" in kw:
        out.append(f"media type: {kw['contentMediaType']}")
    if "contentEncoding" in kw:
        out.append(f"encoding: {kw['contentEncoding']}")
    if "default" in kw:
        out.append(f"default: {_show(kw['default'])}")
    return out


def _condition(schema: Any) -> str:
    """``if`` schema → ``proxyType = NATID`` (what a reader needs to know)."""
    if not isinstance(schema, dict):
        return "condition"
    parts = []
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, sub in props.items():
        if isinstance(sub, dict) and "const" in sub:
            parts.append(f"{name} = {_show(sub['const'])}")
        elif isinstance(sub, dict) and isinstance(sub.get("enum"), list):
            parts.append(f"{name} in ({', '.join(map(_show, sub['enum']))})")
        elif isinstance(sub, dict):
            detail = "; ".join(_json_constraints(sub))
            parts.append(f"{name} {detail}" if detail else name)
    for name in schema.get("required", []) if isinstance(schema.get("required"), list) else []:
        if name not in props:
            parts.append(f"{name} present")
    return " and ".join(parts) or "condition"


class _JsonWalk:
    def __init__(self, schemas: _Schemas) -> None:
        self.schemas = schemas
        self.out: list[Field] = []

    def object(self, node: _Node, path: str, depth: int, stack: tuple[str, ...], skip: Iterable[str] = ()) -> None:
        """Rows for ``node`` 's properties, then for its alternatives."""
        extra = self._conditional_notes(node)
        for name, (sub, base) in node.properties.items():
            if name in skip:
                continue
            self.property(name, sub, base, name in node.required, path, depth, stack, extra.get(name, []))
        for kind, options in node.alternatives:
            self.alternatives(kind, options, node, path, depth, stack)

    def _conditional_notes(self, node: _Node) -> dict[str, list[str]]:
        """``if``/``then``/``else`` turned into notes on the properties they touch."""
        notes: dict[str, list[str]] = {}
        for if_, then, else_, base in node.conditionals:
            cond = _condition(if_)
            for schema, prefix in ((then, f"if {cond}"), (else_, f"unless {cond}")):
                if not isinstance(schema, dict):
                    continue
                for name in schema.get("required", []) if isinstance(schema.get("required"), list) else []:
                    notes.setdefault(name, []).append(f"required {prefix}")
                props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
                for name, sub in props.items():
                    said = _json_constraints(self.schemas.node(sub, base).keywords)
                    if said:
                        notes.setdefault(name, []).append(f"{prefix}: {', '.join(said)}")
        return notes

    def property(
        self,
        name: str,
        schema: Any,
        base: str,
        required: bool,
        parent: str,
        depth: int,
        stack: tuple[str, ...],
        notes: Iterable[str] = (),
    ) -> None:
        node = self.schemas.node(schema, base)
        path = f"{parent}/{name}"
        kw = node.keywords
        constraints = _json_constraints(kw)
        item: _Node | None = None
        if node.items is not None and (kw.get("type") == "array" or "type" not in kw):
            item = self.schemas.node(*node.items)
            low = 1 if required and kw.get("minItems", 0) >= 1 else 0
            high = kw.get("maxItems")
            cardinality = _cardinality(low, high)
            constraints += [f"each: {c}" for c in _json_constraints(item.keywords) + self._alternative_summary(item)]
        else:
            cardinality = "1..1" if required else "0..1"
        constraints += self._alternative_summary(node)
        constraints += list(notes)
        refs = node.refs + (item.refs if item is not None else ())
        recursive = any(ref in stack for ref in refs)
        if recursive:
            constraints.append("recursive: same structure as an enclosing field")
        annotated = item if item is not None else node

        def text(key: str) -> str:
            value = kw.get(key) or annotated.keywords.get(key) or ""
            return value if isinstance(value, str) else ""

        self.out.append(
            Field(
                path=path,
                type=_json_type(node, self.schemas),
                cardinality=cardinality,
                constraints="; ".join(constraints),
                title_en=text("title"),
                title_th=text("x-title-th"),
                description_en=text("description"),
                description_th=text("x-description-th"),
                depth=depth,
            )
        )
        if recursive or depth >= MAX_DEPTH:
            return
        if item is not None:
            if item.properties or item.alternatives:
                self.object(item, f"{path}[]", depth + 1, stack + refs)
        elif node.properties or any(self._has_properties(opts) for _, opts in node.alternatives):
            self.object(node, path, depth + 1, stack + node.refs)

    def _has_properties(self, options: list[tuple[Any, str]]) -> bool:
        return any(self.schemas.node(s, b).properties for s, b in options)

    def _alternative_summary(self, node: _Node) -> list[str]:
        """``oneOf``/``anyOf`` as one phrase on the field that has them."""
        out = []
        for kind, options in node.alternatives:
            labels = [self._label(self.schemas.node(s, b)) for s, b in options]
            word = "exactly one of" if kind == "oneOf" else "at least one of"
            out.append(f"{word}: " + " | ".join(labels))
        return out

    def _label(self, node: _Node) -> str:
        kw = node.keywords
        if kw.get("title"):
            return str(kw["title"])
        if node.ref_name:
            return node.ref_name
        bits = _json_constraints(kw)
        if node.required:
            bits.insert(0, "requires " + ", ".join(sorted(node.required)))
        kind = kw.get("type")
        if kind and not bits:
            return " | ".join(kind) if isinstance(kind, list) else str(kind)
        return (f"{kind}: " if isinstance(kind, str) else "") + ", ".join(bits) if bits else "any"

    def alternatives(
        self, kind: str, options: list[tuple[Any, str]], parent: _Node, path: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        """One row per option that has properties of its own, then those properties."""
        if not self._has_properties(options):
            return  # already summed up on the parent row
        for n, (sub, base) in enumerate(options, 1):
            option = self.schemas.node(sub, base)
            bits = []
            if option.required - parent.required:
                bits.append("requires " + ", ".join(sorted(option.required - parent.required)))
            for name, (psub, pbase) in option.properties.items():
                if name in parent.properties:
                    said = _json_constraints(self.schemas.node(psub, pbase).keywords)
                    if said:
                        bits.append(f"{name} {', '.join(said)}")
            self.out.append(
                Field(
                    path=f"{path} ({kind} #{n})".lstrip(),
                    type=f"{kind} option",
                    cardinality="",
                    constraints="; ".join(bits + _json_constraints(option.keywords)),
                    title_en=str(option.keywords.get("title", "")),
                    title_th=str(option.keywords.get("x-title-th", "")),
                    description_en=str(option.keywords.get("description", "")),
                    description_th=str(option.keywords.get("x-description-th", "")),
                    depth=depth,
                )
            )
            if option.properties.keys() - parent.properties.keys():
                self.object(option, path, depth + 1, stack + option.refs, skip=parent.properties.keys())


def json_fields(version: StandardVersion) -> list[Field]:
    """The fields of ``version`` 's JSON form, parents first; ``[]`` if it has none.

    :raises SchemaLoadError: a schema file is unreadable or a ``$ref`` does not resolve locally.
    """
    path = version.json_schema
    if path is None:
        return []
    schemas = _Schemas(version.folder)
    doc, base = schemas.root(path)
    root = schemas.node(doc, base)
    walk = _JsonWalk(schemas)
    walk.object(root, "", 0, root.refs)
    return walk.out


# =========================================================================== XML Schema

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"


def _load_xsd(path: Path) -> Any:
    import xmlschema

    try:
        # local files only (a publisher's package imports from sibling folders); defuse: no entity tricks
        schema = xmlschema.XMLSchema10(str(path.resolve()), allow="local", defuse="always")
        if not schema.elements and _asks_for_xsd_11(path):
            # vc:minVersion="1.1" hides the whole schema from an XSD 1.0 reader (NIETS's Score Report
            # says so while using nothing of 1.1): its fields are read as XSD 1.1 reads them
            schema = xmlschema.XMLSchema11(str(path.resolve()), allow="local", defuse="always")
        return schema
    except (xmlschema.XMLSchemaException, OSError, SyntaxError) as exc:
        raise SchemaLoadError(path, f"cannot be compiled: {exc}".splitlines()[0]) from None


def _asks_for_xsd_11(path: Path) -> bool:
    from lxml import etree

    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot()
    return root.get("{http://www.w3.org/2007/XMLSchema-versioning}minVersion") == "1.1"


class _XmlWalk:
    def __init__(self, schema: Any, prefixes: Mapping[str, str]) -> None:
        self.schema = schema
        self.out: list[Field] = []
        self.prefix: dict[str, str] = {}
        # the detection rule's prefixes first (they are the ones error locations use)
        for prefix, uri in prefixes.items():
            self.prefix.setdefault(uri, prefix)
        for source in [schema, *schema.maps.iter_schemas()]:
            for prefix, uri in source.namespaces.items():
                if prefix and uri not in (_XSD_NS,):
                    self.prefix.setdefault(uri, prefix)

    def qname(self, name: str | None) -> str:
        if not name:
            return ""
        if name.startswith("{"):
            uri, local = name[1:].split("}", 1)
            if uri == _XSD_NS:
                return f"xs:{local}"
            if uri == "http://www.w3.org/XML/1998/namespace":
                return f"xml:{local}"
            if uri == self.schema.target_namespace and self.schema.namespaces.get("") == uri and uri not in self.prefix:
                return local
            prefix = self.prefix.get(uri)
            return f"{prefix}:{local}" if prefix else local
        return name

    @staticmethod
    def docs(*components: Any) -> tuple[str, str]:
        """``xs:documentation`` in English and Thai, from the first component that has any."""
        for component in components:
            annotation = getattr(component, "annotation", None)
            if annotation is None:
                continue
            found: dict[str, list[str]] = {}
            for doc in annotation.documentation:
                lang = (doc.get(_XML_LANG) or "en").split("-")[0].lower()
                text = " ".join("".join(doc.itertext()).split())
                if text:
                    found.setdefault(lang, []).append(text)
            if found:
                return " ".join(found.get("en", [])), " ".join(found.get("th", []))
        return "", ""

    def type_name(self, xsd_type: Any) -> str:
        """``cp:NationalIdType (xs:string)``, ``xs:date``, ``list of xs:token``."""
        if xsd_type is None:
            return ""
        if xsd_type.is_complex():
            if xsd_type.has_simple_content():
                return self.type_name(xsd_type.content) if xsd_type.name is None else self._named(xsd_type, xsd_type.content)
            return self.qname(xsd_type.name) or "complex"
        return self._named(xsd_type, xsd_type)

    def _named(self, xsd_type: Any, simple: Any) -> str:
        name = self.qname(xsd_type.name)
        base = self._builtin(simple)
        if name and base and base != name:
            return f"{name} ({base})"
        return name or base or "simple"

    def _builtin(self, simple: Any) -> str:
        if simple is None:
            return ""
        if getattr(simple, "is_list", lambda: False)():
            return f"list of {self._builtin(simple.item_type)}"
        if getattr(simple, "is_union", lambda: False)():
            return "union of " + " | ".join(self._builtin(m) for m in simple.member_types)
        seen = 0
        while simple is not None and seen < 64:
            if simple.name and simple.name.startswith("{" + _XSD_NS + "}"):
                return self.qname(simple.name)
            simple = getattr(simple, "base_type", None)
            seen += 1
        return ""

    def facets(self, xsd_type: Any) -> list[str]:
        """Facets of a simple type, its own overriding those inherited from its bases."""
        simple = xsd_type.content if xsd_type.is_complex() else xsd_type
        found: dict[str, Any] = {}
        hops = 0
        while simple is not None and hops < 64 and not (simple.name or "").startswith("{" + _XSD_NS + "}"):
            for key, facet in (getattr(simple, "facets", None) or {}).items():
                found.setdefault((key or "").rsplit("}", 1)[-1], facet)
            if getattr(simple, "is_list", lambda: False)() or getattr(simple, "is_union", lambda: False)():
                break
            simple = getattr(simple, "base_type", None)
            hops += 1
        return _facet_phrases(found)

    def element(self, el: Any, parent: str, low: int, high: int | None, depth: int, stack: tuple[int, ...], notes: list[str]) -> None:
        target = getattr(el, "ref", None) or el
        xsd_type = el.type
        path = f"{parent}/{self.qname(el.name)}" if parent else self.qname(el.name)
        constraints = list(notes)
        if xsd_type is not None and (xsd_type.is_simple() or xsd_type.has_simple_content()):
            constraints += self.facets(xsd_type)
        if getattr(el, "fixed", None) is not None:
            constraints.append(f"fixed: {el.fixed}")
        elif getattr(el, "default", None) is not None:
            constraints.append(f"default: {el.default}")
        if getattr(el, "nillable", False):
            constraints.append("nillable")
        recursive = id(xsd_type) in stack and xsd_type is not None and xsd_type.is_complex() and not xsd_type.has_simple_content()
        if recursive:
            constraints.append("recursive: same structure as an enclosing element")
        en, th = self.docs(el, target, xsd_type)
        self.out.append(
            Field(path, self.type_name(xsd_type), _cardinality(low, high), "; ".join(constraints), "", "", en, th, depth)
        )
        if recursive or depth >= MAX_DEPTH or xsd_type is None or not xsd_type.is_complex():
            return
        self.attributes(xsd_type, path, depth + 1)
        if not xsd_type.has_simple_content() and xsd_type.content is not None:
            self.group(xsd_type.content, path, 1, 1, depth + 1, stack + (id(xsd_type),))

    def attributes(self, xsd_type: Any, path: str, depth: int) -> None:
        for name, attr in xsd_type.attributes.items():
            if name is None or not hasattr(attr, "use"):  # xs:anyAttribute
                self.out.append(Field(f"{path}/@*", "any attribute", "0..n", "", "", "", "", "", depth))
                continue
            constraints = self.facets(attr.type) if attr.type is not None else []
            if attr.fixed is not None:
                constraints.append(f"fixed: {attr.fixed}")
            elif attr.default is not None:
                constraints.append(f"default: {attr.default}")
            en, th = self.docs(attr, getattr(attr, "ref", None), attr.type)
            card = "1..1" if attr.use == "required" else "0..1"
            if attr.use == "prohibited":
                continue
            self.out.append(
                Field(f"{path}/@{self.qname(name)}", self.type_name(attr.type), card, "; ".join(constraints), "", "", en, th, depth)
            )

    def group(self, group: Any, path: str, low: int, high: int | None, depth: int, stack: tuple[int, ...]) -> None:
        """A model group's particles; a ``choice`` makes each option optional."""
        from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

        g_low, g_high = low * group.min_occurs, _times(high, group.max_occurs)
        choice = group.model == "choice" and len(group) > 1
        names = []
        if choice:
            names = [self.qname(p.name) if isinstance(p, XsdElement) else "…" for p in group]
        for particle in group:
            p_low = 0 if choice else g_low * particle.min_occurs
            p_high = _times(g_high, particle.max_occurs)
            if isinstance(particle, XsdGroup):
                self.group(particle, path, 0 if choice else g_low, g_high, depth, stack)
            elif isinstance(particle, XsdElement):
                notes = [f"choice: one of {', '.join(names)}"] if choice else []
                self.element(particle, path, p_low, p_high, depth, stack, notes)
            elif isinstance(particle, XsdAnyElement):
                ns = " ".join(particle.namespace) if isinstance(particle.namespace, (list, tuple)) else str(particle.namespace)
                self.out.append(
                    Field(f"{path}/*", "any element", _cardinality(p_low, p_high), f"namespace: {ns}", "", "", "", "", depth)
                )


def _facet_phrases(facets: Mapping[str, Any]) -> list[str]:
    """XSD facets (local name → facet) as the same phrases the JSON side uses."""
    value = {name: getattr(f, "value", None) for name, f in facets.items()}
    out = []
    if "enumeration" in facets:
        out.append(_one_of(facets["enumeration"].enumeration))
    if "pattern" in facets:
        out.append(f"pattern: {' | '.join(facets['pattern'].regexps)}")
    low, high = value.get("minLength"), value.get("maxLength")
    if "length" in facets:
        out.append(f"length: {value['length']}")
    elif low is not None and high is not None:
        out.append(f"length: {low}..{high}")
    elif low is not None:
        out.append(f"length ≥ {low}")
    elif high is not None:
        out.append(f"length ≤ {high}")
    for name, sign in (("minInclusive", "≥"), ("minExclusive", ">"), ("maxInclusive", "≤"), ("maxExclusive", "<")):
        if name in facets:
            out.append(f"{sign} {value[name]}")
    if "totalDigits" in facets:
        out.append(f"at most {value['totalDigits']} digits")
    if "fractionDigits" in facets:
        out.append(f"at most {value['fractionDigits']} decimals")
    return out


def _times(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b


def xml_fields(version: StandardVersion) -> list[Field]:
    """The elements and attributes of ``version`` 's XML form, from its root element(s).

    The root is the one the detection rule names; without a rule, every global
    element of the schema's target namespace.

    :raises SchemaLoadError: the XSD (or a module it imports) cannot be compiled.
    """
    path = version.xml_schema
    if path is None:
        return []
    schema = _load_xsd(path)
    walk = _XmlWalk(schema, version.xml.namespaces if version.xml else {})
    roots = list(schema.elements.values())
    if version.xml is not None:
        named = [e for e in roots if e.local_name == version.xml.root]
        roots = named or roots
    for root in roots:
        walk.element(root, "", 1, 1, 0, (), [])
    return walk.out

