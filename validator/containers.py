"""PDF/A-3 containers (e-Tax Invoice by e-mail): the embedded XML, the PDF/A claim, and the PDF's own signatures.

:func:`open_pdf` is pure: the PDF's bytes and trust anchors in, a :class:`PdfContainer` out (the
embedded XML files with their bytes, the PDF/A identification and ETDA's XMP properties it claims,
each PAdES signature's verdict, and :class:`~.report.Issue` objects). It never raises on bad input
and never touches the network or the disk. Validating the embedded XML (detection, schema, rules,
XML signatures) is the caller's job: this module only finds it.

Who does what:

- **pikepdf** (qpdf) reads the structure: the catalog's associated files (``/AF``, also on pages),
  the ``/Names /EmbeddedFiles`` name tree, each file specification and its stream, the XMP packet,
  and the signature fields. qpdf repairs what it can; whatever it had to repair is reported.
- **lxml** reads the XMP packet (no entities, no network), for ``pdfaid:part``/``conformance`` and
  ETDA's extension properties ``DocumentType``, ``DocumentFileName``, ``DocumentVersion`` (or
  ``Version``, as ETDA's own sample writes it).
- **pyHanko** verifies each PDF signature: the digest over its ``/ByteRange``, the CMS signature
  value, what was appended after the signed revision (its difference analysis), the signature
  time-stamp, and the path to the trust anchors. It is imported only when the PDF carries a
  signature; without pyHanko installed the signatures are reported as not checked.

Full PDF/A conformance (fonts, colour, structure) is veraPDF's job and is not checked: every report
that finds a PDF/A claim says so with an ``info`` issue.

Issue sources: ``parse`` for a PDF that cannot be read as one (not a PDF, damaged, encrypted),
``container`` for what is wrong with the container (no XML, names that do not match, relationships),
``signature`` for the PDF's signatures, with the rule ids of :mod:`.signatures` where the meaning is
the same. ``RULES`` lists them all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from .errors import DxsError
from .report import Issue
from .signatures import TimeStampInfo, Trust, juristic_id

__all__ = ["RULES", "EmbeddedXml", "EtdaProperties", "PdfContainer", "PdfSignature", "PdfaClaim", "open_pdf"]

#: ETDA's XMP extension schema for the embedded document (its PDF/A-3 generator, EDocument_PDFAExtensionSchema.xml)
ETDA_XMP_NS = "http://certificate.teda.th/schema/document/electronic_document#"
#: the namespace ETDA's own sample PDF/A-3 (PDFSigningAndTimestamp resources/pdfA3.pdf) uses for the same properties
ETDA_SAMPLE_XMP_NS = "urn:etda:uncefact:data:standard:Invoice_CrossIndustryInvoice:2#"
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: rule id → (severity, source, what it means). Signature rules share ids with :mod:`.signatures`;
#: "untrusted-signer" is an error only with ``require_trusted``; "modified-after-signing" is info for
#: updates PAdES allows (security store, document time-stamps, metadata), a warning for form filling
#: and annotations, an error for anything else.
RULES: dict[str, tuple[str, str, str]] = {
    "not-pdf": ("error", "parse", "the file is not a PDF"),
    "damaged-pdf": ("error", "parse", "the PDF's structure is broken; qpdf could not read it, or had to repair it"),
    "encrypted-pdf": ("error", "parse", "the PDF is encrypted (PDF/A forbids it); with a password nothing in it can be read"),
    "no-embedded-xml": ("error", "container", "the PDF carries no embedded XML file: there is no e-Tax document to check"),
    "embedded-file-unreadable": ("error", "container", "an embedded file's stream cannot be decoded"),
    "embedded-file-too-large": ("error", "container", "an embedded file decodes to more bytes than a document may have: it was not read"),
    "xmp-file-name-mismatch": ("error", "container", "XMP DocumentFileName names no embedded file"),
    "several-embedded-xml": ("warning", "container", "more than one embedded XML, and the XMP does not say which one is the document"),
    "af-relationship": ("warning", "container", "the embedded XML's /AFRelationship is missing or not one ETDA's guidance expects"),
    "not-associated-file": ("warning", "container", "the embedded XML is not listed in the document's associated files (/AF), as PDF/A-3 requires"),
    "xmp-unreadable": ("warning", "container", "the XMP metadata packet is not readable XML"),
    "no-pdfa-claim": ("warning", "container", "the XMP claims no PDF/A-3 identification (pdfaid:part 3)"),
    "no-document-properties": ("info", "container", "the XMP carries none of ETDA's DocumentFileName/DocumentType/DocumentVersion"),
    "pdfa-not-checked": ("info", "container", "the PDF/A claim was read, full PDF/A conformance was not checked (veraPDF's job)"),
    "signatures-not-checked": ("info", "signature", "the PDF's signatures were not checked (switched off, encrypted PDF, or pyHanko missing)"),
    "malformed-signature": ("error", "signature", "a signature that cannot be read or verified at all"),
    "digest-mismatch": ("error", "signature", "the bytes the signature covers (/ByteRange) changed after signing"),
    "signature-value": ("error", "signature", "the CMS signature value does not verify with the signer's certificate"),
    "modified-after-signing": ("error", "signature", "incremental updates after the signed revision change the document"),
    "expired-at-signing-time": ("error", "signature", "the signer's certificate was not valid at the signing time"),
    "untrusted-signer": ("warning", "signature", "the signer's (or time-stamp authority's) certificate does not chain to a trust anchor"),
    "weak-algorithm": ("error", "signature", "SHA-1 (or MD5) digests, RSA keys under 2048 bits, EC keys under 256 bits"),
    "timestamp-invalid": ("error", "signature", "the signature time-stamp does not verify or stamps other data"),
}

_RULES_TH = {
    "not-pdf": "ไฟล์นี้ไม่ใช่ PDF",
    "damaged-pdf": "โครงสร้างไฟล์ PDF เสียหาย",
    "encrypted-pdf": "ไฟล์ PDF ถูกเข้ารหัส (PDF/A ไม่อนุญาตให้เข้ารหัส)",
    "no-embedded-xml": "ไฟล์ PDF ไม่มีไฟล์ XML แนบอยู่ จึงไม่มีเอกสาร e-Tax ให้ตรวจสอบ",
    "embedded-file-unreadable": "อ่านไฟล์ที่แนบอยู่ใน PDF ไม่ได้",
    "embedded-file-too-large": "ไฟล์ที่แนบอยู่ใน PDF มีขนาดเมื่อคลายการบีบอัดเกินขนาดเอกสารที่รับได้ จึงไม่ได้อ่าน",
    "xmp-file-name-mismatch": "ชื่อไฟล์ใน XMP (DocumentFileName) ไม่ตรงกับไฟล์ที่แนบอยู่ใน PDF",
    "several-embedded-xml": "มีไฟล์ XML แนบอยู่มากกว่าหนึ่งไฟล์ และ XMP ไม่ได้ระบุว่าไฟล์ใดคือเอกสาร",
    "af-relationship": "ค่า AFRelationship ของไฟล์ XML ที่แนบไม่มีหรือไม่ตรงตามแนวทางของ สพธอ.",
    "not-associated-file": "ไฟล์ XML ที่แนบไม่ได้อยู่ในรายการ associated files (/AF) ของเอกสาร ตามที่ PDF/A-3 กำหนด",
    "xmp-unreadable": "อ่านข้อมูล XMP ของไฟล์ PDF ไม่ได้",
    "no-pdfa-claim": "ไฟล์ PDF ไม่ได้ระบุว่าเป็น PDF/A-3",
    "no-document-properties": "XMP ไม่มีคุณสมบัติ DocumentFileName/DocumentType/DocumentVersion ของ สพธอ.",
    "pdfa-not-checked": "อ่านการระบุ PDF/A แล้ว แต่ไม่ได้ตรวจความสอดคล้องกับ PDF/A ทั้งหมด (ใช้ veraPDF ตรวจ)",
    "signatures-not-checked": "ไม่ได้ตรวจลายมือชื่ออิเล็กทรอนิกส์ของไฟล์ PDF",
    "malformed-signature": "อ่านหรือตรวจลายมือชื่ออิเล็กทรอนิกส์ของไฟล์ PDF ไม่ได้",
    "digest-mismatch": "ข้อมูลในไฟล์ PDF ที่ลงลายมือชื่อถูกแก้ไขหลังการลงลายมือชื่อ",
    "signature-value": "ค่าลายมือชื่ออิเล็กทรอนิกส์ไม่ถูกต้องเมื่อตรวจด้วยใบรับรองของผู้ลงลายมือชื่อ",
    "modified-after-signing": "ไฟล์ PDF มีการแก้ไขเพิ่มเติมหลังการลงลายมือชื่อ",
    "expired-at-signing-time": "ใบรับรองของผู้ลงลายมือชื่อไม่อยู่ในช่วงอายุใช้งาน ณ เวลาที่ลงลายมือชื่อ",
    "untrusted-signer": "ใบรับรองไม่ได้ออกโดยผู้ให้บริการออกใบรับรองที่เชื่อถือ",
    "weak-algorithm": "ใช้อัลกอริทึมหรือขนาดกุญแจที่ไม่ปลอดภัยแล้ว",
    "timestamp-invalid": "ตราประทับเวลาของลายมือชื่อไม่ถูกต้อง",
}

#: the relationships an e-Tax XML may have to its PDF: ETDA's sample and generator write /Alternative
#: (the XML is the invoice, the PDF its human-readable rendering); /Data and /Source are what other
#: PDF/A-3 invoice profiles (Factur-X/ZUGFeRD) use for the same file, so they are not flagged.
EXPECTED_RELATIONSHIPS = frozenset({"Alternative", "Data", "Source"})
_KNOWN_RELATIONSHIPS = EXPECTED_RELATIONSHIPS | {"Supplement", "Unspecified", "EncryptedPayload", "FormData", "Schema"}

Coverage = Literal["entire-file", "entire-revision", "partial", "unclear"]
Modification = Literal["none", "lta-updates", "form-filling", "annotations", "other"]


# ---- the result ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbeddedXml:
    """One XML file embedded in the PDF, with its bytes.

    ``name`` is the file specification's ``/UF`` (or ``/F``); ``relationship`` is ``/AFRelationship``
    without the slash (``"Alternative"``); ``associated`` says it is listed in an ``/AF`` array;
    ``location`` says where it was found (``/Root/AF[0]`` or ``/Root/Names/EmbeddedFiles(<key>)``).
    """

    name: str
    data: bytes = field(repr=False)
    relationship: str | None = None
    description: str | None = None
    mime_type: str | None = None
    declared_size: int | None = None
    associated: bool = False
    location: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "relationship": self.relationship, "description": self.description,
            "mime_type": self.mime_type, "size": self.size, "sha256": hashlib.sha256(self.data).hexdigest(),
            "associated": self.associated, "location": self.location,
        }


@dataclass(frozen=True, slots=True)
class PdfaClaim:
    """The PDF/A identification the XMP claims (``pdfaid:part``, ``pdfaid:conformance``); a claim, not a verdict."""

    part: str | None
    conformance: str | None

    def __str__(self) -> str:
        return f"PDF/A-{self.part or '?'}{(self.conformance or '').lower()}"

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "conformance": self.conformance, "checked": False}


@dataclass(frozen=True, slots=True)
class EtdaProperties:
    """ETDA's XMP extension properties for the embedded document, and the namespace they were found in."""

    namespace: str
    document_type: str | None = None
    document_file_name: str | None = None
    document_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"namespace": self.namespace, "document_type": self.document_type,
                "document_file_name": self.document_file_name, "document_version": self.document_version}


@dataclass(frozen=True, slots=True)
class PdfSignature:
    """One PDF signature (PAdES or adbe.pkcs7): who signed, when, what it covers, and the verdicts.

    ``intact`` is True when the digest over the ``/ByteRange`` and the CMS signature value verify;
    ``coverage`` and ``modification`` say what was appended after the signed revision.
    """

    field_name: str
    form: str  # the /SubFilter: "ETSI.CAdES.detached", "adbe.pkcs7.detached", "ETSI.RFC3161" (a document time-stamp)
    intact: bool
    coverage: Coverage = "unclear"
    modification: Modification | None = None
    signer: str | None = None
    juristic_id: str | None = None
    issuer: str | None = None
    signing_time: dt.datetime | None = None
    digest_algorithm: str | None = None
    signature_algorithm: str | None = None
    key: str | None = None
    trust: Trust = "not-checked"
    timestamp: TimeStampInfo = field(default_factory=TimeStampInfo)

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field_name, "form": self.form, "intact": self.intact, "coverage": self.coverage,
            "modification": self.modification, "signer": self.signer, "juristic_id": self.juristic_id,
            "issuer": self.issuer, "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "digest_algorithm": self.digest_algorithm, "signature_algorithm": self.signature_algorithm,
            "key": self.key, "trust": self.trust, "timestamp": self.timestamp.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PdfContainer:
    """What :func:`open_pdf` found in a PDF: the embedded XML, the claims, the signatures and the issues.

    ``other_files`` names embedded files that are not XML (listed, not returned).
    """

    embedded: tuple[EmbeddedXml, ...] = ()
    other_files: tuple[str, ...] = ()
    pdfa: PdfaClaim | None = None
    properties: EtdaProperties | None = None
    signatures: tuple[PdfSignature, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def document(self) -> EmbeddedXml | None:
        """The e-Tax XML: the file XMP DocumentFileName names, else the only embedded XML, else None."""
        name = self.properties.document_file_name if self.properties else None
        named = [e for e in self.embedded if name and e.name == name]
        if named:
            return named[0]
        return self.embedded[0] if len(self.embedded) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "embedded": [e.to_dict() for e in self.embedded],
            "other_files": list(self.other_files),
            "pdfa": self.pdfa.to_dict() if self.pdfa else None,
            "properties": self.properties.to_dict() if self.properties else None,
            "signatures": [s.to_dict() for s in self.signatures],
            "issues": [i.to_dict() for i in self.issues],
        }


#: the most an embedded file may decode to, unless the caller says (the validator passes its document limit)
MAX_EMBEDDED = 64 * 1024 * 1024
#: the most an XMP packet may decode to
MAX_XMP = 4 * 1024 * 1024
#: how far a filter other than plain Flate can expand its input at most (LZW's worst case is about 2,700×):
#: such a stream is decoded only when even that could not pass the limit
_WORST_EXPANSION = 4096


def _issue(rule: str, message: str, detail_th: str = "", *, location: str = "", severity: str | None = None) -> Issue:
    default, source, _ = RULES[rule]
    th = _RULES_TH[rule] + (f" ({detail_th})" if detail_th else "")
    return Issue(message=message, message_th=th, rule=rule, source=source,  # type: ignore[arg-type]
                 severity=(severity or default), location=location)  # type: ignore[arg-type]


# ---- the check -------------------------------------------------------------------------------------


def open_pdf(
    data: bytes,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    require_trusted: bool = False,
    signatures: bool = True,
    max_embedded: int = MAX_EMBEDDED,
) -> PdfContainer:
    """Read a PDF/A-3 container: its embedded XML, its PDF/A claim and ETDA properties, its signatures.

    ``trust`` are the trust anchors for the PDF's signatures (as for
    :func:`~.signatures.check_signatures`); without them a signer's trust is "not-checked" (an error
    only with ``require_trusted``). ``signatures=False`` skips the PDF signature check and says so.
    Never raises on bad input: a file that cannot be read as a PDF gives a ``parse`` issue.
    """
    try:
        import pikepdf
    except ImportError as exc:  # a dev dependency today: say what to install rather than fail on the first PDF
        raise DxsError("reading PDF containers needs pikepdf (pip install pikepdf)") from exc

    if b"%PDF-" not in data[:1024]:
        return PdfContainer(issues=(_issue("not-pdf", "the file is not a PDF: it has no %PDF- header in its first 1024 bytes",
                                           "ไม่พบส่วนหัว %PDF-"),))
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return PdfContainer(issues=(_issue("encrypted-pdf", "the PDF is encrypted with a password: its content cannot be read "
                                           "(PDF/A forbids encryption; send the e-Tax PDF unencrypted)", "ต้องใช้รหัสผ่าน"),))
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        return PdfContainer(issues=(_issue("damaged-pdf", f"the PDF cannot be read: {_qpdf(str(exc))}", _qpdf(str(exc))),))

    issues: list[Issue] = []
    with pdf:
        try:
            if pdf.is_encrypted:
                issues.append(_issue("encrypted-pdf", "the PDF is encrypted (it opens without a password, but PDF/A forbids "
                                     "encryption)", "เปิดได้โดยไม่ต้องใช้รหัสผ่าน"))
            embedded, others = _embedded_files(pdf, issues, max_embedded)
            pdfa, properties = _xmp(pdf, issues)
            has_signatures = _has_signature_fields(pdf)
        except (pikepdf.PdfError, ValueError, RuntimeError, KeyError, TypeError, AttributeError) as exc:
            # qpdf reads objects lazily: damage can surface only now
            return PdfContainer(issues=(*issues, _issue("damaged-pdf", f"the PDF's structure is broken: {_qpdf(str(exc))}", _qpdf(str(exc)))))
        warnings = [_qpdf(w) for w in pdf.get_warnings()]
        encrypted = pdf.is_encrypted
    if warnings:
        # what qpdf had to repair or recover is damage; other warnings (a wrong /Size) are slips it read past
        repaired = any(word in w.lower() for w in warnings for word in ("damaged", "reconstruct", "recover", "attempting"))
        shown = "; ".join(dict.fromkeys(warnings[:3]))
        issues.append(_issue("damaged-pdf", f"the PDF is damaged; qpdf {'repaired it to read it' if repaired else 'read it with warnings'}: {shown}",
                             shown, severity="error" if repaired else "warning"))

    unreadable = any(i.rule == "embedded-file-unreadable" for i in issues)
    issues.extend(_container_issues(embedded, pdfa, properties, unreadable=unreadable))

    sigs: tuple[PdfSignature, ...] = ()
    if has_signatures:
        if not signatures:
            issues.append(_issue("signatures-not-checked", "the PDF's signatures were not checked (switched off)", "ปิดการตรวจไว้"))
        elif encrypted:
            issues.append(_issue("signatures-not-checked", "the PDF's signatures were not checked: the PDF is encrypted", "ไฟล์ถูกเข้ารหัส"))
        else:
            sigs = _check_pdf_signatures(data, trust=list(trust) if trust else None, require_trusted=require_trusted, issues=issues)
    return PdfContainer(embedded=tuple(embedded), other_files=tuple(others), pdfa=pdfa, properties=properties,
                        signatures=sigs, issues=tuple(issues))


_QPDF_STREAM = re.compile(r"(?:stream )?<_io\.BytesIO object at 0x[0-9a-fA-F]+>")


def _qpdf(message: str) -> str:
    """qpdf's message without its name for the in-memory stream ("stream <_io.BytesIO object at 0x…>"): noise to a reader."""
    message = re.sub(rf"^{_QPDF_STREAM.pattern}:\s*", "", message.strip())
    return _QPDF_STREAM.sub("the file", message).strip()


# ---- embedded files --------------------------------------------------------------------------------


class _TooLarge(Exception):
    """A stream that would decode to more than the limit; nothing past the limit was held."""


def _bounded_bytes(stream: Any, limit: int) -> bytes:
    """A stream's decoded content, never holding more than ``limit`` bytes of it (a flate bomb is refused, not inflated).

    Unfiltered and plain /FlateDecode streams (what PDF writers use for embedded files) are
    decoded here, by zlib, up to ``limit``; any other filter chain is left to qpdf only when its
    raw length times the worst expansion stays within ``limit``.

    :raises _TooLarge: the content is longer than ``limit``, or could be.
    """
    import zlib

    import pikepdf

    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else ([str(filters)] if filters is not None else [])
    params = stream.get("/DecodeParms")
    raw = stream.read_raw_bytes()
    if not names:
        if len(raw) > limit:
            raise _TooLarge
        return raw
    if names == ["/FlateDecode"] and params in (None, pikepdf.Array([])):
        inflate = zlib.decompressobj()
        try:
            content = inflate.decompress(raw, limit + 1)
        except zlib.error:
            content = None  # not a zlib stream qpdf reads either way (a raw deflate, a damaged tail): qpdf's turn
        else:
            if len(content) > limit or inflate.unconsumed_tail:
                raise _TooLarge
            return content
    if len(raw) * _WORST_EXPANSION > limit:
        raise _TooLarge
    return stream.read_bytes()


def _embedded_files(pdf: Any, issues: list[Issue], limit: int = MAX_EMBEDDED) -> tuple[list[EmbeddedXml], list[str]]:
    """Every embedded file, from the associated files (/AF on the catalog and pages) and the name tree, once each."""
    import pikepdf

    found: dict[Any, EmbeddedXml] = {}
    others: dict[Any, str] = {}

    def visit(spec: Any, location: str, associated: bool) -> None:
        if not isinstance(spec, pikepdf.Dictionary) or "/EF" not in spec:
            return
        ef = spec.get("/EF")
        stream = ef.get("/UF") if isinstance(ef, pikepdf.Dictionary) and "/UF" in ef else (ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None)
        if not isinstance(stream, pikepdf.Stream):
            return
        key = stream.objgen if stream.is_indirect else id(stream)
        if key in found:  # listed twice (/AF and the name tree): note that it is associated
            if associated and not found[key].associated:
                old = found[key]
                found[key] = EmbeddedXml(old.name, old.data, old.relationship, old.description, old.mime_type,
                                         old.declared_size, True, location)
            return
        if key in others:
            return
        name = _text(spec.get("/UF")) or _text(spec.get("/F")) or location
        try:
            content = _bounded_bytes(stream, limit)
        except _TooLarge:
            issues.append(_issue("embedded-file-too-large", f"the embedded file {name!r} decodes to more than {limit:,} bytes, "
                                 "the most a document may have: it was not read", f"{name}: เกิน {limit:,} ไบต์", location=location))
            others[key] = name
            return
        except (pikepdf.PdfError, RuntimeError, ValueError) as exc:
            issues.append(_issue("embedded-file-unreadable", f"the embedded file {name!r} cannot be decoded: {_qpdf(str(exc))}",
                                 f"{name}: {_qpdf(str(exc))}", location=location))
            others[key] = name
            return
        subtype = stream.get("/Subtype")
        mime = str(subtype)[1:] if isinstance(subtype, pikepdf.Name) else None
        if not _looks_like_xml(name, mime, content):
            others[key] = name
            return
        relationship = spec.get("/AFRelationship")
        params = stream.get("/Params")
        size = params.get("/Size") if isinstance(params, pikepdf.Dictionary) else None
        found[key] = EmbeddedXml(
            name=name, data=content, relationship=str(relationship)[1:] if isinstance(relationship, pikepdf.Name) else None,
            description=_text(spec.get("/Desc")), mime_type=mime, declared_size=int(size) if isinstance(size, int) else None,
            associated=associated, location=location,
        )

    af = pdf.Root.get("/AF")
    if isinstance(af, pikepdf.Array):
        for i, spec in enumerate(af):
            visit(spec, f"/Root/AF[{i}]", True)
    for n, page in enumerate(pdf.pages, start=1):
        page_af = page.obj.get("/AF")
        if isinstance(page_af, pikepdf.Array):
            for i, spec in enumerate(page_af):
                visit(spec, f"page {n} /AF[{i}]", True)
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and isinstance(names.get("/EmbeddedFiles"), pikepdf.Dictionary):
        for key, spec in pikepdf.NameTree(names.EmbeddedFiles).items():
            visit(spec, f"/Root/Names/EmbeddedFiles({key})", False)
    return list(found.values()), list(others.values())


def _text(value: Any) -> str | None:
    import pikepdf

    return str(value) if isinstance(value, pikepdf.String) and str(value) else None


def _looks_like_xml(name: str, mime: str | None, content: bytes) -> bool:
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return bool((mime and "xml" in mime.lower()) or name.lower().endswith(".xml") or start == b"<")


# ---- XMP ------------------------------------------------------------------------------------------


def _xmp(pdf: Any, issues: list[Issue]) -> tuple[PdfaClaim | None, EtdaProperties | None]:
    """The PDF/A identification and ETDA's properties from the catalog's XMP packet."""
    import pikepdf

    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return None, None
    try:
        packet = _bounded_bytes(stream, MAX_XMP)
        root = etree.fromstring(packet.strip(b"\x00 \t\r\n"), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False))
    except _TooLarge:
        issues.append(_issue("xmp-unreadable", f"the XMP metadata decodes to more than {MAX_XMP:,} bytes: it was not read",
                             f"เกิน {MAX_XMP:,} ไบต์", location="/Root/Metadata"))
        return None, None
    except (pikepdf.PdfError, etree.XMLSyntaxError, ValueError) as exc:
        issues.append(_issue("xmp-unreadable", f"the XMP metadata cannot be read: {exc}", str(exc), location="/Root/Metadata"))
        return None, None
    props = dict(_xmp_properties(root))
    part, conformance = props.get((_PDFAID, "part")), props.get((_PDFAID, "conformance"))
    pdfa = PdfaClaim(part, conformance) if part or conformance else None

    # ETDA's namespace first, then its sample's, then any other (Factur-X and kin use the same names)
    namespaces = [ns for ns, local in props if local == "DocumentFileName"]
    namespaces += [ns for ns, local in props if local in ("DocumentType", "DocumentVersion")]
    ordered = sorted(set(namespaces), key=lambda ns: (ns != ETDA_XMP_NS, ns != ETDA_SAMPLE_XMP_NS, ns))
    properties = None
    if ordered:
        ns = ordered[0]
        properties = EtdaProperties(
            namespace=ns, document_type=props.get((ns, "DocumentType")), document_file_name=props.get((ns, "DocumentFileName")),
            document_version=props.get((ns, "DocumentVersion")) or props.get((ns, "Version")),
        )
    return pdfa, properties


def _xmp_properties(root: etree._Element) -> Iterator[tuple[tuple[str, str], str]]:
    """Simple XMP properties as ((namespace, name), value): child elements with text, and the attribute shorthand."""
    for desc in root.iter(f"{{{_RDF}}}Description"):
        for name, value in desc.attrib.items():
            q = etree.QName(name)
            if q.namespace and q.namespace != _RDF:
                yield (q.namespace, q.localname), value.strip()
        for child in desc:
            if isinstance(child.tag, str) and len(child) == 0 and (child.text or "").strip():
                q = etree.QName(child)
                yield (q.namespace or "", q.localname), child.text.strip()


# ---- what is wrong with the container -------------------------------------------------------------


def _container_issues(embedded: list[EmbeddedXml], pdfa: PdfaClaim | None, properties: EtdaProperties | None, *,
                      unreadable: bool = False) -> list[Issue]:
    issues: list[Issue] = []
    if not embedded and not unreadable:  # an unreadable embedded file is already the error that says why
        issues.append(_issue("no-embedded-xml", "the PDF carries no embedded XML file: an e-Tax Invoice by e-mail must embed the "
                             "e-Tax XML in its PDF/A-3 (as an associated file)"))
    if pdfa is None or pdfa.part != "3":
        claimed = f"it claims {pdfa}" if pdfa else "its XMP has no pdfaid:part"
        issues.append(_issue("no-pdfa-claim", f"the PDF does not claim PDF/A-3 ({claimed}); an e-Tax Invoice by e-mail is a PDF/A-3 "
                             "with the XML embedded", claimed, location="/Root/Metadata"))
    if pdfa is not None:
        issues.append(_issue("pdfa-not-checked", f"the PDF claims {pdfa}; full PDF/A conformance was not checked (veraPDF's job)",
                             str(pdfa), location="/Root/Metadata"))
    if properties is None and embedded:
        issues.append(_issue("no-document-properties", "the XMP carries none of ETDA's DocumentFileName, DocumentType, "
                             "DocumentVersion: which embedded file is the document is not declared", location="/Root/Metadata"))
    named = properties.document_file_name if properties else None
    if named and embedded and not any(e.name == named for e in embedded):
        files = ", ".join(repr(e.name) for e in embedded)
        issues.append(_issue("xmp-file-name-mismatch", f"XMP DocumentFileName is {named!r}, but no embedded file has that name "
                             f"(embedded: {files})", f"{named!r}; ไฟล์ที่แนบ: {files}", location="/Root/Metadata"))
    elif named is None and len(embedded) > 1:
        files = ", ".join(repr(e.name) for e in embedded)
        issues.append(_issue("several-embedded-xml", f"{len(embedded)} XML files are embedded ({files}) and the XMP has no "
                             "DocumentFileName saying which one is the document; each is reported", files))
    for e in embedded:
        if e.relationship is None:
            issues.append(_issue("af-relationship", f"the embedded XML {e.name!r} has no /AFRelationship (PDF/A-3 requires one; "
                                 "ETDA's sample uses /Alternative)", e.name, location=e.location))
        elif e.relationship not in EXPECTED_RELATIONSHIPS:
            known = "" if e.relationship in _KNOWN_RELATIONSHIPS else " (not a relationship PDF defines)"
            issues.append(_issue("af-relationship", f"the embedded XML {e.name!r} has /AFRelationship /{e.relationship}{known}; the "
                                 "e-Tax XML is the invoice itself: /Alternative (ETDA's sample), /Data or /Source",
                                 f"{e.name}: /{e.relationship}", location=e.location))
        if not e.associated:
            issues.append(_issue("not-associated-file", f"the embedded XML {e.name!r} is in the /EmbeddedFiles name tree but not in "
                                 "the document's associated files (/AF), as PDF/A-3 requires", e.name, location=e.location))
    return issues


# ---- PDF signatures (pyHanko) ---------------------------------------------------------------------


def _has_signature_fields(pdf: Any) -> bool:
    """True when an AcroForm signature field carries a signature value (cheap: pyHanko loads only then)."""
    import pikepdf

    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary):
        return False
    stack = list(form.get("/Fields") or [])
    seen: set[tuple[int, int]] = set()
    while stack:
        f = stack.pop()
        if not isinstance(f, pikepdf.Dictionary) or (f.is_indirect and f.objgen in seen):
            continue
        if f.is_indirect:
            seen.add(f.objgen)
        value = f.get("/V")
        if isinstance(value, pikepdf.Dictionary) and "/ByteRange" in value:
            return True
        stack.extend(f.get("/Kids") or [])
    return False


_WEAK_DIGESTS = {"sha1", "md5", "md2"}
_COVERAGE = {"UNCLEAR": "unclear", "CONTIGUOUS_BLOCK_FROM_START": "partial", "ENTIRE_REVISION": "entire-revision", "ENTIRE_FILE": "entire-file"}


def _check_pdf_signatures(data: bytes, *, trust: list[x509.Certificate] | None, require_trusted: bool, issues: list[Issue]) -> tuple[PdfSignature, ...]:
    import logging
    import warnings

    try:
        with warnings.catch_warnings():
            # pyHanko imports cryptography's DSA types, which warn on import: nothing a user can act on
            warnings.simplefilter("ignore")
            from pyhanko.pdf_utils.reader import PdfFileReader
            from pyhanko.sign import validation  # noqa: F401  (imported here, under the same filter)
    except ImportError:
        issues.append(_issue("signatures-not-checked", "the PDF is signed, but its signatures were not checked: pyHanko is not "
                             "installed (pip install pyhanko)", "ไม่ได้ติดตั้ง pyHanko"))
        return ()
    # pyHanko logs each failed path or suspicious update with a traceback; the report says it instead
    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())
    try:
        embedded = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 - a third-party parser on untrusted bytes: any failure is a finding, not a crash
        issues.append(_issue("malformed-signature", f"the PDF's signatures cannot be read: {exc}", str(exc)))
        return ()
    results = []
    for sig in embedded:
        try:
            results.append(_check_one(sig, trust, require_trusted, issues))
        except Exception as exc:  # noqa: BLE001 - as above
            name = _field_name(sig)
            issues.append(_issue("malformed-signature", f"the signature in field {name!r} cannot be verified: {exc}",
                                 f"{name}: {exc}", location=_sig_location(name)))
            results.append(PdfSignature(field_name=name, form=_subfilter(sig), intact=False))
    return tuple(results)


def _field_name(sig: Any) -> str:
    try:
        return str(sig.field_name)
    except Exception:  # noqa: BLE001
        return "?"


def _subfilter(sig: Any) -> str:
    try:
        return str(sig.sig_object.get("/SubFilter", "/?"))[1:]
    except Exception:  # noqa: BLE001
        return "?"


def _sig_location(name: str) -> str:
    return f"/Root/AcroForm/Fields({name})"


def _run(make: Callable[[], Any]) -> Any:
    """Run pyHanko's coroutine to completion, also when called from inside an event loop (an async web handler)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _crypto(cert: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _check_one(sig: Any, trust: list[x509.Certificate] | None, require_trusted: bool, issues: list[Issue]) -> PdfSignature:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature, async_validate_pdf_timestamp
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    name = _field_name(sig)
    where = _sig_location(name)
    form = _subfilter(sig)
    leaf = _crypto(sig.signer_cert)

    def add(rule: str, message: str, detail_th: str = "", severity: str | None = None) -> None:
        issues.append(_issue(rule, f"signature {name!r}: {message}", f"{name}: {detail_th}" if detail_th else name,
                             location=where, severity=severity))

    # validity is judged here, at the signing time: pyHanko judges the path at a moment inside the leaf's validity
    claimed = sig.self_reported_timestamp or dt.datetime.now(dt.timezone.utc)
    moment = min(max(claimed, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
    anchors = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust or ()]

    def context() -> ValidationContext:
        # trust_roots=[] rather than None: None would mean the operating system's TLS roots
        return ValidationContext(trust_roots=anchors, allow_fetching=False, moment=moment)

    timestamp_only = str(sig.sig_object_type) == "/DocTimeStamp"
    if timestamp_only:
        status = _run(lambda: async_validate_pdf_timestamp(sig, validation_context=context()))
    else:
        usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
        status = _run(lambda: async_validate_pdf_signature(sig, signer_validation_context=context(), ts_validation_context=context(),
                                                           key_usage_settings=usage))

    intact = bool(status.intact and status.valid)
    if not status.intact:
        add("digest-mismatch", "the digest over its /ByteRange does not match: the bytes it covers were changed after signing",
            "ค่าแฮชไม่ตรงกัน")
    elif not status.valid:
        add("signature-value", f"the CMS signature value does not verify with the signer's certificate ({leaf.subject.rfc4514_string()})",
            leaf.subject.rfc4514_string())

    coverage_level = getattr(status, "coverage", None)
    coverage: Coverage = _COVERAGE.get(coverage_level.name, "unclear") if coverage_level is not None else "unclear"
    level = getattr(status, "modification_level", None)
    modification = level.name.lower().replace("_", "-") if level is not None else None
    if intact:
        _report_modification(add, coverage, modification, getattr(status, "docmdp_ok", None), getattr(status, "diff_result", None))

    digest = getattr(status, "md_algorithm", None)
    key = _describe_key(leaf)
    if digest in _WEAK_DIGESTS:
        add("weak-algorithm", f"it uses the weak digest {digest.upper()}", digest.upper())
    if key and _weak_key(leaf):
        add("weak-algorithm", f"the signer's key is {key}, under today's minimum", key)

    # a document time-stamp has no separate signature time-stamp: it is one
    ts_info = TimeStampInfo()
    signing_time = getattr(status, "timestamp", None) if timestamp_only else None
    ts = getattr(status, "timestamp_validity", None)
    if ts is not None:
        tsa = _crypto(ts.signing_cert)
        if ts.intact and ts.valid:
            ts_info = TimeStampInfo(verdict="valid", time=ts.timestamp, authority=tsa.subject.rfc4514_string())
            signing_time = ts.timestamp
            if trust and not ts.trusted:
                add("untrusted-signer", f"the time-stamp authority's certificate ({tsa.subject.rfc4514_string()}) does not chain to a "
                    f"trust anchor ({_indication(ts)})", tsa.subject.rfc4514_string(), "error" if require_trusted else "warning")
        else:
            ts_info = TimeStampInfo(verdict="invalid", time=ts.timestamp, authority=tsa.subject.rfc4514_string())
            add("timestamp-invalid", f"its signature time-stamp from {tsa.subject.rfc4514_string()} does not verify", tsa.subject.rfc4514_string())
    signing_time = signing_time or getattr(status, "signer_reported_dt", None)

    when = signing_time or dt.datetime.now(dt.timezone.utc)
    if not leaf.not_valid_before_utc <= when <= leaf.not_valid_after_utc:
        add("expired-at-signing-time", f"the signer's certificate ({leaf.subject.rfc4514_string()}) was valid from "
            f"{leaf.not_valid_before_utc.isoformat()} to {leaf.not_valid_after_utc.isoformat()}, not at the signing time "
            f"{when.isoformat()}", when.isoformat())

    trust_verdict: Trust = "not-checked"
    if trust:
        # judged on the path alone (status.trusted is also False for a broken signature, reported above)
        indication = getattr(status, "trust_problem_indic", None)
        if status.validation_path is not None and indication is None:
            trust_verdict = "trusted"
        else:
            trust_verdict = "untrusted"
            add("untrusted-signer", f"the signer's certificate ({leaf.subject.rfc4514_string()}, issued by {leaf.issuer.rfc4514_string()}) "
                f"does not chain to a trust anchor ({_indication(status)})", leaf.subject.rfc4514_string(),
                "error" if require_trusted else "warning")
    elif require_trusted:
        add("untrusted-signer", f"no trust anchors were given, so the signer's certificate ({leaf.subject.rfc4514_string()}) cannot be trusted",
            "ไม่ได้กำหนดใบรับรองหลักที่เชื่อถือ", "error")

    return PdfSignature(
        field_name=name, form=form, intact=intact, coverage=coverage, modification=modification,  # type: ignore[arg-type]
        signer=leaf.subject.rfc4514_string(), juristic_id=juristic_id(leaf), issuer=leaf.issuer.rfc4514_string(),
        signing_time=signing_time, digest_algorithm=digest, signature_algorithm=getattr(status, "pkcs7_signature_mechanism", None),
        key=key, trust=trust_verdict, timestamp=ts_info,
    )


def _report_modification(add: Callable[..., None], coverage: Coverage, modification: str | None, docmdp_ok: bool | None, diff: Any) -> None:
    """What was appended after the signed revision, in the words of pyHanko's difference analysis."""
    if coverage == "entire-file":
        return
    if coverage in ("partial", "unclear"):
        add("modified-after-signing", "its /ByteRange does not cover the whole revision it belongs to: parts of the signed revision "
            "are not signed", "ByteRange ไม่ครอบคลุมทั้งฉบับ")
        return
    why = f": {str(diff).splitlines()[0]}" if diff is not None and not hasattr(diff, "modification_level") and str(diff) else ""
    if modification == "lta-updates" and docmdp_ok is not False:
        add("modified-after-signing", "incremental updates were appended after signing, of the kinds PAdES allows (document "
            "security store, document time-stamps, metadata); the signed content is unchanged", "เฉพาะการเพิ่มข้อมูลที่ PAdES อนุญาต", "info")
    elif modification in ("form-filling", "annotations") and docmdp_ok is not False:
        add("modified-after-signing", f"incremental updates after signing filled in form fields or changed annotations "
            f"({modification}); the signer's permissions allow it, but what is shown may differ from what was signed",
            "มีการกรอกแบบฟอร์มหรือเพิ่มหมายเหตุ", "warning")
    else:
        add("modified-after-signing", f"incremental updates after signing changed the document ({modification or 'unknown'} "
            f"modifications{', beyond what the signer permitted' if docmdp_ok is False else ''}){why}: what is read now is not "
            "what was signed", modification or "")


def _indication(status: Any) -> str:
    indication = getattr(status, "trust_problem_indic", None)
    return indication.name.replace("_", " ").lower() if indication is not None else "no path found"


def _describe_key(cert: x509.Certificate) -> str | None:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return type(key).__name__.removesuffix("PublicKey") or None


def _weak_key(cert: x509.Certificate) -> bool:
    key = cert.public_key()
    return (isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048) or (isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 256)
