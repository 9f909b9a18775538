"""Validating documents: bytes in, :class:`Report` out.

:class:`DocumentValidator` is configured once (a catalog and optionally a
standard, a schema file and/or a Schematron file) and then validates any number
of documents. Problems with a document are issues in its report; only
configuration problems (unknown standard, unusable schema) raise.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import messages
from .catalog import Catalog, StandardVersion, TrustList
from .engine import Engine
from .errors import DxsError
from .report import Issue, Report

if TYPE_CHECKING:
    from lxml import etree

    from .xml_stream import StreamingSchema

__all__ = ["DEFAULT_MAX_BYTES", "DocumentValidator", "SignaturePolicy", "document_kind"]

#: Documents above this size are refused with a ``parse`` issue (configurable).
DEFAULT_MAX_BYTES = 2 * 1024**3
#: XML files above this size are validated as a stream, never held in memory whole.
DEFAULT_STREAM_BYTES = 64 * 1024**2
#: JSON cannot be streamed against a schema; beyond this a JSON document is refused.
JSON_MEMORY_LIMIT = 512 * 1024**2

Kind = Literal["json", "xml"]


def document_kind(data: bytes, name: str = "") -> Kind | None:
    """``json`` or ``xml`` from the file name, else from the first significant byte."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".json":
        return "json"
    if suffix in (".xml", ".xsd", ".sch"):
        return "xml"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if head[:1] in (b"{", b"["):
        return "json"
    return None


def _wrong_root(tree: etree._ElementTree, version: StandardVersion) -> Issue | None:
    """A document held to one document type of a package whose root is another's (``--standard``)."""
    from lxml import etree

    assert version.xml is not None
    root = tree.getroot()
    qname = etree.QName(root)
    if (qname.namespace or "") == (version.xml.namespace or "") and qname.localname == version.xml.root:
        return None
    expected = f"{{{version.xml.namespace}}}{version.xml.root}" if version.xml.namespace else version.xml.root
    message = f"the root element is {root.tag}, but {version.ref} documents have {expected}"
    return Issue(message=message, message_th=f"องค์ประกอบราก (root) ของเอกสารคือ {root.tag} แต่เอกสารตาม {version.ref} ต้องเป็น {expected}",
                 rule="cvc-elt.1", source="schema", location="/" + (f"{root.prefix}:" if root.prefix else "") + qname.localname,
                 line=root.sourceline)


@dataclass(frozen=True, slots=True)
class SignaturePolicy:
    """How XML signatures are held (see :mod:`.signatures`).

    :param check: ``False`` skips them (``--signatures off``); a signed document's report says so.
    :param trust: trust anchors (``--trust``); without them a signer's trust is not checked.
    :param require_signature: an unsigned document is invalid (also when its standard says so).
    :param require_trusted: an untrusted signer is an error, not a warning.
    """

    check: bool = True
    trust: tuple[Any, ...] = ()
    require_signature: bool = False
    require_trusted: bool = False


#: the XML-DSig namespace: a document without it has no signature to check
_XMLDSIG = b"http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True, slots=True)
class _Selection:
    """What a document is held to: a schema file (``None``: the rules alone) and its catalog version."""

    schema: Path | None
    version: StandardVersion | None  # None: an explicit schema file, or the rules alone

    @property
    def ref(self) -> str | None:
        return self.version.ref if self.version is not None else None


def _wrong_form(kind: Kind) -> Issue:
    """A document held to a schema file of the other form (or, JSON, to rules alone)."""
    if kind == "json":
        return messages.parse_issue("wrong-form", "a JSON document cannot be checked against an XSD or Schematron")
    return messages.parse_issue("wrong-form", "an XML document cannot be checked against a JSON Schema")


class DocumentValidator:
    """Validates documents against a standard, a schema file, rules, or what they declare.

    :param catalog: the loaded catalog (detection and ``standard`` come from it).
    :param standard: ``ID`` or ``ID@VERSION``; every document is held to it.
    :param schema: any JSON Schema (``.json``) or XSD (``.xsd``) file.
    :param rules: a Schematron file, applied to XML documents (alone or with a schema).
    :param at: pick, in detection, the version in force on this date.
    :raises StandardNotFound: ``standard`` is not in the catalog.
    :raises SchemaLoadError: a schema or rules file cannot be used.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        standard: str | None = None,
        schema: Path | None = None,
        rules: Path | None = None,
        at: dt.date | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        stream_bytes: int = DEFAULT_STREAM_BYTES,
        signatures: SignaturePolicy | None = None,
    ) -> None:
        self.catalog = catalog
        self.signatures = signatures or SignaturePolicy()
        self._catalog_anchors: dict[tuple[Path, ...], tuple[Any, ...]] = {}  # the standards' trust lists, as read
        self.at = at
        self.max_bytes = max_bytes
        self.stream_bytes = stream_bytes
        self._streaming: dict[Path, StreamingSchema] = {}
        self.version: StandardVersion | None = catalog.resolve(standard) if standard else None
        self._compiled: dict[Path, Engine[Any]] = {}
        #: several documents to come: a package's document types are compiled together, once
        #: (one document compiles its own type only, which is quicker)
        self.expect_many = False
        self.schema_path = Path(schema) if schema else None
        self.rules_path = Path(rules) if rules else None
        # explicit files are compiled up front, so a bad one is a configuration error (exit 2)
        # before any document; a standard's own files are compiled when a document of
        # their form first needs them (a JSON run never pays for the XSD and Schematron)
        if self.schema_path:
            if self.schema_path.suffix.lower() not in (".json", ".xsd"):
                raise DxsError(f"{self.schema_path}: --schema takes a JSON Schema (.json) or an XSD (.xsd) file")
            self._engine(self.schema_path)
        if self.rules_path:
            self._engine(self.rules_path)

    def compile_all(self) -> None:
        """Compile every schema and rules file of the standard now (raises on the first bad one)."""
        if self.version:
            for path in (self.version.json_schema, self.version.xml_schema, self.version.rules):
                if path:
                    self._engine(path, self.version)

    def _engine(self, path: Path, version: StandardVersion | None = None) -> Engine[Any]:
        """Compile a schema/rules file once per validator (``version``: the catalog version it belongs to)."""
        engine = self._compiled.get(path)  # the catalog's own Path objects hash once; no new Path per document
        if engine is None:
            path = Path(path)
            suffix = path.suffix.lower()
            if suffix == ".json":
                from .json_engine import JsonSchema

                engine = JsonSchema.from_file(path, resources=self.catalog.schema_resources)
            elif suffix == ".sch":
                from .schematron import Schematron

                owner = self.catalog.standard(version.standard_id).owner if version is not None else ""
                engine = Schematron(path, publisher=owner)
            else:
                from .xml_engine import XmlSchema

                package = None
                if version is not None and self.expect_many and (siblings := self._package_schemas(version)):
                    # one compilation serves every document type of the package version, where it may
                    package = XmlSchema.for_package([e for e, _ in siblings], code_lists=version.code_lists)
                    if package is not None:
                        for _, sibling_path in siblings:
                            self._compiled[sibling_path] = package
                engine = package if package is not None else XmlSchema.from_file(path, code_lists=version.code_lists if version is not None else ())
            self._compiled[path] = engine
        return engine

    def _package_schemas(self, version: StandardVersion) -> list[tuple[tuple[str, str, Path], Path]]:
        """For a version of a package: ``((namespace, root, entry schema), path)`` of each document type's XSD."""
        if version.document_type is None:
            return []
        package = self.catalog.standard(version.standard_id).package
        found = []
        for member in self.catalog.package(package or ""):
            sibling = next((v for v in member.versions if v.folder == version.folder), None)
            if sibling is not None and sibling.xml_schema is not None and sibling.xml is not None:
                found.append(((sibling.xml.namespace, sibling.xml.root, sibling.xml_schema), sibling.xml_schema))
        return found

    # ------------------------------------------------------------------ entry points

    def validate_path(self, path: Path | str) -> Report:
        """Read and validate one file; an unreadable file is a ``parse`` issue, not an exception."""
        name = str(path)
        try:
            size = os.stat(name).st_size  # plain os calls: pathlib costs more than the validation of a small file
            if size > self.max_bytes:
                return Report(name, None, (self._too_large(size),))
            if size > self.stream_bytes:
                with open(path, "rb") as handle:
                    head = handle.read(1024)
                kind = document_kind(head, name)
                if kind == "xml":
                    return self._validate_xml_stream(Path(path), name, size)
                if size > JSON_MEMORY_LIMIT:
                    return Report(name, None, (self._too_large(size, JSON_MEMORY_LIMIT, "a JSON document"),))
            elif name.endswith((".xml", ".XML")) and (fast := self._fast_xml_verdict(Path(name), name)) is not None:
                return fast
            with open(name, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return Report(name, None, (messages.parse_issue("unreadable", f"cannot read file: {exc.strerror}"),))
        return self.validate_bytes(data, name)

    def validate_bytes(self, data: bytes, path: str = "-") -> Report:
        """Validate one document given as bytes; ``path`` names it in the report."""
        if len(data) > self.max_bytes:
            return Report(path, None, (self._too_large(len(data)),))
        if len(data) > JSON_MEMORY_LIMIT:
            return Report(path, None, (self._too_large(len(data), JSON_MEMORY_LIMIT, "a document held in memory"),))
        if data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-") or path.lower().endswith(".pdf"):
            return self._validate_pdf(data, path)
        kind = document_kind(data, path)
        if kind == "json":
            return self._validate_json(data, path)
        if kind == "xml":
            return self._validate_xml(data, path)
        return Report(path, None, (messages.parse_issue("unknown-format", "neither JSON, XML nor PDF"),))

    # ------------------------------------------------------------------ PDF/A-3 containers

    def _validate_pdf(self, data: bytes, path: str) -> Report:
        """A PDF/A-3 (e-Tax Invoice by e-mail): its container checks, and each embedded XML validated in full.

        One report for the PDF: its standard is that of the XML the ETDA properties name (or the
        only one); the issues of each embedded XML say which file and where in it.
        """
        from .containers import open_pdf

        policy = self.signatures
        # the PDF itself belongs to no standard: its signers are judged against every trust list of the catalog
        lists = tuple(dict.fromkeys(t for standard in self.catalog for t in standard.trust)) if self.catalog is not None else ()
        trust, _ = self._anchors(lists) if policy.check else ((), "")
        container = open_pdf(data, trust=trust, require_trusted=policy.require_trusted, signatures=policy.check, max_embedded=self.max_bytes)
        issues = list(container.issues)
        signatures: list[Any] = list(container.signatures)
        if policy.check:
            issues += [_pdf_signature_summary(s) for s in container.signatures]
        main = container.document
        standard = None
        for embedded in container.embedded:
            inner = self._validate_xml(embedded.data, f"{path}/{embedded.name}", signed_outside=bool(container.signatures))
            if embedded is main or standard is None:
                standard = inner.standard
            issues += [_inside(embedded.name, issue) for issue in inner.issues]
            signatures += inner.signatures
            as_what = f"as {inner.standard}" if inner.standard else "(no standard found)"
            verdict, verdict_th = ("valid", "ผ่าน") if inner.valid else ("invalid", "ไม่ผ่าน")
            relationship = f", /{embedded.relationship}" if embedded.relationship else ""
            issues.append(Issue(
                message=f"embedded {embedded.name} ({embedded.size:,} bytes{relationship}) validated {as_what}: {verdict}",
                message_th=f"ตรวจไฟล์ XML ที่แนบใน PDF ({embedded.name}) "
                + (f"ตามมาตรฐาน {inner.standard}" if inner.standard else "(ไม่พบมาตรฐาน)") + f": {verdict_th}",
                rule="embedded-xml", source="container", severity="info", location=embedded.name,
            ))
        return Report(path, standard, tuple(issues), tuple(signatures))

    def _too_large(self, size: int, limit: int | None = None, what: str = "document") -> Issue:
        limit = limit or self.max_bytes
        return messages.parse_issue("too-large", f"{what} is {size:,} bytes, above the limit of {limit:,} bytes")

    def _select(self, kind: Kind, name: str, detect: Callable[[], StandardVersion | Issue], *, streaming: bool = False) -> _Selection | Report:
        """The schema (and catalog version) a document of ``kind`` is held to, or the report saying why there is none.

        An explicit schema file comes first; then, with rules and no standard, the rules
        alone (a JSON document cannot be held to them; a streamed one, which rules cannot
        be run on, is detected instead); then the given standard, or the one ``detect``
        finds in the document.
        """
        if self.schema_path:
            if self.schema_path.suffix.lower() != (".json" if kind == "json" else ".xsd"):
                return Report(name, None, (_wrong_form(kind),))
            return _Selection(self.schema_path, None)
        if self.rules_path and self.version is None and not streaming:
            if kind == "json":
                return Report(name, None, (_wrong_form(kind),))
            return _Selection(None, None)
        version = self.version
        if version is None:
            found = detect()
            if isinstance(found, Issue):
                return Report(name, None, (found,))
            version = found
        schema = version.json_schema if kind == "json" else version.xml_schema
        if schema is None:
            return Report(name, version.ref, (messages.parse_issue("wrong-form", f"{version.ref} has no {kind.upper()} form"),))
        return _Selection(schema, version)

    # ------------------------------------------------------------------ JSON

    def _validate_json(self, data: bytes, path: str) -> Report:
        from .json_engine import parse_json  # here: an XML-only run never loads the JSON engines

        document, text, problem = parse_json(data)
        if problem:
            return Report(path, self.version.ref if self.version else None, (problem,))

        def detect() -> StandardVersion | Issue:
            from .detect import detect_json

            return detect_json(document, self.catalog, self.at)

        selected = self._select("json", path, detect)
        if isinstance(selected, Report):
            return selected
        assert selected.schema is not None  # a JSON document is never held to rules alone
        schema = self._engine(selected.schema)
        return Report(path, selected.ref, tuple(schema.issues(document, text if text is not None else data)))

    # ------------------------------------------------------------------ XML

    def _fixed_xsd(self) -> Path | None:
        """The XSD every XML document is held to without detection, when there are no rules."""
        if self.rules_path:
            return None
        if self.schema_path:
            return self.schema_path if self.schema_path.suffix.lower() == ".xsd" else None
        if self.version is not None and self.version.rules is None:
            return self.version.xml_schema
        return None

    def _fast_xml_verdict(self, path: Path, name: str) -> Report | None:
        """A valid report straight from libxml2's streaming validator, or ``None`` to go the full way.

        Most documents in a bulk run are valid: for them a SAX pass without a tree
        is enough. A document it finds any fault in goes through the tree-based path,
        which locates every issue precisely and lets the reference engine referee.
        """
        if path.suffix.lower() != ".xml" or (xsd := self._fixed_xsd()) is None:
            return None
        from .xml_engine import doctype_offset

        with open(path, "rb") as handle:
            if doctype_offset(handle.read(4096)) is not None:
                return None  # the full path refuses it with a clear issue
        if self._signatures_wanted(self.version) or _has_signature(path):
            return None  # signatures need the tree
        if not self._streams_valid(xsd, path):
            return None
        return Report(name, self.version.ref if self.version and not self.schema_path else None, ())

    def _streams_valid(self, xsd: Path, path: Path) -> bool:
        """Whether the system's libxml2 finds the file valid against ``xsd`` in one streaming pass.

        ``False`` also when that engine is not there: the caller then takes the tree
        path, which locates every fault and lets the reference engine referee.
        """
        streaming = self._streaming_schema(xsd)
        if streaming.engine != "libxml2-stream":
            return False  # without it, the tree path is the faster one
        return not streaming.issues(path)

    def _streaming_schema(self, xsd: Path) -> StreamingSchema:
        """``xsd`` compiled for streaming, once per validator."""
        from .xml_stream import StreamingSchema

        streaming = self._streaming.get(xsd)
        if streaming is None:
            streaming = self._streaming[xsd] = StreamingSchema(xsd)
        return streaming

    def _validate_xml_stream(self, path: Path, name: str, size: int) -> Report:
        """A large XML file: XSD validation while parsing, in bounded memory."""
        from .xml_engine import doctype_offset, dtd_forbidden

        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
            if (offset := doctype_offset(head)) is not None:
                return Report(name, None, (dtd_forbidden(head.count(b"\n", 0, offset) + 1),))

        def detect() -> StandardVersion | Issue:
            from .detect import detect_xml
            from .xml_stream import peek_tree

            tree = peek_tree(path)  # the root and, usually, the version marker near the top
            if tree is None:
                return messages.parse_issue("xml-syntax", "not well-formed XML: no root element found")
            return detect_xml(tree, self.catalog, self.at)

        selected = self._select("xml", name, detect, streaming=True)
        if isinstance(selected, Report):
            return selected
        assert selected.schema is not None  # a streamed document is never held to rules alone
        rules: list[Path] = [self.rules_path] if self.rules_path else []
        if selected.version is not None and selected.version.rules and not self.rules_path:
            rules.append(selected.version.rules)
        issues = list(self._streaming_schema(selected.schema).issues(path))
        if self.signatures.check and (self._signatures_wanted(selected.version) or _has_signature(path)):
            issues.append(
                Issue(
                    message=f"XML signatures were not checked: the document ({size:,} bytes) is validated as a stream above "
                    f"{self.stream_bytes:,} bytes, and signatures need the whole tree",
                    message_th="ไม่ได้ตรวจลายมือชื่ออิเล็กทรอนิกส์ เพราะเอกสารมีขนาดใหญ่เกินกว่าจะโหลดทั้งฉบับ",
                    rule="signatures-skipped",
                    source="signature",
                    severity="warning",
                )
            )
        if rules:
            issues.append(
                Issue(
                    message=f"rules ({', '.join(p.name for p in rules)}) were not applied: the document ({size:,} bytes) "
                    f"is validated as a stream above {self.stream_bytes:,} bytes, and rules need the whole tree",
                    message_th="ไม่ได้ตรวจกฎของมาตรฐาน (Schematron) เพราะเอกสารมีขนาดใหญ่เกินกว่าจะโหลดทั้งฉบับ",
                    rule="rules-skipped",
                    source="rules",
                    severity="warning",
                )
            )
        return Report(name, selected.ref, tuple(issues))

    def _validate_xml(self, data: bytes, path: str, *, signed_outside: bool = False) -> Report:
        from .xml_engine import parse_xml

        tree, problem = parse_xml(data)
        if problem or tree is None:
            return Report(path, self.version.ref if self.version else None, (problem,) if problem else ())

        def detect() -> StandardVersion | Issue:
            from .detect import detect_xml

            return detect_xml(tree, self.catalog, self.at)

        selected = self._select("xml", path, detect)
        if isinstance(selected, Report):
            return selected
        engines: list[Engine[Any]] = []
        version = selected.version
        if version is None:
            if selected.schema is not None:
                engines.append(self._engine(selected.schema))
        elif selected.schema is not None:
            if version.document_type is not None and (wrong := _wrong_root(tree, version)) is not None:
                return Report(path, selected.ref, (wrong,))
            # one document from a file: the system's libxml2 compiles the schema faster than lxml's
            # and says "valid" in one pass; anything else takes the tree path for precise issues
            if self.expect_many or not os.path.isfile(path) or not self._streams_valid(selected.schema, Path(path)):
                engines.append(self._engine(selected.schema, version))
            if version.rules and not self.rules_path:
                engines.append(self._engine(version.rules, version))
        if self.rules_path:
            engines.append(self._engine(self.rules_path))
        issues: list[Issue] = []
        for engine in engines:
            issues.extend(engine.issues(tree))
        signed = self._check_signatures(tree, data, version, issues, signed_outside=signed_outside)
        return Report(path, selected.ref, tuple(issues), signed)

    # ------------------------------------------------------------------ signatures

    def _anchors(self, lists: Sequence[TrustList]) -> tuple[tuple[Any, ...], str]:
        """The trust anchors a signer is judged against: ``--trust`` and the catalog's ``lists``; and in words, for the report."""
        if not lists:
            return self.signatures.trust, "--trust"
        paths = tuple(t.path for t in lists)
        if paths not in self._catalog_anchors:  # read once per validator, like the standards' schemas
            from .signatures import load_trust

            self._catalog_anchors[paths] = load_trust(paths, what="the standard's trust list")
        said = "; ".join(f"trust list {t.label} ({'illustrative: ' if t.illustrative else ''}{t.source})" for t in lists)
        said += " and --trust" if self.signatures.trust else ""
        return self.signatures.trust + self._catalog_anchors[paths], said

    def _signatures_wanted(self, version: StandardVersion | None) -> bool:
        """Whether a document must be signed: by ``--require-signature`` or its standard's metadata."""
        return self.signatures.check and (self.signatures.require_signature or (version is not None and version.signature_required))

    def _check_signatures(self, tree: Any, data: bytes, version: StandardVersion | None, issues: list[Issue], *,
                          signed_outside: bool = False) -> tuple[Any, ...]:
        """Add the signature issues of ``tree`` to ``issues``; the signatures found, for the report.

        ``signed_outside``: the document came in a signed PDF, whose signature covers it.
        """
        required = self._signatures_wanted(version) and not signed_outside
        if _XMLDSIG not in data and not required:
            return ()  # nothing to check, and nothing asked for: unsigned documents pay nothing
        if not self.signatures.check:
            issues.append(Issue(message="the document is signed, but its XML signatures were not checked (--signatures off)",
                                message_th="เอกสารมีลายมือชื่ออิเล็กทรอนิกส์ แต่ไม่ได้ตรวจ (--signatures off)",
                                rule="signatures-off", source="signature", severity="info"))
            return ()
        from .signatures import check_signatures, summary_issue

        at = dt.datetime.combine(self.at, dt.time(12), dt.timezone.utc) if self.at else None
        trust, anchors = self._anchors(version.trust if version is not None else ())
        checked = check_signatures(tree, trust=trust, require_signature=required,
                                   require_trusted=self.signatures.require_trusted, at=at, anchors=anchors)
        issues.extend(checked.issues)
        issues.extend(summary_issue(info) for info in checked.signatures)
        return checked.signatures


def _has_signature(path: Path) -> bool:
    """Whether the file names the XML-DSig namespace (read in chunks: the fast path never holds the document)."""
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            if _XMLDSIG in tail + chunk:
                return True
            tail = chunk[-len(_XMLDSIG):]
    return False


def _inside(name: str, issue: Issue) -> Issue:
    """An embedded file's issue, placed in it: the PDF's own lines mean nothing for it."""
    from dataclasses import replace

    where = f"{issue.line}:{issue.column or 0}" if issue.line else ""
    location = f"{name}{':' + where if where else ''}{' ' + issue.location if issue.location else ''}"
    return replace(issue, location=location, line=None, column=None)


def _pdf_signature_summary(signature: Any) -> Issue:
    """Who signed the PDF, when, and the verdicts, as an ``info`` issue every format shows."""
    who = signature.signer or "an unknown signer"
    if signature.juristic_id:
        who += f" (ID {signature.juristic_id})"
    when = signature.signing_time.isoformat() if signature.signing_time else "no signing time"
    from .signatures import TRUST_WORDS

    verdict = "intact" if signature.intact else "BROKEN"
    changed = f", changed after signing ({signature.modification})" if signature.modification not in (None, "none") else ""
    return Issue(
        message=f"PDF signature {signature.field_name} ({signature.form}) by {who}, issued by {signature.issuer or '?'}, at {when}: "
        f"{verdict}{changed}, {TRUST_WORDS[signature.trust]}",
        message_th=f"ลายมือชื่อในไฟล์ PDF ({signature.field_name}) ของ {who} เวลา {when}: "
        + ("ถูกต้อง" if signature.intact else "ไม่ถูกต้อง"),
        rule="signed", source="signature", severity="info", location=signature.field_name,
    )
