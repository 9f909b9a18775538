"""Converting a document between a standard's JSON and XML forms, driven by the two schemas.

No mapping file is needed: the JSON Schema and the XSD of a version are walked side by
side and their parts paired by the catalog's naming conventions —

- names match ignoring case and separators (``nationalId`` ↔ ``NationalID``);
- a JSON array holds a repeated element, under the element's name or its plural
  (``directors`` ↔ ``Director``, ``paragraphs`` ↔ ``Paragraph``);
- an attribute of a simple element may sit in JSON beside that element's value
  (``billedQuantity`` + ``unitCode`` ↔ ``<BilledQuantity unitCode=…>``), or the
  element may be a JSON object of its text and attributes (``registeredCapital:
  {amount, currency}`` ↔ ``<RegisteredCapital currencyID=…>``); an attribute named
  ``xxxID`` also pairs with a property ``xxx``;
- the XML element order comes from the XSD, the JSON property order from the schema.

What one form carries and the other does not is a constant of that form: JSON
properties with a ``const`` (document type and version) are filled in from the JSON
Schema, XML markers (a version attribute, a guideline id) from the version's own
valid examples. Anything else without a counterpart is an error, never dropped, so
a conversion loses nothing: ``json → xml → json`` gives back the document.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin

from lxml import etree

from .catalog import Catalog, StandardVersion
from .errors import DxsError
from .json_engine import json_type_of
from .json_positions import unescape_pointer

__all__ = ["ConversionError", "Converter", "convert_document"]

Form = Literal["json", "xml"]


class ConversionError(DxsError):
    """The document cannot be expressed in the other form (or could not be read)."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _plurals(name: str) -> set[str]:
    n = _norm(name)
    forms = {n, n + "s", n + "es"}
    if n.endswith("y"):
        forms.add(n[:-1] + "ies")
    return forms


def _attr_matches(attribute: str, prop: str) -> bool:
    """``currencyID`` pairs with ``currencyId`` and with ``currency``."""
    a, p = _norm(attribute), _norm(prop)
    return a == p or a == p + "id"


# --------------------------------------------------------------------------- JSON Schema side


@dataclass(frozen=True)
class _J:
    """A place in a JSON Schema: the subschema and the URI its ``$ref`` s resolve against."""

    schema: Any
    base: str


class _JsonSchemas:
    """Reads a version's JSON Schema and the schemas it refers to (local files only)."""

    def __init__(self, path: Path, resources: dict[str, Path]) -> None:
        self._resources = resources
        self._documents: dict[str, Any] = {}
        root = json.loads(path.read_text(encoding="utf-8"))
        base = root.get("$id") or path.resolve().as_uri()
        self._documents[base] = root
        self._folder = path.parent
        self.root = _J(root, base)

    def _document(self, uri: str) -> Any:
        if uri not in self._documents:
            path = self._resources.get(uri)
            if path is None:
                name = uri.rsplit("/", 1)[-1]
                candidate = self._folder / name
                if not candidate.is_file():
                    raise ConversionError(f"cannot resolve the JSON Schema {uri!r} locally")
                path = candidate
            self._documents[uri] = json.loads(Path(path).read_text(encoding="utf-8"))
        return self._documents[uri]

    def resolve(self, node: _J) -> _J:
        """Follow ``$ref`` until a schema without one (siblings of a ``$ref`` are merged in)."""
        seen = 0
        while isinstance(node.schema, dict) and "$ref" in node.schema and seen < 32:
            seen += 1
            uri, fragment = urldefrag(urljoin(node.base, node.schema["$ref"]))
            document = self._documents[node.base.split("#")[0]] if not uri or uri == node.base else self._document(uri)
            target: Any = document
            for token in [t for t in fragment.split("/") if t]:
                target = target[unescape_pointer(token)]
            siblings = {k: v for k, v in node.schema.items() if k != "$ref"}
            merged = {**target, **siblings} if isinstance(target, dict) else target
            node = _J(merged, uri or node.base)
        return node

    def _branches(self, node: _J) -> list[_J]:
        """The node and every subschema whose properties a document may carry with it."""
        node = self.resolve(node)
        found = [node]
        if isinstance(node.schema, dict):
            for keyword in ("allOf", "anyOf", "oneOf"):
                for sub in node.schema.get(keyword, []):
                    found.extend(self._branches(_J(sub, node.base)))
            for keyword in ("then", "else"):
                if isinstance(node.schema.get(keyword), dict):
                    found.extend(self._branches(_J(node.schema[keyword], node.base)))
        return found

    def properties(self, node: _J) -> dict[str, _J]:
        props: dict[str, _J] = {}
        for branch in self._branches(node):
            for name, sub in (branch.schema.get("properties") or {}).items() if isinstance(branch.schema, dict) else ():
                props.setdefault(name, _J(sub, branch.base))
        return props

    def items(self, node: _J) -> _J:
        for branch in self._branches(node):
            if isinstance(branch.schema, dict) and isinstance(branch.schema.get("items"), dict):
                return _J(branch.schema["items"], branch.base)
        return _J({}, node.base)

    def kind(self, node: _J) -> str | None:
        """``object``, ``array``, ``string``, ``integer``, ``number``, ``boolean`` or ``None``."""
        for branch in self._branches(node):
            schema = branch.schema
            if not isinstance(schema, dict):
                continue
            declared = schema.get("type")
            if isinstance(declared, list):
                declared = next((t for t in declared if t != "null"), None)
            if declared:
                return str(declared)
            values = [schema["const"]] if "const" in schema else list(schema.get("enum") or [])
            if values:
                return json_type_of(values[0])
            if "properties" in schema:
                return "object"
        return None

    def const(self, node: _J) -> Any:
        for branch in self._branches(node):
            if isinstance(branch.schema, dict) and "const" in branch.schema:
                return branch.schema["const"]
        return _MISSING


_MISSING = object()


# --------------------------------------------------------------------------- values

#: What XML 1.0 cannot hold, even escaped: most control characters, lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any, where: str) -> str:
    """A JSON scalar as XML text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConversionError(f"{where}: {value} has no XML form")
        return format(Decimal(repr(value)), "f") if abs(value) < 1e16 or value != int(value) else str(int(value))
    if isinstance(value, str):
        bad = _NOT_XML.search(value)
        if bad:
            raise ConversionError(f"{where}: the character U+{ord(bad.group()):04X} cannot be written in XML")
        return value
    raise ConversionError(f"{where}: expected a single value, found {'an object' if isinstance(value, dict) else 'a list' if isinstance(value, list) else 'null'}")


def _typed(text: str | None, kind: str | None, where: str) -> Any:
    """XML text as the JSON value its schema asks for."""
    text = text or ""
    try:
        if kind == "integer":
            return int(text.strip())
        if kind == "number":
            stripped = text.strip()
            return int(stripped) if re.fullmatch(r"[+-]?[0-9]+", stripped) else float(Decimal(stripped))
        if kind == "boolean":
            if text.strip() not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text.strip() in ("true", "1")
    except (ValueError, InvalidOperation):
        raise ConversionError(f"{where}: {text!r} is not a {kind}") from None
    return text


# --------------------------------------------------------------------------- pairing


@dataclass
class _Plan:
    """How one XSD element's parts pair with one JSON object's properties."""

    children: list[Any]  # XSD child elements, in document order
    child_prop: dict[str, str] = field(default_factory=dict)  # child qname → JSON property
    attr_prop: dict[str, str] = field(default_factory=dict)  # attribute name → JSON property
    flattened: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # child qname → [(attribute, property)]
    text_prop: str | None = None  # for a simple element held as an object: the property of its text
    props: dict[str, _J] = field(default_factory=dict)


class Converter:
    """Converts documents of one standard version between its JSON and XML forms.

    :raises ConversionError: the version does not have both forms.
    """

    def __init__(self, catalog: Catalog, version: StandardVersion) -> None:
        if not (version.json_schema and version.xml_schema and version.xml):
            raise ConversionError(f"{version.ref} does not have both a JSON and an XML form")
        from .compat.xsd.components import load_xsd

        self.version = version
        self.json_schemas = _JsonSchemas(version.json_schema, {k: Path(v) for k, v in catalog.schema_resources.items()})
        self.xsd = load_xsd(version.xml_schema)
        qname = f"{{{version.xml.namespace}}}{version.xml.root}"
        try:
            self.root_element = self.xsd.maps.elements[qname]
        except KeyError:
            raise ConversionError(f"{version.ref}: the XSD declares no root element {qname}") from None
        self.template = self._template()
        self._plans: dict[tuple[int, int], _Plan] = {}
        # A version marker that is an attribute of the XML root pairs with the JSON one:
        # each side carries it, in its own spelling, exactly when the other does.
        json_marker = version.json.version_pointer if version.json else None
        xml_marker = version.xml.version_path or ""
        paired = bool(json_marker and re.fullmatch(r"/[^/]+", json_marker) and re.fullmatch(r"@[A-Za-z_][\w.-]*", xml_marker))
        self._marker_prop = json_marker[1:] if paired and json_marker else None
        self._marker_attr = xml_marker[1:] if paired else None

    def _template(self) -> etree._Element | None:
        """The first valid XML example: where the XML form's own constants are read from."""
        from .xml_engine import parse_xml

        for path in self.version.examples("valid"):
            if path.suffix == ".xml":
                tree, _ = parse_xml(path.read_bytes())
                if tree is not None:
                    return tree.getroot()
        return None

    # ------------------------------------------------------------------ the pairing of names

    def _plan(self, element: Any, node: _J) -> _Plan:
        key = (id(element), id(node.schema))
        if key in self._plans:
            return self._plans[key]
        from xmlschema.validators import XsdElement

        props = self.json_schemas.properties(node)
        children = [c for c in element.type.content.iter_elements() if isinstance(c, XsdElement)] if not element.type.has_simple_content() and not element.type.is_simple() else []
        plan = _Plan(children=children, props=props)
        free = dict.fromkeys(props)
        for child in children:
            names = _plurals(child.local_name)
            match = next((p for p in free if _norm(p) == _norm(child.local_name)), None) or next((p for p in free if _norm(p) in names), None)
            if match is not None:
                plan.child_prop[child.name] = match
                del free[match]
        for attribute in element.attributes:
            match = next((p for p in free if _attr_matches(str(attribute), p)), None)
            if match is not None:
                plan.attr_prop[str(attribute)] = match
                del free[match]
        for child in children:
            if child.type.has_simple_content() or child.type.is_simple():
                for attribute in child.attributes:
                    match = next((p for p in free if _attr_matches(str(attribute), p)), None)
                    if match is not None:
                        plan.flattened.setdefault(child.name, []).append((str(attribute), match))
                        del free[match]
        if element.type.has_simple_content() or element.type.is_simple():
            rest = [p for p in free if self.json_schemas.const(props[p]) is _MISSING]
            if len(rest) == 1:
                plan.text_prop = rest[0]
        self._plans[key] = plan
        return plan

    # ------------------------------------------------------------------ JSON → XML

    def to_xml(self, document: Any) -> etree._Element:
        """The XML form of a JSON document (a parsed value)."""
        nsmap = dict(self.template.nsmap) if self.template is not None else {
            (p or None): ns for p, ns in self.xsd.namespaces.items() if ns and p not in ("xml", "xs", "xsd")
        }
        root = etree.Element(self.root_element.name, nsmap=nsmap)
        self._fill(root, document, self.root_element, self.json_schemas.root, self.template, "")
        return root

    def _fill(self, target: etree._Element, value: Any, element: Any, node: _J, template: etree._Element | None, where: str) -> None:
        simple = element.type.has_simple_content() or element.type.is_simple()
        plan = self._plan(element, node)
        if simple and not isinstance(value, dict):
            target.text = _text(value, where)
            return
        if not isinstance(value, dict):
            raise ConversionError(f"{where or '/'}: expected an object for <{element.local_name}>")
        used: set[str] = set()
        if element is self.root_element and self._marker_attr and self._marker_prop:
            if self._marker_prop in value:
                target.set(self._marker_attr, str(self.version.xml.version_value or ""))
                used.add(self._marker_prop)
        for attribute in element.attributes:
            if element is self.root_element and str(attribute) == self._marker_attr:
                continue
            prop = plan.attr_prop.get(str(attribute))
            if prop is not None and prop in value:
                target.set(str(attribute), _text(value[prop], f"{where}/{prop}"))
                used.add(prop)
            elif prop is None and template is not None and str(attribute) in template.attrib:
                target.set(str(attribute), template.get(str(attribute)))
        if simple:
            if plan.text_prop is None or plan.text_prop not in value:
                raise ConversionError(f"{where or '/'}: no property holds the text of <{element.local_name}>")
            target.text = _text(value[plan.text_prop], f"{where}/{plan.text_prop}")
            used.add(plan.text_prop)
        for child in plan.children:
            prop = plan.child_prop.get(child.name)
            below = template.find(child.name) if template is not None else None
            if prop is None:
                if below is not None:  # a constant of the XML form (e.g. its version marker)
                    target.append(copy.deepcopy(below))
                continue
            if prop not in value or value[prop] is None:
                continue
            used.add(prop)
            sub = plan.props[prop]
            items = value[prop] if isinstance(value[prop], list) and self.json_schemas.kind(sub) == "array" else [value[prop]]
            item_node = self.json_schemas.items(sub) if isinstance(value[prop], list) and self.json_schemas.kind(sub) == "array" else sub
            if len(items) > 1 and not child.is_multiple():
                raise ConversionError(f"{where}/{prop}: <{child.local_name}> may appear only once")
            for i, item in enumerate(items):
                place = f"{where}/{prop}/{i}" if len(items) > 1 or isinstance(value[prop], list) else f"{where}/{prop}"
                made = etree.SubElement(target, child.name)
                self._fill(made, item, child, item_node, below, place)
                for attribute, flat in plan.flattened.get(child.name, []):
                    if flat in value:
                        made.set(attribute, _text(value[flat], f"{where}/{flat}"))
                        used.add(flat)
        for prop in value:
            if prop in used:
                continue
            if prop in plan.props and self.json_schemas.const(plan.props[prop]) == value[prop]:
                continue  # a constant of the JSON form (document type, version)
            raise ConversionError(f"{where}/{prop}: has no counterpart in the XML form of {self.version.ref}")

    # ------------------------------------------------------------------ XML → JSON

    def to_json(self, root: etree._Element) -> Any:
        """The JSON form of an XML document (its root element)."""
        if root.tag != self.root_element.name:
            raise ConversionError(f"the root element is {root.tag}, not {self.root_element.name}")
        return self._read(root, self.root_element, self.json_schemas.root, self.template, "")

    def _read(self, source: etree._Element, element: Any, node: _J, template: etree._Element | None, where: str) -> Any:
        from .xml_engine import element_path

        simple = element.type.has_simple_content() or element.type.is_simple()
        kind = self.json_schemas.kind(node)
        plan = self._plan(element, node)
        if simple and kind != "object":
            return _typed(source.text, kind, element_path(source))
        out: dict[str, Any] = {}
        marker_here = element is self.root_element and self._marker_prop is not None
        for attribute, text in source.attrib.items():
            if marker_here and attribute == self._marker_attr:
                out[str(self._marker_prop)] = self.version.json.version_value if self.version.json else text
                continue
            prop = plan.attr_prop.get(attribute)
            if prop is not None:
                out[prop] = _typed(text, self.json_schemas.kind(plan.props[prop]), f"{element_path(source)}/@{attribute}")
            elif template is None or template.get(attribute) != text:
                if not attribute.startswith("{http://www.w3.org/2001/XMLSchema-instance}"):
                    raise ConversionError(f"{element_path(source)}/@{attribute}: has no counterpart in the JSON form of {self.version.ref}")
        if simple:
            if plan.text_prop is None:
                raise ConversionError(f"{element_path(source)}: no JSON property holds its text")
            out[plan.text_prop] = _typed(source.text, self.json_schemas.kind(plan.props[plan.text_prop]), element_path(source))
            return self._ordered(out, plan)
        by_name = {c.name: c for c in plan.children}
        for child in source:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions carry no data
            declared = by_name.get(child.tag)
            if declared is None:
                raise ConversionError(f"{element_path(child)}: not an element of <{element.local_name}> in {self.version.ref}")
            prop = plan.child_prop.get(child.tag)
            below = template.find(child.tag) if template is not None else None
            if prop is None:
                if below is None or _canonical(below) != _canonical(child):
                    raise ConversionError(f"{element_path(child)}: has no counterpart in the JSON form of {self.version.ref}")
                continue  # a constant of the XML form
            sub = plan.props[prop]
            if self.json_schemas.kind(sub) == "array":
                out.setdefault(prop, []).append(self._read(child, declared, self.json_schemas.items(sub), below, where))
            else:
                if prop in out:
                    raise ConversionError(f"{element_path(child)}: repeated, but the JSON form has one {prop}")
                out[prop] = self._read(child, declared, sub, below, where)
            for attribute, flat in plan.flattened.get(child.tag, []):
                if attribute in child.attrib:
                    out[flat] = _typed(child.get(attribute), self.json_schemas.kind(plan.props[flat]), f"{element_path(child)}/@{attribute}")
        for prop, sub in plan.props.items():
            constant = self.json_schemas.const(sub)
            if prop not in out and constant is not _MISSING and not (marker_here and prop == self._marker_prop):
                out[prop] = constant  # the JSON form's own markers (document type, version)
        return self._ordered(out, plan)

    @staticmethod
    def _ordered(out: dict[str, Any], plan: _Plan) -> dict[str, Any]:
        order = {name: i for i, name in enumerate(plan.props)}
        return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


def _canonical(element: etree._Element) -> tuple[Any, ...]:
    """An element's names, attributes and trimmed text, recursively (prefixes and layout aside)."""
    children = tuple(_canonical(c) for c in element if isinstance(c.tag, str))
    return (element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip(), children)


# --------------------------------------------------------------------------- documents


def convert_document(catalog: Catalog, data: bytes, *, to: Form, name: str = "-", standard: str | None = None) -> tuple[bytes, StandardVersion]:
    """Convert a document to the other form; return the new document and its standard version.

    The version is ``standard`` (``ID@VERSION`` or ``ID``) or the one the document declares.

    :raises ConversionError: the input cannot be read, recognised or expressed in the other form.
    :raises StandardNotFound: ``standard`` is not in the catalog.
    """
    from .detect import detect_json, detect_xml
    from .json_engine import parse_json
    from .report import Issue
    from .validate import document_kind
    from .xml_engine import parse_xml

    kind = document_kind(data, name)
    if kind is None:
        raise ConversionError(f"{name}: neither JSON nor XML")
    if kind == to:
        raise ConversionError(f"{name} is already {to.upper()}")
    version = catalog.resolve(standard) if standard else None
    if kind == "json":
        document, _, problem = parse_json(data)
        if problem is not None:
            raise ConversionError(f"{name}: {problem.message}")
        if version is None:
            found = detect_json(document, catalog)
            if isinstance(found, Issue):
                raise ConversionError(f"{name}: {found.message} (name it with --standard)")
            version = found
        root = Converter(catalog, version).to_xml(document)
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n", version
    tree, problem = parse_xml(data)
    if tree is None:
        raise ConversionError(f"{name}: {problem.message if problem else 'not XML'}")
    if version is None:
        found = detect_xml(tree, catalog)
        if isinstance(found, Issue):
            raise ConversionError(f"{name}: {found.message} (name it with --standard)")
        version = found
    result = Converter(catalog, version).to_json(tree.getroot())
    return (json.dumps(result, ensure_ascii=False, indent=2) + "\n").encode(), version
