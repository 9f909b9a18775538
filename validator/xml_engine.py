"""The XML engine: hardened parsing and XSD 1.0 validation (Schematron: validator.schematron).

Untrusted XML never reaches the network or the file system: no DTDs (a
``DOCTYPE`` is a parse issue), no entity expansion, no external loads. Schemas
are loaded from local files only; a remote ``schemaLocation`` is refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from . import messages
from .errors import SchemaLoadError
from .report import Issue

__all__ = ["XmlSchema", "element_path", "parse_xml", "xsd_rule"]

XSD_NS = "http://www.w3.org/2001/XMLSchema"


def _document_parser() -> etree.XMLParser:
    # one parser per thread: lxml parsers are reusable but not shareable across threads
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,  # keeps libxml2's depth and text-size limits on
            collect_ids=False,
        )
    return parser


def doctype_offset(data: bytes) -> int | None:
    """Offset of a ``<!DOCTYPE`` in the prolog (before the root element), or ``None``.

    A DOCTYPE can only come after the XML declaration, comments and processing
    instructions; a plain scan of those is much cheaper than a regular expression.
    """
    pos = 0
    while True:
        pos = data.find(b"<", pos)
        if pos < 0:
            return None
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
        elif data.startswith(b"<!DOCTYPE", pos):
            return pos
        else:
            return None  # the root element: no DOCTYPE can follow
        if end < 0:
            return None
        pos = end + 2


_local = threading.local()
_DTD_MESSAGE = "document type declarations (DOCTYPE) are not allowed: they can expand entities or load external files"


def dtd_forbidden(line: int = 1) -> Issue:
    """The ``parse`` issue for a document that declares a DOCTYPE."""
    return messages.parse_issue("dtd-forbidden", _DTD_MESSAGE, line)


def parse_xml(data: bytes) -> tuple[etree._ElementTree | None, Issue | None]:
    """Parse an untrusted XML document.

    Returns ``(tree, None)`` or ``(None, issue)`` with a ``parse`` issue that
    says what is wrong and where. Never raises on bad input.
    """
    offset = doctype_offset(data)
    if offset is not None:
        # refused before libxml2 sees it: no entity, DTD or network work at all
        return None, dtd_forbidden(data.count(b"\n", 0, offset) + 1)
    try:
        root = etree.fromstring(data, _document_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = exc.msg or str(exc)
        rule = "too-deep" if "depth" in message.lower() else "xml-syntax"
        return None, messages.parse_issue(rule, f"not well-formed XML: {message}", line or None, column or None)
    except ValueError as exc:  # e.g. a str with an encoding declaration
        return None, messages.parse_issue("xml-syntax", f"not well-formed XML: {exc}")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return None, dtd_forbidden()
    return tree, None


def element_path(element: etree._Element) -> str:
    """A readable XPath to ``element``: the document's prefixes, ``[n]`` only where names repeat."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        local = etree.QName(node).localname
        name = f"{node.prefix}:{local}" if node.prefix else local
        parent = node.getparent()
        if parent is not None:
            same = list(parent.iterchildren(node.tag))
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


_RULE_ALIASES = {
    # libxml2 names some errors after its own code paths; map them to the XSD rule
    "element-content": "cvc-complex-type.2.4",
    "missing": "cvc-complex-type.2.4",
    "notnillable": "cvc-elt.3.1",
    "have-default": "cvc-elt.4",
    "notempty": "cvc-complex-type.2.1",
    "notsimple": "cvc-complex-type.2.2",
    "attrunknown": "cvc-complex-type.3.2.2",
    "attrinvalid": "cvc-attribute.3",
    "noroot": "cvc-elt.1",
    "undeclaredelem": "cvc-elt.1",
    "wrongelem": "cvc-elt.1",
    "isabstract": "cvc-elt.2",
    "elemcont": "cvc-complex-type.2.4",
}

# the XSD specification spells facet rules in camelCase (cvc-maxInclusive-valid)
_FACET_CASE = {
    name.lower(): name
    for name in ("minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "totalDigits", "fractionDigits")
}


def xsd_rule(type_name: str) -> str:
    """libxml2's ``SCHEMAV_CVC_COMPLEX_TYPE_2_4`` → the XSD rule ``cvc-complex-type.2.4``."""
    name = type_name.removeprefix("SCHEMAV_").removeprefix("SCHEMAP_")
    words: list[str] = []
    numbers: list[str] = []
    for token in name.split("_"):
        (numbers if token.isdigit() else words).append(token.lower())
    words = [_FACET_CASE.get(w, w) for w in words]
    rule = "-".join(words) + ("." + ".".join(numbers) if numbers else "")
    return _RULE_ALIASES.get(rule, rule)


class _PathResolver:
    """Maps libxml2's error paths (``/*/*[2]`` or ``/p:a/p:b``) back to elements, lazily."""

    def __init__(self, tree: etree._ElementTree) -> None:
        self.tree = tree
        self._ns: dict[str, str] | None = None

    def _namespaces(self) -> dict[str, str]:
        if self._ns is None:
            ns: dict[str, str] = {}
            for el in self.tree.iter():
                if isinstance(el.tag, str):
                    for prefix, uri in el.nsmap.items():
                        if prefix:
                            ns.setdefault(prefix, uri)
            self._ns = ns
        return self._ns

    def element(self, path: str | None) -> etree._Element | None:
        if not path:
            return None
        try:
            found = self.tree.xpath(path, namespaces=self._namespaces())
        except etree.XPathError:
            return None
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            return found[0]
        return None


def _check_local_imports(path: Path, seen: set[Path] | None = None) -> None:
    """Refuse schemas that would import or include anything from the network."""
    seen = seen if seen is not None else set()
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    try:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except OSError as exc:
        raise SchemaLoadError(path, f"cannot be read: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise SchemaLoadError(path, f"is not well-formed XML: {exc}") from None
    for ref in doc.iterfind(f"{{{XSD_NS}}}*[@schemaLocation]"):
        location = ref.get("schemaLocation", "")
        if urlsplit(location).scheme not in ("", "file"):
            raise SchemaLoadError(path, f"line {ref.sourceline}: remote schemaLocation {location!r} is not loaded (no network)")
        target = Path(urlsplit(location).path) if urlsplit(location).scheme == "file" else path.parent / location
        if not target.is_file():
            raise SchemaLoadError(path, f"line {ref.sourceline}: schemaLocation {location!r} not found at {target}")
        _check_local_imports(target, seen)


@lru_cache(maxsize=16)
def _reference_schema(path: Path, mtime_ns: int) -> object | None:
    """xmlschema's compiled schema for ``path`` (shared by every validator in the process)."""
    import xmlschema

    try:
        # local files only: no network, no DTD tricks in the schema documents
        return xmlschema.XMLSchema10(str(path), allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError, ValueError):
        return None


class XmlSchema:
    """A compiled XSD 1.0 schema: ``iter_errors`` / ``validate`` / ``is_valid`` / ``issues``.

    libxml2 (through lxml) is the fast path and writes the messages, with line
    numbers. It deviates from the XSD specification in places, so a document it
    rejects is referred to xmlschema, the spec-conformant reference: when the
    reference accepts the document, it is valid.
    """

    def __init__(self, schema: etree.XMLSchema, name: str, path: Path | None = None) -> None:
        self._schema = schema
        self.name = name
        self.path = path
        self._reference_schema: object | None = None

    def _reference(self) -> object | None:
        """xmlschema's view of the same file, compiled on first need (it is slow to build)."""
        if self._reference_schema is None and self.path is not None:
            self._reference_schema = _reference_schema(self.path.resolve(), self.path.stat().st_mtime_ns)
            if self._reference_schema is None:
                self.path = None  # the reference cannot read it; libxml2's verdict stands
        return self._reference_schema

    def _reference_accepts(self, tree: etree._ElementTree) -> bool:
        reference = self._reference()
        if reference is None:
            return False
        try:
            return bool(reference.is_valid(tree))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a reference failure never turns an error into a pass
            return False

    @classmethod
    def from_file(cls, path: Path) -> XmlSchema:
        """Compile ``path`` with its imports and includes, all from local files.

        :raises SchemaLoadError: unreadable, not a schema, or reaching for the network.
        """
        path = Path(path)
        _check_local_imports(path)
        try:
            doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
            return cls(etree.XMLSchema(doc), str(path), path)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise SchemaLoadError(path, f"is not a usable XML Schema: {exc}") from None

    def iter_errors(self, tree: etree._ElementTree) -> Iterator[etree._LogEntry]:
        # lxml's XMLSchema is not re-entrant; validation holds its own error log
        if self._schema.validate(tree):
            return
        yield from self._schema.error_log

    def is_valid(self, tree: etree._ElementTree) -> bool:
        return bool(self._schema.validate(tree)) or self._reference_accepts(tree)

    def validate(self, tree: etree._ElementTree) -> None:
        if not self.is_valid(tree):
            self._schema.assertValid(tree)

    def issues(self, tree: etree._ElementTree) -> list[Issue]:
        entries = list(self.iter_errors(tree))
        if not entries or self._reference_accepts(tree):
            return []
        return self.issues_of(entries, tree)

    def issues_of(self, entries: list, tree: etree._ElementTree | None) -> list[Issue]:
        """libxml2 log entries as issues (paths resolved against ``tree`` where there is one)."""
        resolver = _PathResolver(tree) if tree is not None else None
        issues = []
        for entry in entries:
            element = resolver.element(entry.path) if resolver else None
            rule = xsd_rule(entry.type_name)
            message = _readable_names(entry.message, element)
            issues.append(
                Issue(
                    message=message,
                    message_th=messages.xml_message_th(rule, message),
                    rule=rule,
                    source="schema",
                    severity="warning" if entry.level_name == "WARNING" else "error",
                    location=element_path(element) if element is not None else (entry.path or ""),
                    line=entry.line or (element.sourceline if element is not None else None),
                    column=entry.column or None,
                )
            )
        return issues


_CLARK = re.compile(r"\{([^}]*)\}([\w.\-]+)")


def _readable_names(message: str, element: etree._Element | None) -> str:
    """Write ``{urn:x}Name`` as ``p:Name`` where the document has a prefix for it."""
    if element is None:
        return message
    reverse = {uri: f"{prefix}:" if prefix else "" for prefix, uri in element.nsmap.items()}
    return _CLARK.sub(lambda m: f"{reverse[m.group(1)]}{m.group(2)}" if m.group(1) in reverse else m.group(0), message)
