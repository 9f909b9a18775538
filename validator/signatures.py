"""XML signatures (XML-DSig, XAdES-BES/EPES/-T) checked the way a receiver of an e-Tax document would.

:func:`check_signatures` is pure: a document (bytes or a parsed lxml tree) and trust anchors in, a
:class:`SignatureCheck` out (what was found about each signature, and :class:`~.report.Issue` objects
with ``source="signature"``). Nothing here touches the network or the disk.

Who does what:

- **signxml** verifies the signature value and every reference's digest (its canonicalisation and
  transforms). It is given the signing certificate from ``ds:KeyInfo`` and judges only the
  cryptography: validity and trust are judged here, apart, so that a broken signature and an expired
  or unknown signer get their own rule ids. Its steps (schema of ``ds:Signature``, ``_c14n``,
  ``_verify_signature_with_pubkey``, ``_get_digest``) first run on the document as parsed; its
  ``verify()``, which copies the whole document for each reference, runs only when they do not
  accept, and gives every failing verdict (docs/performance.md has the figures).
- **cryptography** checks the certificate's validity at the signing time, builds the path to the trust
  anchors (``cryptography.x509.verification``), and decodes and verifies an RFC 3161 signature time-stamp
  (``cryptography.hazmat.asn1``, cryptography >= 47; older versions report the token as not checked).
- This module decides what the signature must cover. A signature is accepted only as an enveloped
  signature of *this* document: a ``ds:Signature`` child of the root element with a reference to the
  whole document (``URI=""``, or ``#id`` of the root element). Other references may only point at the
  signature's own XAdES ``SignedProperties``, ``KeyInfo`` or ``SignatureProperties``. Anything else (a
  reference to an element elsewhere, an Id carried by more than one element, a signature nested inside
  the content) is signature wrapping. References outside the document (``http:``, ``file:``, relative
  paths) and ``KeyInfo/RetrievalMethod`` are reported and never fetched.

Which rule ids mean what, and their severities, are listed in ``RULES``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import functools
import importlib.util
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding as _Encoding
from cryptography.hazmat.primitives.serialization import PublicFormat as _PublicFormat
from cryptography.x509.oid import NameOID
from lxml import etree

from .formats import is_tax_id
from .messages import parse_issue
from .report import Issue
from .xml_engine import child_indexes

__all__ = ["RULES", "SignatureCheck", "SignatureInfo", "TimeStampInfo", "check_signatures", "juristic_id", "load_trust", "summary_issue"]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NAMESPACES = ("http://uri.etsi.org/01903/v1.3.2#", "http://uri.etsi.org/01903/v1.4.1#", "http://uri.etsi.org/01903/v1.1.1#")
_NS = {"ds": DS}
#: ds: in Clark notation: paths without a prefix map are parsed once by lxml and cached
_D = "{" + DS + "}"
_DSIG11 = "http://www.w3.org/2009/xmldsig11#"
_INCLUSIVE_NAMESPACES = "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces[@PrefixList]"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"

#: rule id → (severity, what it means). "untrusted-signer" is an error only with ``require_trusted``;
#: "missing-signature" is reported only with ``require_signature``.
RULES: dict[str, tuple[str, str]] = {
    "missing-signature": ("error", "the document carries no XML signature, and one is required"),
    "malformed-signature": ("error", "a ds:Signature that cannot be read (missing parts, bad base64, unknown algorithm)"),
    "digest-mismatch": ("error", "a reference's digest does not match the content it covers: the content changed"),
    "signature-value": ("error", "the signature value does not verify with the signer's certificate"),
    "signing-certificate-mismatch": ("error", "XAdES SigningCertificate(V2) names another certificate than the one that signed"),
    "signing-certificate-unbound": ("error", "a XAdES signature binds no certificate: no SigningCertificate(V2), and KeyInfo is not signed"),
    "expired-at-signing-time": ("error", "the signer's certificate was not valid at the signing time"),
    "untrusted-signer": ("warning", "the signer's (or time-stamp authority's) certificate does not chain to a trust anchor"),
    "weak-algorithm": ("error", "SHA-1 digests or signatures, RSA keys under 2048 bits, EC keys under 256 bits"),
    "timestamp-invalid": ("error", "the RFC 3161 signature time-stamp is unreadable, does not verify, or stamps other data"),
    "signature-wrapping": ("error", "the signature does not cover exactly this document (XSW and its cousins)"),
    "remote-reference": ("error", "a reference or KeyInfo points outside the document; it was not fetched"),
    "unsigned-properties": ("warning", "XAdES properties are present but not covered by the signature; they were ignored"),
    "not-verified": ("warning", "the signature uses something this checker does not evaluate (an XPath transform, an XML time-stamp): that part was not checked"),
}

_RULES_TH = {
    "missing-signature": "เอกสารไม่มีลายมือชื่ออิเล็กทรอนิกส์ (XML Signature) ซึ่งกำหนดให้ต้องมี",
    "malformed-signature": "อ่านลายมือชื่ออิเล็กทรอนิกส์ไม่ได้",
    "digest-mismatch": "ค่าแฮชของข้อมูลที่ลงลายมือชื่อไม่ตรงกัน: ข้อมูลถูกแก้ไขหลังการลงลายมือชื่อ",
    "signature-value": "ค่าลายมือชื่ออิเล็กทรอนิกส์ไม่ถูกต้องเมื่อตรวจด้วยใบรับรองของผู้ลงลายมือชื่อ",
    "signing-certificate-mismatch": "ใบรับรองที่ระบุใน SigningCertificate ไม่ใช่ใบรับรองที่ใช้ลงลายมือชื่อ",
    "signing-certificate-unbound": "ลายมือชื่อ XAdES ไม่ได้ผูกกับใบรับรองของผู้ลงลายมือชื่อ (ไม่มี SigningCertificate และไม่ได้ลงลายมือชื่อครอบคลุม KeyInfo)",
    "expired-at-signing-time": "ใบรับรองของผู้ลงลายมือชื่อไม่อยู่ในช่วงอายุใช้งาน ณ เวลาที่ลงลายมือชื่อ",
    "untrusted-signer": "ใบรับรองไม่ได้ออกโดยผู้ให้บริการออกใบรับรองที่เชื่อถือ",
    "weak-algorithm": "ใช้อัลกอริทึมหรือขนาดกุญแจที่ไม่ปลอดภัยแล้ว",
    "timestamp-invalid": "ตราประทับเวลา (RFC 3161) ไม่ถูกต้อง",
    "signature-wrapping": "ลายมือชื่อไม่ได้ครอบคลุมเอกสารนี้ทั้งฉบับ (อาจเป็นการโจมตีแบบ signature wrapping)",
    "remote-reference": "ลายมือชื่ออ้างถึงข้อมูลภายนอกเอกสาร ระบบไม่ได้ดึงข้อมูลนั้นมาตรวจ",
    "unsigned-properties": "คุณสมบัติ XAdES ไม่ได้อยู่ในส่วนที่ลงลายมือชื่อ จึงไม่นำมาใช้",
    "not-verified": "ลายมือชื่อใช้วิธีที่ระบบนี้ไม่รองรับ (XPath transform หรือตราประทับเวลาแบบ XML) ส่วนนั้นจึงไม่ได้ตรวจ",
}

#: more signatures in one document, or references in one signature, than any signing profile uses (XAdES
#: has three or four references; UBL a few signatures): past these a document is not verified but refused
MAX_SIGNATURES = 32
MAX_REFERENCES = 64

Trust = Literal["trusted", "untrusted", "not-checked"]
TimeStampVerdict = Literal["valid", "invalid", "absent", "not-checked"]


@dataclass(frozen=True, slots=True)
class TimeStampInfo:
    """An RFC 3161 signature time-stamp (XAdES-T), as found and judged."""

    verdict: TimeStampVerdict = "absent"
    time: dt.datetime | None = None
    authority: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "time": _iso(self.time), "authority": self.authority}


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    """One ``ds:Signature``: who signed, when, with what, and the verdicts.

    ``intact`` is True when the signature value and every reference verified and the signature
    covers this document; ``juristic_id`` is the 13-digit Thai juristic/tax ID found in the
    signer's certificate (see :func:`juristic_id`).
    """

    location: str
    line: int | None
    form: str  # "XML-DSig", "XAdES-BES", "XAdES-EPES", "XAdES-T"
    intact: bool
    signer: str | None = None
    juristic_id: str | None = None
    issuer: str | None = None
    signing_time: dt.datetime | None = None
    signature_algorithm: str | None = None
    digest_algorithms: tuple[str, ...] = ()
    key: str | None = None
    trust: Trust = "not-checked"
    timestamp: TimeStampInfo = field(default_factory=TimeStampInfo)
    #: False when the checker could not evaluate the signature (an XPath transform): ``intact`` then says nothing
    verified: bool = True
    #: which trust anchors the signer was judged against, in words ("--trust", a catalog trust list)
    anchors: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location, "line": self.line, "form": self.form, "intact": self.intact, "verified": self.verified,
            "signer": self.signer, "juristic_id": self.juristic_id, "issuer": self.issuer,
            "signing_time": _iso(self.signing_time), "signature_algorithm": self.signature_algorithm,
            "digest_algorithms": list(self.digest_algorithms), "key": self.key, "trust": self.trust,
            "anchors": self.anchors, "timestamp": self.timestamp.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What :func:`check_signatures` found: the signatures and the issues."""

    signatures: tuple[SignatureInfo, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "signatures": [s.to_dict() for s in self.signatures], "issues": [i.to_dict() for i in self.issues]}


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# ---- where the 13-digit ID lives in a certificate ----------------------------------------------------

_ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")
_THIRTEEN = re.compile(r"(?<![0-9])([0-9]{13})(?![0-9])")


def juristic_id(cert: x509.Certificate) -> str | None:
    """The 13-digit Thai juristic/tax ID a certificate's subject carries, or None.

    Looked for, in this order: ``organizationIdentifier`` (2.5.4.97, e.g. ``VATTH-0105556012340``),
    ``serialNumber`` (2.5.4.5, bare or prefixed, e.g. ``TAX:0105556012340``), ``UID``, then the
    ``CN`` and ``O``. Only a 13-digit run with a valid mod-11 check digit counts.
    """
    for oid in (_ORGANIZATION_IDENTIFIER, NameOID.SERIAL_NUMBER, NameOID.USER_ID, NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        for attr in cert.subject.get_attributes_for_oid(oid):
            value = attr.value if isinstance(attr.value, str) else attr.value.decode("latin-1")
            for candidate in _THIRTEEN.findall(value):
                if is_tax_id(candidate):
                    return candidate
    return None


# ---- the check -----------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    """This thread's parser (lxml parsers are not shared between threads; making one per call costs more than a small parse)."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return parser


_PARSERS = threading.local()


def check_signatures(
    document: bytes | etree._Element | etree._ElementTree,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    require_signature: bool = False,
    require_trusted: bool = False,
    at: dt.datetime | None = None,
    anchors: str = "",
) -> SignatureCheck:
    """Check every XML signature of ``document``.

    ``trust`` are the trust anchors (root or intermediate CA certificates); without them the
    signer's trust is "not-checked" (an error only with ``require_trusted``). ``anchors`` says in
    words where they come from, for the report (default: "--trust"). ``at`` is the time of
    checking (default: now), used where the document has neither a valid time-stamp nor a XAdES
    SigningTime. Never raises on bad input: a document that is not XML gives a ``parse`` issue.
    """
    if isinstance(document, bytes):
        try:
            root = etree.fromstring(document, _parser())
        except etree.XMLSyntaxError as exc:
            return SignatureCheck(issues=(parse_issue("xml-syntax", str(exc), *exc.position),))
    else:
        root = document.getroot() if isinstance(document, etree._ElementTree) else document
    now = at or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    context = _Context(root=root, trust=list(trust) if trust else None, require_trusted=require_trusted, now=now)

    signatures = [el for el in root.iter(f"{_D}Signature") if not _inside_signature(el)]
    if len(signatures) > MAX_SIGNATURES:
        # each signature costs a canonicalisation of the whole document: a flood of them is refused, not checked
        context.add(signatures[MAX_SIGNATURES], "malformed-signature",
                    f"the document carries {len(signatures)} signatures; only the first {MAX_SIGNATURES} are checked",
                    f"{_RULES_TH['malformed-signature']}: มีลายมือชื่อ {len(signatures)} รายการ ตรวจเฉพาะ {MAX_SIGNATURES} รายการแรก")
        signatures = signatures[:MAX_SIGNATURES]
    if not signatures:
        if require_signature:
            context.add(None, "missing-signature", "the document has no XML signature (ds:Signature), and one is required",
                        _RULES_TH["missing-signature"])
        return SignatureCheck(issues=tuple(context.issues))
    said = (anchors or "--trust") if trust else ""
    infos = tuple(replace(_check_one(context, el), anchors=said) for el in signatures)
    return SignatureCheck(signatures=infos, issues=tuple(context.issues))


def _inside_signature(el: etree._Element) -> bool:
    """A ds:Signature inside another one (a XAdES counter-signature, or content hidden in ds:Object) is not a signature of the document."""
    return any(a.tag == f"{_D}Signature" for a in el.iterancestors())


#: every attribute named Id, ID or id in any namespace (xml:id is an "id" too), as signxml resolves references
_ID_ATTRIBUTES = etree.XPath("//@*[local-name()='Id' or local-name()='ID' or local-name()='id']")


@dataclass
class _Context:
    root: etree._Element
    trust: list[x509.Certificate] | None
    require_trusted: bool
    now: dt.datetime
    issues: list[Issue] = field(default_factory=list)
    _by_id: dict[str, list[etree._Element]] | None = None

    def carrying(self, ident: str) -> list[etree._Element]:
        """The elements whose Id (Id, ID or id in any namespace; xml:id) is ``ident``: one XPath pass per document."""
        if self._by_id is None:
            self._by_id = {}
            for value in _ID_ATTRIBUTES(self.root):
                self._by_id.setdefault(str(value), []).append(value.getparent())
        return self._by_id.get(ident, [])

    def add(self, sig: etree._Element | None, rule: str, message: str, message_th: str, severity: str | None = None) -> None:
        location = sig.getroottree().getpath(sig) if sig is not None else ""
        self.issues.append(
            Issue(message=message, message_th=message_th, rule=rule, source="signature",
                  severity=(severity or RULES[rule][0]),  # type: ignore[arg-type]
                  location=location, line=sig.sourceline if sig is not None else None)
        )


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""



def _describe(el: etree._Element) -> str:
    return f"{el.prefix + ':' if el.prefix else ''}{_local(el)} at {el.getroottree().getpath(el)}"


_OWN_PARTS = {"SignedProperties", "KeyInfo", "SignatureProperties"}


@dataclass
class _Ref:
    index: int
    uri: str | None
    covers: str  # in words, for messages
    covers_document: bool = False


def _check_references(ctx: _Context, sig: etree._Element) -> tuple[list[_Ref], bool]:
    """What each reference covers; issues for wrapping and remote references. Returns (refs, crypto can run)."""
    refs: list[_Ref] = []
    runnable = True
    root = ctx.root
    references = sig.findall(f"{_D}SignedInfo/{_D}Reference")
    if len(references) > MAX_REFERENCES:
        # each reference to the document costs its canonicalisation: anyone can sign such a flood with a key of their own
        ctx.add(sig, "malformed-signature", f"the signature has {len(references)} references, more than the {MAX_REFERENCES} "
                "this checker verifies; it was not verified", f"{_RULES_TH['malformed-signature']}: การอ้างอิงมากเกิน {MAX_REFERENCES} รายการ")
        return [_Ref(i, r.get("URI"), "not examined") for i, r in enumerate(references[:1], start=1)], False
    for index, ref in enumerate(references, start=1):
        uri = ref.get("URI")
        xpath = [t.get("Algorithm") for t in ref.iterfind(f"{_D}Transforms/{_D}Transform")
                 if t.get("Algorithm") in _XPATH_TRANSFORMS and _ubl_signatures_of(t, sig) is None]
        if xpath:
            # signxml does not evaluate XPath filtering (UBL 2.1's own signatures and ZATCA's use it): saying
            # "digest mismatch" would blame the sender for what the checker cannot do
            ctx.add(sig, "not-verified", f"reference {index} uses an XPath transform ({xpath[0]}), which this checker does not evaluate: "
                    "its digest, and so the signature, were not verified", f"{_RULES_TH['not-verified']} (การอ้างอิงที่ {index})")
            runnable = False
        if uri == "":
            refs.append(_Ref(index, uri, f"the whole document ({_local(root)})", covers_document=True))
            continue
        if uri is None or uri.startswith("#xpointer("):
            ctx.add(sig, "malformed-signature", f"reference {index} has {'no URI' if uri is None else 'an XPointer URI'}, which is not supported",
                    f"{_RULES_TH['malformed-signature']}: การอ้างอิงที่ {index} ไม่มี URI หรือใช้ XPointer ซึ่งไม่รองรับ")
            runnable = False
            refs.append(_Ref(index, uri, "nothing that can be resolved"))
            continue
        if not uri.startswith("#"):
            ctx.add(sig, "remote-reference", f"reference {index} points outside the document (URI={uri!r}); it was not fetched and the signature cannot be checked against it",
                    f"{_RULES_TH['remote-reference']} (การอ้างอิงที่ {index}, URI={uri!r})")
            runnable = False
            refs.append(_Ref(index, uri, f"an outside resource {uri!r}"))
            continue
        ident = uri[1:]
        targets = ctx.carrying(ident)
        if len(targets) > 1:
            ctx.add(sig, "signature-wrapping", f"reference {index} (URI={uri!r}) is ambiguous: {len(targets)} elements carry Id {ident!r} "
                    f"({', '.join(_describe(t) for t in targets)})",
                    f"{_RULES_TH['signature-wrapping']}: มีองค์ประกอบ {len(targets)} รายการที่ใช้ Id {ident!r} ซ้ำกัน")
            runnable = False
            refs.append(_Ref(index, uri, f"one of {len(targets)} elements with Id {ident!r}"))
            continue
        if not targets:
            ctx.add(sig, "digest-mismatch", f"reference {index} (URI={uri!r}) points at an Id that is not in the document",
                    f"{_RULES_TH['digest-mismatch']} (การอ้างอิงที่ {index} ชี้ไปยัง Id {ident!r} ที่ไม่มีในเอกสาร)")
            runnable = False
            refs.append(_Ref(index, uri, "nothing (the Id is not in the document)"))
            continue
        target = targets[0]
        if target is root:
            refs.append(_Ref(index, uri, f"the whole document ({_local(root)})", covers_document=True))
        elif sig in target.iterancestors() and _local(target) in _OWN_PARTS:
            refs.append(_Ref(index, uri, f"the signature's own {_local(target)}"))
        else:
            where = "inside the signature's ds:Object" if sig in target.iterancestors() else "not the whole document"
            ctx.add(sig, "signature-wrapping", f"reference {index} (URI={uri!r}) covers only {_describe(target)}, {where}: "
                    "what was signed is not the document that is validated",
                    f"{_RULES_TH['signature-wrapping']}: การอ้างอิงที่ {index} ครอบคลุมเพียง {_local(target)}")
            refs.append(_Ref(index, uri, _describe(target)))
    if not refs:
        ctx.add(sig, "malformed-signature", "the signature has no ds:SignedInfo/ds:Reference", f"{_RULES_TH['malformed-signature']}: ไม่มี ds:Reference")
        return refs, False
    if sig.getparent() is not root and not _in_extension_slot(sig):
        ctx.add(sig, "signature-wrapping", f"the signature is not a child of the root element but sits inside {_describe(sig.getparent())}: "
                "an enveloped signature of this document belongs directly under the root",
                f"{_RULES_TH['signature-wrapping']}: ลายมือชื่อไม่ได้อยู่ใต้องค์ประกอบรากของเอกสาร")
    elif not any(r.covers_document for r in refs) and not any(i.rule == "signature-wrapping" and i.location == sig.getroottree().getpath(sig) for i in ctx.issues):
        ctx.add(sig, "signature-wrapping", "no reference covers the whole document (URI=\"\" or the root element's Id): the content is not signed",
                f"{_RULES_TH['signature-wrapping']}: ไม่มีการอ้างอิงที่ครอบคลุมเอกสารทั้งฉบับ")
    for method in sig.iterfind(f"{_D}KeyInfo/{_D}RetrievalMethod"):
        uri = method.get("URI", "")
        if not uri.startswith("#"):
            ctx.add(sig, "remote-reference", f"KeyInfo asks to retrieve the key from {uri!r}; it was not fetched",
                    f"{_RULES_TH['remote-reference']} (KeyInfo RetrievalMethod URI={uri!r})")
    return refs, runnable


_XPATH_TRANSFORMS = frozenset({"http://www.w3.org/TR/1999/REC-xpath-19991116", "http://www.w3.org/2002/06/xmldsig-filter2"})
#: UBL 2.1's place for a document's signatures (ext:UBLExtensions/…/ext:ExtensionContent): a signature there
#: with a reference to the whole document (URI="") signs the document like one under the root
_UBL_EXTENSION_CONTENT = "{urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2}ExtensionContent"


def _in_extension_slot(sig: etree._Element) -> bool:
    return any(a.tag == _UBL_EXTENSION_CONTENT for a in sig.iterancestors())


_XPATH_10 = "http://www.w3.org/TR/1999/REC-xpath-19991116"
_UBL_SIGNATURES = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
#: UBL 2.1's own signature profile (UBL 2.1, 5.3): the one XPath filter it prescribes keeps every node
#: outside the sig:UBLDocumentSignatures that holds this signature, which is the enveloped-signature
#: transform applied to that element; whitespace aside, nothing else is read as it
_UBL_XPATH = ("count(ancestor-or-self::sig:UBLDocumentSignatures|here()/ancestor::sig:UBLDocumentSignatures[1])"
              ">count(ancestor-or-self::sig:UBLDocumentSignatures)")


def _ubl_signatures_of(transform: etree._Element, sig: etree._Element) -> etree._Element | None:
    """The sig:UBLDocumentSignatures a UBL-profile XPath transform leaves out, or None for any other transform."""
    if transform.get("Algorithm") != _XPATH_10:
        return None
    expression = transform.find(f"{_D}XPath")
    if expression is None or "".join((expression.text or "").split()) != _UBL_XPATH or expression.nsmap.get("sig") != _UBL_SIGNATURES:
        return None
    return next((a for a in sig.iterancestors(f"{{{_UBL_SIGNATURES}}}UBLDocumentSignatures")), None)


@dataclass(frozen=True, slots=True)
class _Signer:
    """What a signature's certificates say, worked out once per set of certificates."""

    certs: tuple[x509.Certificate, ...]
    leaf: x509.Certificate
    subject: str
    issuer: str
    juristic_id: str | None
    key: str
    key_weakness: str | None


def _signer(sig: etree._Element) -> _Signer | None:
    """The certificates of ``ds:KeyInfo/ds:X509Data`` (None without any); raises ValueError on one that cannot be read.

    A receiver sees the same few signers again and again: what their certificates say is kept
    (by the certificates' exact text), so a signer's later documents do not decode them again.
    """
    texts = tuple("".join((el.text or "").split()) for el in sig.iterfind(f"{_D}KeyInfo/{_D}X509Data/{_D}X509Certificate"))
    if not texts:
        return None
    known = _SIGNERS.get(texts)
    if known is not None:
        return known
    certs = tuple(x509.load_der_x509_certificate(base64.b64decode(text, validate=True)) for text in texts)
    leaf = _leaf(list(certs))
    key, weakness = _describe_key(leaf)
    signer = _Signer(certs, leaf, leaf.subject.rfc4514_string(), leaf.issuer.rfc4514_string(), juristic_id(leaf), key, weakness)
    with _CACHE_LOCK:
        if len(_SIGNERS) >= _KEPT:
            _SIGNERS.pop(next(iter(_SIGNERS)))
        _SIGNERS[texts] = signer
    return signer


#: kept per process, oldest dropped first: signers by their certificates' text, and paths to a trust
#: anchor by (leaf, intermediates, anchors)
_SIGNERS: dict[tuple[str, ...], _Signer] = {}
_CHAINS: dict[tuple[Any, ...], tuple[x509.Certificate, ...]] = {}
_KEPT = 256
_CACHE_LOCK = threading.Lock()


def forget_signers() -> None:
    """Drop what is kept of signers' certificates and paths (for benchmarks, and after the trust anchors change on disk)."""
    with _CACHE_LOCK:
        _SIGNERS.clear()
        _CHAINS.clear()
    _fingerprint.cache_clear()


def _leaf(certs: list[x509.Certificate]) -> x509.Certificate:
    """The end-entity certificate: the one that issued none of the others (the first, when in doubt)."""
    if len(certs) == 1:
        return certs[0]
    issuers = {c.issuer for c in certs}
    for cert in certs:
        if cert.subject not in issuers:
            return cert
    return certs[0]


def _describe_key(cert: x509.Certificate) -> tuple[str, str | None]:
    """("RSA 2048", weakness or None)."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}", (f"an RSA key of {key.key_size} bits (at least 2048 are needed)" if key.key_size < 2048 else None)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", (f"an EC key on {key.curve.name} ({key.curve.key_size} bits; at least 256 are needed)" if key.curve.key_size < 256 else None)
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size}", "a DSA key (DSA is no longer accepted for new signatures)"
    return type(key).__name__, None


def _xades_child(el: etree._Element, local: str) -> list[etree._Element]:
    """``el`` and its descendants named ``local`` in any XAdES namespace, in document order."""
    return list(el.iter(*_xades_tags(local)))


@functools.cache
def _xades_tags(local: str) -> tuple[str, ...]:
    return tuple(f"{{{ns}}}{local}" for ns in XADES_NAMESPACES)


def _check_one(ctx: _Context, sig: etree._Element) -> SignatureInfo:
    location, line = sig.getroottree().getpath(sig), sig.sourceline
    issues_before = len(ctx.issues)
    refs, runnable = _check_references(ctx, sig)
    method = sig.find(f"{_D}SignedInfo/{_D}SignatureMethod")
    signature_algorithm = method.get("Algorithm") if method is not None else None
    digests = tuple(dict.fromkeys(d.get("Algorithm", "") for d in sig.iterfind(f"{_D}SignedInfo/{_D}Reference/{_D}DigestMethod")))
    qualifying = _xades_child(sig, "QualifyingProperties")
    info = SignatureInfo(location=location, line=line, form="XAdES-BES" if qualifying else "XML-DSig", intact=False,
                         signature_algorithm=signature_algorithm, digest_algorithms=digests)

    weak = [f"the signature algorithm {signature_algorithm}"] if signature_algorithm and "sha1" in signature_algorithm.lower() else []
    weak += [f"the digest algorithm {d}" for d in digests if "sha1" in d.lower()]
    try:
        signer = _signer(sig)
    except (ValueError, binascii.Error) as exc:
        ctx.add(sig, "malformed-signature", f"a KeyInfo X509Certificate cannot be read: {exc}", f"{_RULES_TH['malformed-signature']}: อ่านใบรับรองใน KeyInfo ไม่ได้")
        return info
    if signer is None:
        ctx.add(sig, "malformed-signature", "the signature carries no certificate (ds:KeyInfo/ds:X509Data/ds:X509Certificate); the signer cannot be known",
                f"{_RULES_TH['malformed-signature']}: ไม่มีใบรับรองของผู้ลงลายมือชื่อใน KeyInfo")
        return info
    leaf, certs = signer.leaf, list(signer.certs)
    if signer.key_weakness:
        weak.append(signer.key_weakness)
    info = replace(info, signer=signer.subject, juristic_id=signer.juristic_id, issuer=signer.issuer, key=signer.key)
    for what in weak:
        ctx.add(sig, "weak-algorithm", f"the signature uses {what}, which is no longer safe", f"{_RULES_TH['weak-algorithm']}: {what}")

    verified: list[Any] = []
    if runnable:
        verified = _verify_crypto(ctx, sig, leaf, refs)

    signing_time = None
    signed_props = next((r.signed_xml for r in verified if r.signed_xml is not None and _local(r.signed_xml) == "SignedProperties"), None)
    if signed_props is not None:
        signing_time = _signing_time(ctx, sig, signed_props)
        key_info_signed = any(r.covers == "the signature's own KeyInfo" for r in refs)
        _check_signing_certificate(ctx, sig, signed_props, leaf, key_info_signed=key_info_signed)
        if _xades_child(signed_props, "SignaturePolicyIdentifier") and _xades_child(signed_props, "SigPolicyId"):
            info = replace(info, form="XAdES-EPES")
        target = qualifying[0].get("Target") if qualifying else None
        if target and target != f"#{sig.get('Id')}":
            ctx.add(sig, "signature-wrapping", f"the XAdES properties say they belong to signature {target!r}, not to this one ({sig.get('Id')!r})",
                    f"{_RULES_TH['signature-wrapping']}: คุณสมบัติ XAdES เป็นของลายมือชื่ออื่น")
    elif qualifying and verified:
        ctx.add(sig, "unsigned-properties", "XAdES QualifyingProperties are present but SignedProperties is not covered by the signature; SigningTime and SigningCertificate were ignored",
                _RULES_TH["unsigned-properties"])

    timestamp = _check_timestamps(ctx, sig, qualifying)
    if timestamp.verdict != "absent":
        info = replace(info, form="XAdES-T")
    # the time the certificate must have been valid: a valid time-stamp proves it; else the claimed signing time
    when, said = (timestamp.time, "the time-stamp's time") if timestamp.verdict == "valid" and timestamp.time else \
        (signing_time, "the XAdES SigningTime") if signing_time else (ctx.now, "the time of checking")
    assert when is not None
    if not leaf.not_valid_before_utc <= when <= leaf.not_valid_after_utc:
        state = "had expired" if when > leaf.not_valid_after_utc else "was not yet valid"
        ctx.add(sig, "expired-at-signing-time",
                f"the signer's certificate {state} at {said} ({when.isoformat()}); it is valid from {leaf.not_valid_before_utc.isoformat()} to {leaf.not_valid_after_utc.isoformat()}",
                f"{_RULES_TH['expired-at-signing-time']} (เวลา {when.isoformat()}; ใบรับรองใช้ได้ตั้งแต่ {leaf.not_valid_before_utc.date()} ถึง {leaf.not_valid_after_utc.date()})")
    trust = _check_trust(ctx, sig, leaf, certs, when, "signer")
    mine = ctx.issues[issues_before:]
    broken = any(i.severity == "error" and i.rule in ("digest-mismatch", "signature-value", "signature-wrapping", "malformed-signature",
                                                      "remote-reference", "signing-certificate-mismatch") for i in mine)
    unverifiable = any(i.rule == "not-verified" and "transform" in i.message for i in mine)
    return replace(info, intact=bool(verified) and not broken, signing_time=signing_time, trust=trust, timestamp=timestamp,
                   verified=not unverifiable)


def _verify_crypto(ctx: _Context, sig: etree._Element, leaf: x509.Certificate, refs: list[_Ref]) -> list[Any]:
    """signxml: the signature value, then each reference's digest. Returns signxml's VerifyResults ([] on failure)."""
    from signxml.exceptions import InvalidDigest, InvalidSignature, SignXMLException

    verifier, config = _verifier(ctx, sig, leaf)
    accepted = verifier.accept(ctx.root, leaf, config)
    if accepted:
        return accepted
    try:
        # a fresh verifier: nothing the in-place attempt set on the first one reaches signxml's verdict
        results = _verifier(ctx, sig, leaf)[0].verify(ctx.root, x509_cert=leaf, expect_config=config, parser=_parser(), uri_resolver=_refuse_outside)
    except InvalidDigest as exc:
        match = re.search(r"reference (\d+)", str(exc))
        ref = refs[int(match.group(1))] if match and int(match.group(1)) < len(refs) else None
        what = f"reference {ref.index} (URI={ref.uri!r}, covering {ref.covers})" if ref else "a reference"
        ctx.add(sig, "digest-mismatch", f"the digest of {what} does not match: the content it covers was changed after signing",
                f"{_RULES_TH['digest-mismatch']} (การอ้างอิงที่ {ref.index if ref else '?'}: {ref.covers if ref else ''})")
        return []
    except InvalidSignature as exc:
        ctx.add(sig, "signature-value", f"the signature value does not verify with the certificate in KeyInfo ({leaf.subject.rfc4514_string()}): "
                f"SignedInfo was changed or signed with another key ({exc})",
                f"{_RULES_TH['signature-value']} ({leaf.subject.rfc4514_string()})")
        return []
    except (SignXMLException, etree.DocumentInvalid, ValueError, KeyError, TypeError) as exc:
        ctx.add(sig, "malformed-signature", f"the signature cannot be verified: {exc}", f"{_RULES_TH['malformed-signature']} ({exc})")
        return []
    return results if isinstance(results, list) else [results]


def _refuse_outside(uri: str) -> None:
    from signxml.exceptions import SignXMLException

    raise SignXMLException(f"outside reference {uri!r} not fetched")


def _verifier(ctx: _Context, sig: etree._Element, leaf: x509.Certificate) -> tuple[Any, Any]:
    """A signxml verifier for the signature ``sig`` of the document ``ctx.root``, and what it must accept."""
    return _verifier_class()(ctx, child_indexes(sig)), _verifier_config()


@functools.cache
def _verifier_config() -> Any:
    from signxml import SignatureConfiguration
    from signxml.algorithms import DigestAlgorithm, SignatureMethod

    return SignatureConfiguration(
        expect_references=True,
        require_x509=True,
        # weak algorithms are reported as such (weak-algorithm), not as a failure to verify
        signature_methods=frozenset(m for m in SignatureMethod if not m.name.startswith("HMAC")),
        digest_algorithms=frozenset(DigestAlgorithm),
    )


@functools.cache
def _verifier_class() -> type:
    """signxml's XMLVerifier, made for one signature of a document the validator has already parsed (built on first use: signxml loads lazily)."""
    from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
    from signxml import XMLVerifier
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
    from signxml.exceptions import InvalidInput, SignXMLException
    from signxml.util import _remove_sig
    from signxml.verifier import VerifyResult

    c14n_methods = {m.value: m for m in CanonicalizationMethod}

    class _ThisSignature(XMLVerifier):
        """signxml's verifier, for one signature of a document the validator has already parsed.

        signxml copies the whole document (serialise, re-parse) before each reference and again
        before each transform, which made checking a 50 KB invoice's three references cost several
        times its XSD validation. Here each reference is first digested the cheap way, by signxml's
        own canonicalisation (``_c14n``) of the document as parsed: the enveloped signature (or
        UBL's signatures container) is taken out for that one canonicalisation and put back, a
        same-document ``#id`` is the element that carries it. Only a digest that does not match
        that way goes through signxml's own path, so a mismatch is always signxml's verdict, and a
        match means the signed bytes are those of the document being validated.
        """

        def __init__(self, ctx: _Context, path: list[int]) -> None:
            super().__init__()
            self._ctx, self._path = ctx, path
            self._key: bytes | None = None

        def _get_signature(self, root: etree._Element) -> etree._Element:
            # signxml verifies the first ds:Signature it finds; point it at the one being checked
            el = root
            for i in self._path:
                el = el[i]
            return el

        def get_root(self, data: Any) -> Any:
            # signxml's copy guards the caller's tree against its own changes; nothing here changes it.
            # Its refusals stay: the validator's parser resolves no entities and loads no DTD.
            docinfo = data.getroottree().docinfo
            if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
                raise InvalidInput("DTD declarations are not supported in XML input")
            if next(data.iter(etree.Entity), None) is not None:
                raise InvalidInput("Entities are not supported in XML input")
            return data

        def accept(self, root: etree._Element, leaf: x509.Certificate, config: Any) -> list[Any] | None:
            """signxml's checks of ``verify()``, in its order and with its own parts, on the document as parsed.

            Returns the VerifyResults when every one passes, or None: then ``verify()`` itself runs
            and gives the verdict. It never rejects, so a failure is always signxml's to name; it
            accepts only the common form (an X.509 certificate, a KeyValue only if it is that
            certificate's key, references this class resolves itself) and copies nothing.
            SignedInfo is read in place once its canonical form has verified: a comment inside it
            cannot change an element, and anything that reads differently in place fails here and
            goes to ``verify()``.
            """
            self.config, self.x509_cert, self.hmac_key, self._parser = config, leaf, None, _parser()
            sig = self._get_signature(root)
            try:
                self.validate_schema(sig)
                signed_info = _ds(sig, "SignedInfo")
                c14n_method = _ds(signed_info, "CanonicalizationMethod")
                algorithm = SignatureMethod(_ds(signed_info, "SignatureMethod").get("Algorithm"))
                self.check_signature_alg_expected(algorithm)
                # a KeyValue beside the certificate (Java's and .NET's signers add one) must be the same key
                self._match_key_values(key_value=sig.find(f"{_D}KeyInfo/{_D}KeyValue"),
                                       der_encoded_key_value=sig.find(f"{_D}KeyInfo/{{{_DSIG11}}}DEREncodedKeyValue"),
                                       signing_cert=leaf, signature_alg=algorithm)
                signed_info_c14n = self._c14n(signed_info, algorithm=CanonicalizationMethod(c14n_method.get("Algorithm")),
                                              inclusive_ns_prefixes=self._get_inclusive_ns_prefixes(c14n_method))
                _, key = self._verify_signature_with_pubkey(signed_info_c14n=signed_info_c14n, raw_signature=base64.b64decode(_ds(sig, "SignatureValue").text or ""),
                                                            signature_alg=algorithm, signing_certificate=leaf)
                results = [self._accept_reference(reference, root, sig, key) for reference in signed_info.iterchildren(f"{_D}Reference")]
            except (SignXMLException, CryptoInvalidSignature, etree.DocumentInvalid, ValueError, KeyError, TypeError):
                return None
            return results if results and all(r is not None for r in results) else None

        def _accept_reference(self, reference: etree._Element, root: etree._Element, sig: etree._Element, key: Any) -> Any:
            quick = self._quick(reference, root)
            return None if quick is None else self._if_digest_matches(reference, *quick, sig, key)

        def _if_digest_matches(self, reference: etree._Element, payload_c14n: bytes, target: etree._Element, sig: etree._Element, key: Any) -> Any:
            """signxml's VerifyResult for ``reference`` when ``payload_c14n`` has its digest, else None."""
            algorithm = DigestAlgorithm(_ds(reference, "DigestMethod").get("Algorithm"))
            self.check_digest_alg_expected(algorithm)
            if base64.b64decode(_ds(reference, "DigestValue").text or "") != self._get_digest(payload_c14n, algorithm):
                return None
            if self._key is None:
                self._key = key if isinstance(key, bytes) else key.public_bytes(_Encoding.PEM, _PublicFormat.SubjectPublicKeyInfo)
            return VerifyResult(payload_c14n, self._signed_xml(target, payload_c14n), sig, signature_key=self._key)

        def _get_inclusive_ns_prefixes(self, transform_node: etree._Element) -> list[str] | None:
            # signxml's, with the path in Clark notation (lxml caches its parse; a prefix map defeats that)
            inclusive = transform_node.find(_INCLUSIVE_NAMESPACES)
            return None if inclusive is None else inclusive.get("PrefixList", "").split(" ")

        def _check_cert_validity(self, cert: x509.Certificate, cert_source: str) -> None:
            # validity is judged apart, at the signing time (expired-at-signing-time)
            return None

        def _verify_reference(self, reference, index, root, uri_resolver, c14n_algorithm, signature, signature_key_used):  # type: ignore[no-untyped-def]
            quick = self._quick(reference, root)
            matched = None if quick is None else self._if_digest_matches(reference, *quick, signature, signature_key_used)
            return matched or super()._verify_reference(reference, index, root, uri_resolver, c14n_algorithm, signature, signature_key_used)

        def _quick(self, reference: etree._Element, root: etree._Element) -> tuple[bytes, etree._Element] | None:
            """(canonical bytes, the element they are of), or None where signxml's own path is needed."""
            uri = reference.get("URI")
            transforms = reference.findall(f"{_D}Transforms/{_D}Transform")
            names = [t.get("Algorithm") for t in transforms]
            c14n = [t for t in transforms if t.get("Algorithm") in c14n_methods]
            sig = self._get_signature(root)
            # UBL's profile filter leaves out the signatures' container: the enveloped transform on it
            ubl = [u for t in transforms if (u := _ubl_signatures_of(t, sig)) is not None]
            if len(c14n) > 1 or len(ubl) > 1 or any(n != _ENVELOPED and n not in c14n_methods for n in names if n != _XPATH_10) \
                    or names.count(_XPATH_10) != len(ubl):
                return None
            if uri == "":
                target = root
            elif uri and uri.startswith("#") and len(found := self._ctx.carrying(uri[1:])) == 1:
                target = found[0]
            else:
                return None
            if (_ENVELOPED in names or ubl) and target is not root:
                return None
            method = c14n_methods[c14n[0].get("Algorithm")] if c14n else self.config.default_reference_c14n_method
            # XML-DSig 4.4.3.3: a same-document reference ("" or #id) is its node-set minus comments, so
            # a WithComments transform after it has none to keep (libxmlsec1 does this; signxml keeps them,
            # and its verdict is still asked when this one does not match)
            method = c14n_methods.get(method.value.removesuffix("#WithComments"), method)
            prefixes = self._get_inclusive_ns_prefixes(c14n[0]) if c14n else None
            if ubl:
                with _enveloped_out(ubl[0], _remove_sig):
                    return self._c14n(root, algorithm=method, inclusive_ns_prefixes=prefixes), root
            if _ENVELOPED not in names:
                return self._c14n(target, algorithm=method, inclusive_ns_prefixes=prefixes), target
            with _enveloped_out(sig, _remove_sig):
                return self._c14n(root, algorithm=method, inclusive_ns_prefixes=prefixes), root

        def _signed_xml(self, target: etree._Element, payload_c14n: bytes) -> etree._Element | None:
            """What was signed, read back from the signed bytes (signxml's rule: unsigned comments are gone).

            Only XAdES SignedProperties are read later; the whole document is the tree the validator
            checks, and reading 50 KB back for nothing would cost as much as its canonicalisation.
            """
            if _local(target) != "SignedProperties":
                return None
            if next(target.iter(etree.Comment, etree.ProcessingInstruction), None) is None:
                return target  # nothing in it that the canonical form leaves out: it reads as signed
            try:
                return self._fromstring(payload_c14n)
            except etree.XMLSyntaxError:
                return None

    return _ThisSignature


def _ds(el: etree._Element, local: str) -> etree._Element:
    """The first ds:``local`` child of ``el``; signxml's InvalidInput when there is none (as its ``_find``)."""
    found = el.find(f"{_D}{local}")
    if found is None:
        from signxml.exceptions import InvalidInput

        raise InvalidInput(f"Expected to find XML element {local} in {el.tag}")
    return found


@contextlib.contextmanager
def _enveloped_out(sig: etree._Element, remove: Any) -> Iterator[None]:
    """The enveloped-signature transform on the document itself, undone on leaving.

    ``remove`` is signxml's own removal (its tail text joins the text before it), so the canonical
    bytes are those signxml computes on its copy; the text it joined and the signature are put back
    exactly, even when canonicalisation fails, and a copy of a 50 KB document is saved.
    """
    parent = sig.getparent()
    if parent is None:
        yield
        return
    index, before, tail = parent.index(sig), sig.getprevious(), sig.tail
    text = before.tail if before is not None else parent.text
    remove(sig, idempotent=True)
    try:
        yield
    finally:
        if before is not None:
            before.tail = text
        else:
            parent.text = text
        parent.insert(index, sig)
        sig.tail = tail


def _signing_time(ctx: _Context, sig: etree._Element, signed_props: etree._Element) -> dt.datetime | None:
    found = _xades_child(signed_props, "SigningTime")
    if not found or not (found[0].text or "").strip():
        return None
    try:
        value = dt.datetime.fromisoformat(found[0].text.strip().replace("Z", "+00:00"))
    except ValueError:
        ctx.add(sig, "malformed-signature", f"XAdES SigningTime {found[0].text!r} is not an xs:dateTime", f"{_RULES_TH['malformed-signature']}: SigningTime ไม่ถูกต้อง")
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#sha224": hashes.SHA224,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}


@functools.lru_cache(maxsize=256)
def _fingerprint(cert: x509.Certificate, algorithm: type[hashes.HashAlgorithm]) -> bytes:
    return cert.fingerprint(algorithm())


def _check_signing_certificate(ctx: _Context, sig: etree._Element, signed_props: etree._Element, leaf: x509.Certificate, *,
                               key_info_signed: bool = False) -> None:
    """XAdES SigningCertificate(V2): its first Cert's digest must be the digest of the certificate that signed.

    Without one, XAdES (EN 319 132-1, 5.2.2) still binds the certificate when a reference signs
    ``ds:KeyInfo``; otherwise the signer's certificate could be swapped for another with the same key.
    """
    holders = _xades_child(signed_props, "SigningCertificateV2") or _xades_child(signed_props, "SigningCertificate")
    if not holders:
        if not key_info_signed:
            ctx.add(sig, "signing-certificate-unbound", "XAdES SignedProperties name no SigningCertificate(V2) and no reference signs KeyInfo: "
                    "the signer's certificate is not bound to the signature (the signature itself verifies)",
                    _RULES_TH["signing-certificate-unbound"])
        return
    cert_el = next(iter(_xades_child(holders[0], "Cert")), None)
    method = cert_el.find(f".//{_D}DigestMethod") if cert_el is not None else None
    value = cert_el.find(f".//{_D}DigestValue") if cert_el is not None else None
    algorithm = _DIGESTS.get(method.get("Algorithm", "")) if method is not None else None
    if algorithm is None or value is None:
        ctx.add(sig, "malformed-signature", "XAdES SigningCertificate has no readable CertDigest", f"{_RULES_TH['malformed-signature']}: อ่าน CertDigest ไม่ได้")
        return
    try:
        claimed = base64.b64decode("".join((value.text or "").split()), validate=True)
    except binascii.Error:
        claimed = b""
    if claimed != _fingerprint(leaf, algorithm):
        ctx.add(sig, "signing-certificate-mismatch",
                f"XAdES {_local(holders[0])} names another certificate than the one that signed ({leaf.subject.rfc4514_string()})",
                f"{_RULES_TH['signing-certificate-mismatch']} ({leaf.subject.rfc4514_string()})")


def _check_trust(ctx: _Context, sig: etree._Element, leaf: x509.Certificate, certs: list[x509.Certificate], when: dt.datetime, who: str) -> Trust:
    """The path from ``leaf`` to a trust anchor at ``when`` (moved inside the leaf's validity: expiry is reported on its own)."""
    severity = "error" if ctx.require_trusted else "warning"
    if not ctx.trust:
        if ctx.require_trusted:
            ctx.add(sig, "untrusted-signer", f"no trust anchors were given (--trust, or a trust list in the catalog), so the {who}'s certificate ({leaf.subject.rfc4514_string()}) cannot be trusted",
                    f"{_RULES_TH['untrusted-signer']}: ไม่ได้กำหนดใบรับรองหลักที่เชื่อถือ", severity)
        return "not-checked"
    from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

    at = min(max(when, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
    intermediates = [c for c in certs if c is not leaf]
    key = (leaf, tuple(intermediates), tuple(ctx.trust))
    known = _CHAINS.get(key)
    # a path once built from these very certificates stays valid at any time all of its certificates
    # are valid (nothing else in the check depends on time): a signer's later documents skip the search
    if known is not None and all(c.not_valid_before_utc <= at <= c.not_valid_after_utc for c in known):
        return "trusted"
    builder = (
        PolicyBuilder().store(Store(ctx.trust)).time(at)
        # signing certificates carry no TLS client EKU; the CA side keeps the Web PKI's rules
        .extension_policies(ee_policy=ExtensionPolicy.permit_all(), ca_policy=ExtensionPolicy.webpki_defaults_ca())
    )
    try:
        chain = builder.build_client_verifier().verify(leaf, intermediates).chain
    except VerificationError as exc:
        ctx.add(sig, "untrusted-signer", f"the {who}'s certificate ({leaf.subject.rfc4514_string()}, issued by {leaf.issuer.rfc4514_string()}) "
                f"does not chain to a trust anchor: {exc}",
                f"{_RULES_TH['untrusted-signer']} ({leaf.subject.rfc4514_string()})", severity)
        return "untrusted"
    with _CACHE_LOCK:
        if len(_CHAINS) >= _KEPT:
            _CHAINS.pop(next(iter(_CHAINS)))
        _CHAINS[key] = tuple(chain)
    return "trusted"




# ---- RFC 3161 signature time-stamps (XAdES-T) -------------------------------------------------------

_TST_INFO = "1.2.840.113549.1.9.16.1.4"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_HASH_OIDS = {
    "1.3.14.3.2.26": hashes.SHA1, "2.16.840.1.101.3.4.2.4": hashes.SHA224, "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384, "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
_SIG_HASH_OIDS = {
    "1.2.840.113549.1.1.5": hashes.SHA1, "1.2.840.113549.1.1.11": hashes.SHA256, "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512, "1.2.840.10045.4.3.2": hashes.SHA256, "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
}


class _UnsupportedToken(Exception):
    """A time-stamp of a kind this checker does not read (XAdES XMLTimeStamp)."""


class _BadToken(ValueError):
    """The token is unreadable, does not verify, or stamps other data; the message says which."""


def _check_timestamps(ctx: _Context, sig: etree._Element, qualifying: list[etree._Element]) -> TimeStampInfo:
    stamps = [s for q in qualifying for s in _xades_child(q, "SignatureTimeStamp")]
    if not stamps:
        return TimeStampInfo()
    if importlib.util.find_spec("cryptography.hazmat.asn1") is None:  # cryptography < 47 cannot decode the token
        return TimeStampInfo(verdict="not-checked")
    result = TimeStampInfo()
    for stamp in stamps:
        try:
            time, tsa, tsa_certs = _verify_token(sig, stamp)
        except _UnsupportedToken as exc:
            ctx.add(sig, "not-verified", f"the signature time-stamp was not checked: {exc}", f"{_RULES_TH['not-verified']}: {exc}")
            return TimeStampInfo(verdict="not-checked")
        except _BadToken as exc:
            ctx.add(sig, "timestamp-invalid", f"the signature time-stamp is not valid: {exc}", f"{_RULES_TH['timestamp-invalid']}: {exc}")
            return TimeStampInfo(verdict="invalid")
        _check_trust(ctx, sig, tsa, tsa_certs, time, "time-stamp authority")
        result = TimeStampInfo(verdict="valid", time=time, authority=tsa.subject.rfc4514_string())
    return result


def _der(tlv: Any) -> bytes:
    """The whole encoding of a decoded TLV (tag, DER length, contents)."""
    data = bytes(tlv.data)
    n = len(data)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes(tlv.tag_bytes) + length + data


def _items(data: bytes) -> list[Any]:
    """The elements of a constructed value's contents, read as a SEQUENCE OF ANY."""
    from cryptography.hazmat import asn1

    n = len(data)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return asn1.decode_der(list[asn1.TLV], b"\x30" + length + data)


def _verify_token(sig: etree._Element, stamp: etree._Element) -> tuple[dt.datetime, x509.Certificate, list[x509.Certificate]]:
    """Decode and verify one EncapsulatedTimeStamp: its TSA signature, and that it stamps this SignatureValue."""
    from cryptography.hazmat import asn1

    encapsulated = next(iter(_xades_child(stamp, "EncapsulatedTimeStamp")), None)
    if encapsulated is None:
        if next(iter(_xades_child(stamp, "XMLTimeStamp")), None) is not None:
            raise _UnsupportedToken("it is an XMLTimeStamp, which this checker does not read")
        raise _BadToken("SignatureTimeStamp has no EncapsulatedTimeStamp")
    try:
        token = base64.b64decode("".join((encapsulated.text or "").split()), validate=True)
        content_info = asn1.decode_der(list[asn1.TLV], token)
        if content_info[0].parse(x509.ObjectIdentifier).dotted_string != _SIGNED_DATA:
            raise _BadToken("the token is not CMS SignedData")
        signed_data = _items(bytes(content_info[1].data))[0]
        parts = _items(bytes(signed_data.data))
        encap = _items(bytes(parts[2].data))
        if encap[0].parse(x509.ObjectIdentifier).dotted_string != _TST_INFO:
            raise _BadToken("the token does not carry an RFC 3161 TSTInfo")
        tst_bytes = _items(bytes(encap[1].data))[0].parse(bytes)
        certs = [t.parse(x509.Certificate) for p in parts[3:] if bytes(p.tag_bytes) == b"\xa0" for t in _items(bytes(p.data))]
        signer_info = _items(bytes(parts[-1].data))[0]
        si = _items(bytes(signer_info.data))
        sid, digest_alg = si[1], _items(bytes(si[2].data))[0].parse(x509.ObjectIdentifier).dotted_string
        signed_attrs = si[3] if bytes(si[3].tag_bytes) == b"\xa0" else None
        rest = si[4:] if signed_attrs is not None else si[3:]
        sig_alg = _items(bytes(rest[0].data))[0].parse(x509.ObjectIdentifier).dotted_string
        signature = rest[1].parse(bytes)
        tst = asn1.decode_der(list[asn1.TLV], tst_bytes)
        imprint = _items(bytes(tst[2].data))
        imprint_alg = _items(bytes(imprint[0].data))[0].parse(x509.ObjectIdentifier).dotted_string
        hashed = imprint[1].parse(bytes)
        gen_time = tst[4].parse(asn1.GeneralizedTime).as_datetime()
    except _BadToken:
        raise
    except (ValueError, IndexError, binascii.Error) as exc:
        raise _BadToken(f"the token cannot be read ({exc})") from None

    # 1. the token stamps this signature: the imprint is the digest of the c14n of ds:SignatureValue
    value = sig.find(f"{_D}SignatureValue")
    c14n = stamp.find(f"{_D}CanonicalizationMethod")
    algorithm = c14n.get("Algorithm", _C14N_10) if c14n is not None else _C14N_10
    if imprint_alg not in _HASH_OIDS or digest_alg not in _HASH_OIDS:
        raise _BadToken(f"the token uses an unsupported digest ({imprint_alg})")
    if value is None:
        raise _BadToken("the signature has no SignatureValue to stamp")
    canonical = etree.tostring(value, method="c14n", exclusive="xml-exc-c14n" in algorithm, with_comments=algorithm.endswith("WithComments"))
    if _digest(_HASH_OIDS[imprint_alg], canonical) != hashed:
        raise _BadToken("its message imprint is not the digest of this signature's SignatureValue: it stamps other data")

    # 2. the TSA signed it: signed attributes bind the TSTInfo (messageDigest), the TSA's key signs them
    tsa = _match_signer(sid, certs)
    if signed_attrs is None:
        raise _BadToken("the token's SignerInfo has no signed attributes (RFC 3161 requires them)")
    attrs = {}
    for attr in _items(bytes(signed_attrs.data)):
        a = _items(bytes(attr.data))
        attrs[a[0].parse(x509.ObjectIdentifier).dotted_string] = _items(bytes(a[1].data))[0]
    digest_attr = attrs.get("1.2.840.113549.1.9.4")
    if digest_attr is None or digest_attr.parse(bytes) != _digest(_HASH_OIDS[digest_alg], tst_bytes):
        raise _BadToken("its messageDigest attribute does not match the TSTInfo")
    # the signature covers the DER of the attributes as a SET (tag 0x31), not as the [0] they are stored as
    signed = b"\x31" + _der(signed_attrs)[1:]
    key = tsa.public_key()
    hash_cls = _SIG_HASH_OIDS.get(sig_alg) or _HASH_OIDS[digest_alg]
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), hash_cls())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(hash_cls()))
        else:
            raise _BadToken(f"the TSA's key type {type(key).__name__} is not supported")
    except _CryptoInvalidSignature:
        raise _BadToken(f"the TSA's signature ({tsa.subject.rfc4514_string()}) does not verify") from None
    if not tsa.not_valid_before_utc <= gen_time <= tsa.not_valid_after_utc:
        raise _BadToken(f"the TSA's certificate was not valid at the stamped time {gen_time.isoformat()}")
    return gen_time, tsa, certs


def _digest(algorithm: type[hashes.HashAlgorithm], data: bytes) -> bytes:
    h = hashes.Hash(algorithm())
    h.update(data)
    return h.finalize()


def _match_signer(sid: Any, certs: list[x509.Certificate]) -> x509.Certificate:
    """The certificate a SignerInfo's sid names: [0] subjectKeyIdentifier, or issuerAndSerialNumber."""
    for cert in certs:
        if bytes(sid.tag_bytes) == b"\x80":
            try:
                if cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest == bytes(sid.data):
                    return cert
            except x509.ExtensionNotFound:
                continue
        else:
            issuer, serial = _items(bytes(sid.data))
            if serial.parse(int) == cert.serial_number and _der(issuer) == cert.issuer.public_bytes():
                return cert
    raise _BadToken("the token does not carry the TSA's certificate")


# ---- what a report says about each signature, and the trust anchors a user gives --------------------

_TRUST_TH = {"trusted": "ผู้ลงลายมือชื่อเชื่อถือได้", "untrusted": "ผู้ลงลายมือชื่อไม่อยู่ในสายใบรับรองที่เชื่อถือ", "not-checked": "ยังไม่ได้ตรวจความน่าเชื่อถือของผู้ลงลายมือชื่อ (ไม่ได้ให้ --trust และแค็ตตาล็อกไม่มีรายการใบรับรองที่เชื่อถือของมาตรฐานนี้)"}
TRUST_WORDS = {"trusted": "signer trusted", "untrusted": "signer not trusted",
               "not-checked": "signer's trust not checked (no --trust, and no trust list in the catalog for this standard)"}


def _algorithm_name(uri: str | None) -> str:
    """``rsa-sha256`` for ``http://www.w3.org/2001/04/xmldsig-more#rsa-sha256``."""
    return (uri or "?").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def summary_issue(info: SignatureInfo) -> Issue:
    """One ``info`` issue naming who signed, when, with what, and the verdicts: every report format shows it."""
    who = info.signer or "an unknown signer"
    if info.juristic_id:
        who += f" (ID {info.juristic_id})"
    when = info.signing_time.isoformat() if info.signing_time else "no verified signing time"
    stamp = f"; time-stamped {info.timestamp.time.isoformat()} by {info.timestamp.authority}" if info.timestamp.verdict == "valid" and info.timestamp.time else ""
    verdict = "intact" if info.intact else "BROKEN" if info.verified else "not verified"
    against = f" (anchors: {info.anchors})" if info.anchors else ""
    message = (f"{info.form} signature by {who}, issued by {info.issuer or '?'}, at {when}{stamp} "
               f"({_algorithm_name(info.signature_algorithm)}, {info.key or '?'}): {verdict}, {TRUST_WORDS[info.trust]}{against}")
    verdict_th = "ลายมือชื่อถูกต้อง เอกสารไม่ถูกแก้ไข" if info.intact else "ลายมือชื่อไม่ถูกต้อง" if info.verified else "ไม่ได้ตรวจลายมือชื่อ"
    when_th = info.signing_time.isoformat() if info.signing_time else "ไม่มีเวลาลงลายมือชื่อที่ตรวจยืนยันได้"
    against_th = f" (ใบรับรองหลักจาก {info.anchors})" if info.anchors else ""
    message_th = (f"ลายมือชื่อ {info.form} ของ {who} ออกโดย {info.issuer or '?'} เวลา {when_th}: {verdict_th}, {_TRUST_TH[info.trust]}{against_th}")
    return Issue(message=message, message_th=message_th, rule="signed", source="signature", severity="info",
                 location=info.location, line=info.line)


def load_trust(paths: Sequence[str | Path], *, what: str = "--trust") -> tuple[x509.Certificate, ...]:
    """Trust anchors from PEM files, or every ``.pem``/``.crt``/``.cer`` file of a folder.

    ``what`` names the setting in errors (``--trust``, or a standard's trust list).

    :raises TrustListError: a path that cannot be read or holds no certificate (a configuration error),
        naming the file.
    """
    from .errors import TrustListError

    found: list[x509.Certificate] = []
    for given in paths:
        path = Path(given)
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise TrustListError(path, f"{what} folder holds no .pem, .crt or .cer file")
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise TrustListError(file, f"{what} file cannot be read: {exc.strerror}") from None
            try:
                certs = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
            except ValueError as exc:
                raise TrustListError(file, f"{what} file holds no readable certificate (PEM or DER): {exc}") from None
            found += certs
    return tuple(found)
