"""The XML engine: hardened parsing and XSD 1.0 validation (Schematron: validator.schematron).

Untrusted XML never reaches the network or the file system: no DTDs (a
``DOCTYPE`` is a parse issue), no entity expansion, no external loads. Schemas
are loaded from local files only; a remote ``schemaLocation`` is refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from copy import deepcopy
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree

from . import messages
from .codelists import CodeList
from .errors import SchemaLoadError
from .report import Issue

if TYPE_CHECKING:
    import xmlschema

__all__ = ["XmlSchema", "child_indexes", "element_path", "parse_xml", "xsd_rule"]

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


def _check_local_imports(path: Path, seen: dict[Path, str] | None = None) -> dict[Path, str]:
    """Every schema file ``path`` reaches (itself included), with its target namespace.

    :raises SchemaLoadError: a file is unreadable, not XML, imports or includes
        anything from the network, or names a file that is not there.
    """
    seen = seen if seen is not None else {}
    todo = [Path(path).resolve()]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        try:
            data = current.read_bytes()
        except OSError as exc:
            raise SchemaLoadError(current, f"cannot be read: {exc.strerror}") from None
        namespace, locations = _schema_head(current, data)
        seen[current] = namespace
        for location, line in locations:
            if urlsplit(location).scheme not in ("", "file"):
                raise SchemaLoadError(current, f"line {line}: remote schemaLocation {location!r} is not loaded (no network)")
            target = Path(urlsplit(location).path) if urlsplit(location).scheme == "file" else current.parent / location
            if not target.is_file():
                raise SchemaLoadError(current, f"line {line}: schemaLocation {location!r} not found at {target}")
            todo.append(target.resolve())
    return seen


# markup that can hide or fake a tag: comments, CDATA sections, processing instructions
_NOT_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.S)
# a start tag, its quoted attribute values read whole (a '>' may stand inside one; a '<' may not)
_TAG = rb"""(?:"[^"]*"|'[^']*'|[^>'"])*>"""
_SCHEMA_REF = re.compile(rb"<(?:[\w.-]+:)?(?:import|include|redefine)\b" + _TAG)
_ROOT = re.compile(rb"<(?:[\w.-]+:)?schema\b" + _TAG)
_LOCATION = re.compile(rb"""\bschemaLocation\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TARGET = re.compile(rb"""\btargetNamespace\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DECLARATION = re.compile(rb"<(?:[\w.-]+:)?(?:element|complexType|simpleType|group|attributeGroup|attribute|notation)\b")


def _schema_head(path: Path, data: bytes) -> tuple[str, list[tuple[str, int]]]:
    """A schema document's target namespace and the ``(schemaLocation, line)`` of its imports and includes.

    A package's code lists run to megabytes and import nothing, so the bytes are read
    as markup instead of being parsed: with comments, CDATA and processing instructions
    blanked out (line numbers kept), every remaining ``<name`` is a real tag, since XML
    allows no ``<`` inside an attribute value. Imports, includes and redefines precede a
    schema's first declaration (XSD 1.0, 3.15.2), so reading stops there — unless the
    schema redefines, whose body holds declarations. A document with a DTD, whose
    entities could expand into markup, is parsed for real.
    """
    if b"<!DOCTYPE" in data[:4096] or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _parsed_head(path)
    start = _root_offset(data)
    root = _ROOT.match(data, start) if start is not None else None
    if root is None:
        return _parsed_head(path)
    target = _TARGET.search(root.group(0))
    namespace = (target.group(1) if target.group(1) is not None else target.group(2)).decode("utf-8", "replace") if target else ""
    if b"schemaLocation" not in data:
        return namespace, []
    clean = _NOT_MARKUP.sub(lambda m: b"\n" * m.group(0).count(b"\n"), data)
    root = _ROOT.search(clean)
    assert root is not None  # the same tag, found above outside any comment
    first = _DECLARATION.search(clean, root.end())
    head = clean if first is None or b"redefine" in clean[: first.start()] else clean[: first.start()]
    found = []
    for tag in _SCHEMA_REF.finditer(head):
        if (loc := _LOCATION.search(tag.group(0))) is not None:
            raw = loc.group(1) if loc.group(1) is not None else loc.group(2)
            found.append((raw.decode("utf-8", "replace").strip(), head.count(b"\n", 0, tag.start()) + 1))
    return namespace, found


def _root_offset(data: bytes) -> int | None:
    """Where the root element's start tag begins, past the prolog's declaration, comments and PIs."""
    pos = 0
    while (pos := data.find(b"<", pos)) >= 0:
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
        elif data.startswith(b"<!", pos):
            return None  # a DOCTYPE: parsed for real
        else:
            return pos
        if end < 0:
            return None
        pos = end + 2
    return None


def _parsed_head(path: Path) -> tuple[str, list[tuple[str, int]]]:
    try:
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError as exc:
        raise SchemaLoadError(path, f"is not well-formed XML: {exc}") from None
    refs = [(ref.get("schemaLocation", ""), ref.sourceline or 0) for ref in doc.iterfind(f"{{{XSD_NS}}}*[@schemaLocation]")]
    return doc.getroot().get("targetNamespace", ""), refs


@lru_cache(maxsize=16)
def _reference_schema(path: Path, mtime_ns: int) -> xmlschema.XMLSchemaBase | None:
    """xmlschema's compiled schema for ``path`` (shared by every validator in the process).

    Building it is slow for a large package (most of the time goes to its long code
    lists), so the built schema is kept in the user's cache (:mod:`validator._cache`),
    named by the SHA-256 of every schema file it reads and of the xmlschema version:
    any change to a file, or a new xmlschema, builds it afresh.
    """
    import hashlib

    import xmlschema

    from ._cache import cache_root, read_pickle, write_pickle

    try:
        digest = hashlib.sha256(xmlschema.__version__.encode())
        for file in sorted(_check_local_imports(path)):
            digest.update(file.as_posix().encode() + b"\0" + file.read_bytes())
    except (OSError, SchemaLoadError):
        return None
    cached = cache_root() / "xsd" / f"{digest.hexdigest()}.pickle"
    if (schema := read_pickle(cached)) is not None:
        return schema
    try:
        # local files only: no network, no DTD tricks in the schema documents
        schema = xmlschema.XMLSchema10(str(path), allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError, ValueError):
        return None
    write_pickle(cached, schema)
    return schema


class XmlSchema:
    """A compiled XSD 1.0 schema: ``iter_errors`` / ``validate`` / ``is_valid`` / ``issues``.

    libxml2 (through lxml) is the fast path and writes the messages, with line
    numbers. It deviates from the XSD specification in places, so a document it
    rejects is referred to xmlschema, the spec-conformant reference: when the
    reference accepts the document, it is valid.
    """

    def __init__(
        self,
        schema: etree.XMLSchema,
        name: str,
        path: Path | None = None,
        code_lists: Sequence[CodeList] = (),
        *,
        roots: Mapping[str, Path] | None = None,
    ) -> None:
        self._schema = schema
        self.name = name
        self.path = path
        #: for a package's schemas compiled together: each root (Clark name) → its own entry schema
        self.roots = dict(roots or {})
        #: the version's code lists, to say which list (and version) a refused code is missing from
        self.code_lists = tuple(code_lists)

    def _reference(self, tree: etree._ElementTree) -> xmlschema.XMLSchemaBase | None:
        """xmlschema's view of the document's schema file, compiled on first need (it is slow to build).

        ``None`` when the reference cannot read it: then libxml2's verdict stands.
        """
        path = self.roots.get(tree.getroot().tag, self.path) if self.roots else self.path
        if path is None:
            return None
        return _reference_schema(path.resolve(), path.stat().st_mtime_ns)

    def _reference_accepts(self, tree: etree._ElementTree) -> bool:
        reference = self._reference(tree)
        if reference is None:
            return False
        try:
            return bool(reference.is_valid(tree))
        except Exception:  # noqa: BLE001 - a reference failure never turns an error into a pass
            return False

    @classmethod
    def from_file(cls, path: Path, *, code_lists: Sequence[CodeList] = ()) -> XmlSchema:
        """Compile ``path`` with its imports and includes, all from local files.

        :raises SchemaLoadError: unreadable, not a schema, or reaching for the network.
        """
        path = Path(path)
        _check_local_imports(path)
        try:
            doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
            return cls(etree.XMLSchema(doc), str(path), path, code_lists)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise SchemaLoadError(path, f"is not a usable XML Schema: {exc}") from None

    @classmethod
    def for_package(cls, entries: Sequence[tuple[str, str, Path]], *, code_lists: Sequence[CodeList] = ()) -> XmlSchema | None:
        """The entry schemas of a package's document types (namespace, root, path), compiled as one.

        ``None`` when they cannot be compiled together without changing their meaning
        (two of their files declare the same namespace): then each type is compiled alone.

        A package's document types share their data types and code lists (ETDA's six
        import the same 8,940-code sub-district list): compiled together, they cost one
        compilation instead of six. The caller makes sure a document's root is the one
        its version declares; the reference engine still reads each type's own file.
        """
        if not entries:
            raise SchemaLoadError("(package)", "has no document type with an XML Schema")
        imports = []
        files: dict[Path, str] = {}  # the document types share most of their files: each is read once
        for namespace, _root, path in entries:
            _check_local_imports(path, files)
            imports.append(f'<xs:import namespace="{escape(namespace)}" schemaLocation="{escape(Path(path).resolve().as_uri())}"/>')
        by_namespace: dict[str, set[Path]] = {}
        for file, namespace in files.items():
            by_namespace.setdefault(namespace, set()).add(file)
        if any(len(found) > 1 for found in by_namespace.values()):
            # libxml2 reads one file per namespace: where two types bring different files for
            # one namespace, compiling them together would silently drop one of them
            return None
        text = f'<xs:schema xmlns:xs="{XSD_NS}">{"".join(imports)}</xs:schema>'
        first = Path(entries[0][2])
        try:
            base = (first.resolve().parent / "(package).xsd").as_uri()  # not any real file: a schema may not import itself
            doc = etree.fromstring(text, etree.XMLParser(resolve_entities=False, no_network=True), base_url=base)
            schema = etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise SchemaLoadError(first, f"is not a usable XML Schema (with its package's other document types): {exc}") from None
        roots = {f"{{{ns}}}{root}" if ns else root: Path(path) for ns, root, path in entries}
        return cls(schema, str(first.parent), None, code_lists, roots=roots)

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

    def issues(self, tree: etree._ElementTree, /, source: bytes | str | None = None) -> list[Issue]:
        """Every error of ``tree`` as an :class:`Issue` (:class:`~validator.engine.Engine`; the tree
        carries the line numbers, so ``source`` is not used).

        libxml2 judges; where it may deviate from the specification, the reference referees.
        """
        entries = list(self.iter_errors(tree))
        if entries:
            tree, entries = self._without_padding(tree, entries)
        if not entries or (not all(map(_libxml2_is_sure, entries)) and self._reference_accepts(tree)):
            return []
        return self.issues_of(entries, tree)

    def _without_padding(self, tree: etree._ElementTree, entries: list) -> tuple[etree._ElementTree, list]:
        """Validate again with the padding libxml2 misjudges taken off.

        XSD collapses white space around every non-string value (``whiteSpace=collapse``
        is fixed for dateTime, decimal and the rest), but libxml2 rejects a padded value
        of a type *derived* from one (``<IssueDateTime> 2024-01-30T00:00:00 </…>``
        against ETDA's ``ISODateTime``) as "not a valid value of the atomic type". Such a
        value can only fail for that reason if it is lexically a non-string type, so
        stripping exactly those values and validating once more gives the
        specification's verdict without the reference engine's cost.
        """
        resolver = _PathResolver(tree)
        targets = []
        for entry in entries:
            if not _ATOMIC.search(entry.message) or (element := resolver.element(entry.path)) is None:
                continue
            attribute = _ATTRIBUTE.search(entry.message)
            value = element.get(attribute.group(1)) if attribute else element.text
            if value is not None and value != value.strip(_XML_SPACE):
                targets.append((child_indexes(element), attribute.group(1) if attribute else None))
        if not targets:
            return tree, entries
        copy = deepcopy(tree)  # keeps line numbers; the caller's tree stays as it was
        for indexes, name in targets:
            element = copy.getroot()
            for index in indexes:
                element = element[index]
            if name:
                element.set(name, element.get(name).strip(_XML_SPACE))
            else:
                element.text = element.text.strip(_XML_SPACE)
        return copy, list(self.iter_errors(copy))

    def issues_of(self, entries: list, tree: etree._ElementTree | None) -> list[Issue]:
        """libxml2 log entries as issues (paths resolved against ``tree`` where there is one)."""
        resolver = _PathResolver(tree) if tree is not None else None
        issues = []
        for entry in entries:
            element = resolver.element(entry.path) if resolver else None
            rule = xsd_rule(entry.type_name)
            message = _readable_names(entry.message, element)
            message_th = None
            if rule == "cvc-enumeration-valid" and (named := self._not_in_code_list(message)) is not None:
                message, message_th = named
            issues.append(
                Issue(
                    message=message,
                    message_th=message_th or messages.xml_message_th(rule, message),
                    rule=rule,
                    source="schema",
                    severity="warning" if entry.level_name == "WARNING" else "error",
                    location=element_path(element) if element is not None else (entry.path or ""),
                    line=entry.line or (element.sourceline if element is not None else None),
                    column=entry.column or None,
                )
            )
        return issues

    def _not_in_code_list(self, message: str) -> tuple[str, str] | None:
        """libxml2's "not an element of the set {…}" said as the code list it is (English, Thai).

        The set is matched against the version's code lists; a large set that is no
        known list is still not printed whole (a sub-district list has 8,940 codes).
        """
        match = _ENUMERATION.search(message)
        if match is None:
            return None
        head, value, listed = message[: match.start()].rstrip(": "), match.group(1), match.group(2)
        whole = listed.rstrip().rstrip(".").endswith("}")
        codes = frozenset(v.replace("''", "'") for v in _QUOTED.findall(listed))
        if whole:
            found = next((c for c in self.code_lists if c.codes == codes), None)
        else:  # the first codes of a cut set: the smallest list that holds them all
            holding = [c for c in self.code_lists if len(codes) >= 20 and codes <= c.codes]
            found = min(holding, key=lambda c: len(c.codes)) if holding else None
        if found is not None:
            return (
                f"{head}: the code {value!r} is not in the code list {found.label}",
                f"{head}: รหัส {value!r} ไม่อยู่ในรายการรหัส {found.title_th or found.title_en} ({found.id} รุ่น {found.version})",
            )
        if len(codes) > 20 or not whole:
            many = f"{len(codes):,}" if whole else "many"
            return (
                f"{head}: the value {value!r} is not one of the {many} values the schema allows",
                f"{head}: ค่า {value!r} ไม่อยู่ในรายการค่าที่กำหนด ({len(codes):,} ค่าขึ้นไป)" if not whole
                else f"{head}: ค่า {value!r} ไม่อยู่ในรายการค่าที่กำหนด ({len(codes):,} ค่า)",
            )
        return None


# Errors where libxml2 agrees with the specification: the content model (an element
# where none may be, or missing), attributes not declared or missing, and a code not in an
# enumeration written without padding. For these the reference engine — slow to build
# for a package with 8,940-code lists — is not asked to referee.
_SURE_RULES = frozenset({"cvc-complex-type.2.4", "cvc-complex-type.3.2.2", "cvc-complex-type.4", "cvc-elt.1"})


def _libxml2_is_sure(entry: etree._LogEntry) -> bool:
    rule = xsd_rule(entry.type_name)
    if rule in _SURE_RULES:
        return True
    if rule == "cvc-enumeration-valid":
        match = _ENUMERATION.search(entry.message)
        return match is not None and match.group(1) == match.group(1).strip(_XML_SPACE)
    return False


def child_indexes(element: etree._Element) -> list[int]:
    """The positions leading from the root to ``element`` (the same element in a deep copy)."""
    indexes = []
    while (parent := element.getparent()) is not None:
        indexes.append(parent.index(element))
        element = parent
    return indexes[::-1]


# libxml2 cuts a long message short, set and all: the closing brace tells whether the set is whole
_ENUMERATION = re.compile(r"\[facet 'enumeration'\] The value '((?:[^']|'')*)' is not an element of the set \{(.*)$", re.S)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")

# libxml2's words for a value that is not of its built-in type's lexical space
_ATOMIC = re.compile(r"is not a valid value of the (?:local )?atomic type")
_ATTRIBUTE = re.compile(r"^Element '[^']*', attribute '([^']*)'")
_XML_SPACE = " \t\r\n"

_CLARK = re.compile(r"\{([^}]*)\}([\w.\-]+)")


def _readable_names(message: str, element: etree._Element | None) -> str:
    """Write ``{urn:x}Name`` as ``p:Name`` where the document has a prefix for it."""
    if element is None:
        return message
    reverse = {uri: f"{prefix}:" if prefix else "" for prefix, uri in element.nsmap.items()}
    return _CLARK.sub(lambda m: f"{reverse[m.group(1)]}{m.group(2)}" if m.group(1) in reverse else m.group(0), message)
