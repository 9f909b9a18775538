"""Validating huge XML files in bounded memory.

libxml2 can validate a file against an XSD while it parses, without building a
tree (``xmlSchemaValidateFile``, the machinery behind ``xmllint --stream``). lxml
does not expose it, so it is called through ctypes on the system's libxml2. Where
that library is missing, lxml's ``iterparse`` with the schema attached validates
during parsing while finished elements are dropped — slower, equally bounded.

Either way the document never sits in memory whole, and issues carry the line
numbers libxml2 reports.
"""

from __future__ import annotations

import ctypes
import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from . import messages
from .report import Issue
from .xml_engine import xsd_rule

__all__ = ["StreamingSchema", "peek_tree"]

XML_PARSE_NONET = 1 << 11  # never reach the network
_MAX_ISSUES = 1000  # a broken generator can emit millions; the first thousand tell the story
_XML_FROM_PARSER = 1


class _XmlError(ctypes.Structure):
    # libxml2's xmlError (stable across 2.9–2.13)
    _fields_ = [
        ("domain", ctypes.c_int),
        ("code", ctypes.c_int),
        ("message", ctypes.c_char_p),
        ("level", ctypes.c_int),
        ("file", ctypes.c_char_p),
        ("line", ctypes.c_int),
        ("str1", ctypes.c_char_p),
        ("str2", ctypes.c_char_p),
        ("str3", ctypes.c_char_p),
        ("int1", ctypes.c_int),
        ("int2", ctypes.c_int),
        ("ctxt", ctypes.c_void_p),
        ("node", ctypes.c_void_p),
    ]


_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_XmlError))


@lru_cache(maxsize=1)
def _libxml2() -> ctypes.CDLL | None:
    """The system libxml2, with the few functions used here typed; ``None`` if absent."""
    lib = None
    for name in ("libxml2.so.2", "libxml2.2.dylib"):  # the usual sonames: no `ldconfig -p` run on every start
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        from ctypes.util import find_library

        found = find_library("xml2")
        try:
            lib = ctypes.CDLL(found) if found else None
        except OSError:
            return None
        if lib is None:
            return None
    lib.xmlSchemaNewParserCtxt.argtypes = [ctypes.c_char_p]
    lib.xmlSchemaNewParserCtxt.restype = ctypes.c_void_p
    lib.xmlSchemaParse.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaParse.restype = ctypes.c_void_p
    lib.xmlSchemaFreeParserCtxt.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaNewValidCtxt.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaNewValidCtxt.restype = ctypes.c_void_p
    lib.xmlSchemaFreeValidCtxt.argtypes = [ctypes.c_void_p]
    lib.xmlSchemaSetValidStructuredErrors.argtypes = [ctypes.c_void_p, _HANDLER, ctypes.c_void_p]
    lib.xmlSetStructuredErrorFunc.argtypes = [ctypes.c_void_p, _HANDLER]
    lib.xmlSchemaValidateFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.xmlSchemaValidateFile.restype = ctypes.c_int
    return lib


@lru_cache(maxsize=1)
def _code_names() -> dict[int, str]:
    """libxml2 error codes → names (``SCHEMAV_…``), from lxml's copy of xmlerror.h."""
    return {v: k for k, v in vars(etree.ErrorTypes).items() if k.startswith("SCHEMA") and isinstance(v, int)}


_ELEMENT_IN_MESSAGE = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")


def _location(message: str) -> str:
    """Streaming keeps no tree, so the location is the element the message names."""
    match = _ELEMENT_IN_MESSAGE.search(message)
    return f"//*[local-name()='{match.group(1)}']" if match else ""


def _schema_issue(rule: str, message: str, line: int | None, warning: bool = False) -> Issue:
    return Issue(
        message=message,
        message_th=messages.xml_message_th(rule, message),
        rule=rule,
        source="schema",
        severity="warning" if warning else "error",
        location=_location(message),
        line=line,
    )


class StreamingSchema:
    """An XSD compiled for streaming validation of files."""

    _lock = threading.Lock()  # libxml2's structured error hook is per thread; keep calls serial

    def __init__(self, xsd: Path) -> None:
        from .xml_engine import _check_local_imports

        self.xsd = Path(xsd)
        _check_local_imports(self.xsd)  # as for the tree engine: nothing is loaded from the network
        self._lib = _libxml2()
        self._schema = None
        if self._lib is not None:
            parser = self._lib.xmlSchemaNewParserCtxt(str(self.xsd).encode())
            self._schema = self._lib.xmlSchemaParse(parser) if parser else None
            if parser:
                self._lib.xmlSchemaFreeParserCtxt(parser)
        self._lxml_schema: etree.XMLSchema | None = None

    @property
    def engine(self) -> str:
        """Which streaming engine is in use (for reports and benchmarks)."""
        return "libxml2-stream" if self._schema else "lxml-iterparse"

    def issues(self, path: Path, /, source: bytes | str | None = None) -> list[Issue]:
        """Validate the file at ``path`` without holding it in memory (:class:`~validator.engine.Engine`;
        the file is the source, so ``source`` is not used)."""
        if self._schema:
            return self._issues_libxml2(path)
        return self._issues_iterparse(path)

    def _issues_libxml2(self, path: Path) -> list[Issue]:
        lib = self._lib
        assert lib is not None
        found: list[Issue] = []

        @_HANDLER
        def on_error(_user: int, error: ctypes._Pointer[_XmlError]) -> None:
            if len(found) >= _MAX_ISSUES:
                return
            e = error.contents
            message = (e.message or b"").decode("utf-8", "replace").strip()
            if e.domain == _XML_FROM_PARSER:
                rule = "too-deep" if "depth" in message.lower() else "xml-syntax"
                found.append(messages.parse_issue(rule, f"not well-formed XML: {message}", e.line or None))
                return
            rule = xsd_rule(_code_names().get(e.code, f"SCHEMAV_CODE_{e.code}"))
            found.append(_schema_issue(rule, message, e.line or None, warning=e.level == 1))

        with self._lock:
            context = lib.xmlSchemaNewValidCtxt(self._schema)
            try:
                lib.xmlSchemaSetValidStructuredErrors(context, on_error, None)
                lib.xmlSetStructuredErrorFunc(None, on_error)  # parser errors (not well-formed)
                rc = lib.xmlSchemaValidateFile(context, str(path).encode(), XML_PARSE_NONET)
            finally:
                lib.xmlSetStructuredErrorFunc(None, _HANDLER())
                lib.xmlSchemaFreeValidCtxt(context)
        if rc != 0 and not found:
            found.append(messages.parse_issue("xml-syntax", f"libxml2 could not validate the file (code {rc})"))
        return found

    def _issues_iterparse(self, path: Path) -> list[Issue]:
        if self._lxml_schema is None:
            self._lxml_schema = etree.XMLSchema(etree.parse(str(self.xsd)))
        context = etree.iterparse(
            str(path), events=("end",), schema=self._lxml_schema, resolve_entities=False, no_network=True, load_dtd=False
        )
        # lxml reports streamed validation errors without lines (libxml2's own path has them)
        line = 0
        try:
            for _, element in context:
                line = element.sourceline or line
                element.clear(keep_tail=True)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]  # finished siblings: drop them, keep memory flat
        except etree.XMLSyntaxError as exc:
            if not len(context.error_log):
                return [messages.parse_issue("xml-syntax", f"not well-formed XML: {exc.msg}", exc.lineno or line or None)]
        issues = []
        for entry in list(context.error_log)[:_MAX_ISSUES]:
            where = entry.line or None
            if entry.domain_name == "PARSER":
                issues.append(messages.parse_issue("xml-syntax", f"not well-formed XML: {entry.message}", where))
            else:
                issues.append(_schema_issue(xsd_rule(entry.type_name), entry.message, where))
        return issues


def peek_tree(path: Path, limit: int = 1 << 20) -> etree._ElementTree | None:
    """A tree of the first ``limit`` bytes of a file (enough for its root and version marker)."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    with open(path, "rb") as handle:
        parser.feed(handle.read(limit))
    for _, element in parser.read_events():
        return element.getroottree()
    return None
