"""A test PKI made in memory, XML signed with it (signxml), and every tamper kind the signature check must catch.

Nothing here is stored: keys and certificates are made once per test process (RSA key generation is
slow) by :func:`make_pki`. The signed document is a real example of ETDA's e-Tax Invoice & e-Receipt
kit (v2.1.0). The RFC 3161 time-stamp tokens come from a test TSA in :func:`make_timestamp_token`,
encoded with ``cryptography.hazmat.asn1`` (cryptography >= 47).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from cryptography import x509
from cryptography.hazmat import asn1
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.xades import XAdESSigner

from dxs.validator.formats import thai_id_check_digit
from tests.conftest import ROOT

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"ds": DS, "xades": XADES}

#: the e-Tax document every test signs: a real example of ETDA's kit
EXAMPLE = ROOT / "standards/th.etda.e-tax-invoice-receipt/2.1.0/examples/tax-invoice/valid/tax-invoice-388-stationery.xml"
#: the seller's juristic ID in the signer's certificate (13 digits, valid check digit)
JURISTIC_ID = "010555601234" + str(thai_id_check_digit("010555601234"))

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclasses.dataclass(frozen=True)
class Party:
    """A key and its certificate, with the intermediates that lead to a root (leaf first)."""

    key: PrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    @property
    def certs(self) -> list[x509.Certificate]:
        return [self.cert, *self.chain]


@dataclasses.dataclass(frozen=True)
class PKI:
    """Root → intermediate → signers, a second CA, and a time-stamp authority."""

    root: Party
    intermediate: Party
    signer: Party  # juristic ID in subject serialNumber
    expired_signer: Party
    stranger: Party  # a signer from another CA
    other_root: Party
    rsa1024: Party
    ecdsa: Party
    tsa: Party

    @property
    def trust(self) -> list[x509.Certificate]:
        return [self.root.cert]


def _name(cn: str, *, serial: str | None = None, org: str = "DXS TEST PKI (not a real CA)") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _issue(
    subject: x509.Name,
    key: PrivateKey,
    issuer: Party | None,
    *,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> x509.Certificate:
    """A certificate for ``key``; self-signed when ``issuer`` is None."""
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def _rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@functools.lru_cache(maxsize=1)
def make_pki() -> PKI:
    """The test PKI, made once per process."""
    now = dt.datetime.now(dt.timezone.utc)
    years = lambda n: dt.timedelta(days=365 * n)  # noqa: E731

    def ca(cn: str, issuer: Party | None) -> Party:
        key = _rsa()
        cert = _issue(_name(cn), key, issuer, ca=True, not_before=now - years(10), not_after=now + years(10))
        return Party(key, cert, (issuer.cert, *issuer.chain) if issuer else ())

    def leaf(cn: str, issuer: Party, key: PrivateKey | None = None, *, serial: str | None = None,
             not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
             eku: list[x509.ObjectIdentifier] | None = None) -> Party:
        key = key or _rsa()
        cert = _issue(
            _name(cn, serial=serial, org="บริษัท ตัวอย่าง จำกัด (TEST)"), key, issuer, ca=False,
            not_before=not_before or now - years(1), not_after=not_after or now + years(2), eku=eku,
        )
        # an intermediate's own chain ends below the root: the root is the trust anchor, not sent
        return Party(key, cert, tuple(c for c in (issuer.cert, *issuer.chain) if c.issuer != c.subject))

    root = ca("DXS TEST Root CA", None)
    intermediate = ca("DXS TEST Issuing CA", root)
    other_root = ca("Some Other TEST Root CA", None)
    return PKI(
        root=root,
        intermediate=intermediate,
        signer=leaf("ตัวอย่าง จำกัด (TEST signer)", intermediate, serial=JURISTIC_ID),
        expired_signer=leaf("Expired TEST signer", intermediate, serial=JURISTIC_ID,
                            not_before=now - years(3), not_after=now - years(1)),
        stranger=leaf("Stranger TEST signer", other_root),
        other_root=other_root,
        rsa1024=leaf("RSA-1024 TEST signer", intermediate, _rsa(1024)),
        ecdsa=leaf("ECDSA TEST signer", intermediate, ec.generate_private_key(ec.SECP256R1()), serial=JURISTIC_ID),
        tsa=leaf("DXS TEST Time-Stamp Authority", intermediate, eku=[ExtendedKeyUsageOID.TIME_STAMPING]),
    )


# ---- signing ---------------------------------------------------------------------------------------


def example_bytes(path: Path = EXAMPLE) -> bytes:
    return path.read_bytes()


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False))


def _serialise(root: etree._Element) -> bytes:
    # no re-indenting: that would change the signed content
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="utf-8")


class _WeakXMLSigner(XMLSigner):
    """signxml refuses SHA-1 by default (rightly); the tests need a SHA-1 signature to see it flagged."""

    def check_deprecated_methods(self) -> None:
        return None


class _ClaimingXAdESSigner(XAdESSigner):
    """Signs with one key while SigningCertificateV2 names other certificates (a swapped-signer forgery)."""

    claimed: list[x509.Certificate] = []

    def add_signing_certificate(self, signed_signature_properties, sig_root, signing_settings):  # type: ignore[no-untyped-def]
        claimed = dataclasses.replace(signing_settings, cert_chain=list(self.claimed))
        return super().add_signing_certificate(signed_signature_properties, sig_root, claimed)


def _algorithms(party: Party, signature: SignatureMethod | None) -> SignatureMethod:
    if signature is not None:
        return signature
    return SignatureMethod.ECDSA_SHA256 if isinstance(party.key, ec.EllipticCurvePrivateKey) else SignatureMethod.RSA_SHA256


def sign_xades(
    data: bytes,
    party: Party,
    *,
    signature: SignatureMethod | None = None,
    digest: DigestAlgorithm = DigestAlgorithm.SHA256,
    c14n: CanonicalizationMethod = CanonicalizationMethod.CANONICAL_XML_1_1,
    claimed: Party | None = None,
) -> bytes:
    """An enveloped XAdES-BES signature (signxml's XAdESSigner), the chain in KeyInfo."""
    cls = _ClaimingXAdESSigner if claimed else XAdESSigner
    signer = cls(signature_algorithm=_algorithms(party, signature), digest_algorithm=digest, c14n_algorithm=c14n)
    if claimed:
        signer.claimed = claimed.certs  # type: ignore[attr-defined]
    signed = signer.sign(_parse(data), key=party.key, cert=party.certs, always_add_key_value=False)
    return _serialise(signed)


def sign_dsig(
    data: bytes,
    party: Party,
    *,
    signature: SignatureMethod | None = None,
    digest: DigestAlgorithm = DigestAlgorithm.SHA256,
    c14n: CanonicalizationMethod = CanonicalizationMethod.CANONICAL_XML_1_1,
    reference_uri: str | None = None,
) -> bytes:
    """A plain enveloped XML-DSig signature (signxml's XMLSigner), the chain in KeyInfo."""
    sig = _algorithms(party, signature)
    cls = _WeakXMLSigner if "SHA1" in sig.name or "SHA1" in digest.name else XMLSigner
    signer = cls(signature_algorithm=sig, digest_algorithm=digest, c14n_algorithm=c14n)
    signed = signer.sign(_parse(data), key=party.key, cert=party.certs, reference_uri=reference_uri)
    return _serialise(signed)


# ---- RFC 3161 time-stamps from a test TSA --------------------------------------------------------


# The token's ASN.1 (RFC 5652 CMS, RFC 3161 TSTInfo), only the fields a token needs.

@asn1.sequence
class _AlgId:
    algorithm: x509.ObjectIdentifier
    parameters: asn1.Null | None


@asn1.sequence
class _MessageImprint:
    hash_algorithm: _AlgId
    hashed_message: bytes


@asn1.sequence
class _TSTInfo:
    version: int
    policy: x509.ObjectIdentifier
    message_imprint: _MessageImprint
    serial_number: int
    gen_time: asn1.GeneralizedTime


@asn1.sequence
class _Attribute:
    attr_type: x509.ObjectIdentifier
    values: asn1.SetOf[x509.ObjectIdentifier | bytes]


@asn1.sequence
class _EncapContent:
    content_type: x509.ObjectIdentifier
    content: Annotated[bytes | None, asn1.Explicit(0)]


@asn1.sequence
class _SignerInfo:
    version: int
    sid: Annotated[bytes, asn1.Implicit(0)]  # subjectKeyIdentifier
    digest_algorithm: _AlgId
    signed_attrs: Annotated[asn1.SetOf[_Attribute] | None, asn1.Implicit(0)]
    signature_algorithm: _AlgId
    signature: bytes


@asn1.sequence
class _SignedData:
    version: int
    digest_algorithms: asn1.SetOf[_AlgId]
    encap: _EncapContent
    certificates: Annotated[asn1.SetOf[x509.Certificate] | None, asn1.Implicit(0)]
    signer_infos: asn1.SetOf[_SignerInfo]


@asn1.sequence
class _ContentInfo:
    content_type: x509.ObjectIdentifier
    content: Annotated[_SignedData, asn1.Explicit(0)]


def make_timestamp_token(imprint: bytes, tsa: Party, *, when: dt.datetime | None = None, corrupt_signature: bool = False) -> bytes:
    """A DER RFC 3161 TimeStampToken (CMS SignedData over a TSTInfo) for a SHA-256 ``imprint``."""
    OID = x509.ObjectIdentifier
    sha256 = _AlgId(algorithm=OID("2.16.840.1.101.3.4.2.1"), parameters=None)
    tst = asn1.encode_der(
        _TSTInfo(
            version=1,
            policy=OID("1.3.6.1.4.1.99999.1"),
            message_imprint=_MessageImprint(hash_algorithm=sha256, hashed_message=imprint),
            serial_number=x509.random_serial_number(),
            gen_time=asn1.GeneralizedTime((when or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)),
        )
    )
    attrs = asn1.SetOf(
        [
            _Attribute(attr_type=OID("1.2.840.113549.1.9.3"), values=asn1.SetOf([OID("1.2.840.113549.1.9.16.1.4")])),
            _Attribute(attr_type=OID("1.2.840.113549.1.9.4"), values=asn1.SetOf([hashlib.sha256(tst).digest()])),
        ]
    )
    assert isinstance(tsa.key, rsa.RSAPrivateKey)
    signature = tsa.key.sign(asn1.encode_der(attrs), padding.PKCS1v15(), hashes.SHA256())
    if corrupt_signature:
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    ski = tsa.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    signer_info = _SignerInfo(
        version=3, sid=ski, digest_algorithm=sha256, signed_attrs=attrs,
        signature_algorithm=_AlgId(algorithm=OID("1.2.840.113549.1.1.11"), parameters=asn1.Null()), signature=signature,
    )
    signed_data = _SignedData(
        version=3, digest_algorithms=asn1.SetOf([sha256]),
        encap=_EncapContent(content_type=OID("1.2.840.113549.1.9.16.1.4"), content=tst),
        certificates=asn1.SetOf(tsa.certs), signer_infos=asn1.SetOf([signer_info]),
    )
    return asn1.encode_der(_ContentInfo(content_type=OID("1.2.840.113549.1.7.2"), content=signed_data))


def signature_value_imprint(signed: bytes) -> bytes:
    """SHA-256 of the c14n (inclusive 1.0, XAdES' default) of ``ds:SignatureValue``: what a TSA is asked to stamp."""
    value = _parse(signed).find(".//ds:Signature/ds:SignatureValue", NS)
    return hashlib.sha256(etree.tostring(value, method="c14n")).digest()


def add_timestamp(signed: bytes, token: bytes) -> bytes:
    """XAdES-T: the token as an unsigned SignatureTimeStamp (unsigned: the signature stays intact)."""
    root = _parse(signed)
    qp = root.find(".//ds:Signature/ds:Object/xades:QualifyingProperties", NS)
    unsigned = etree.SubElement(qp, f"{{{XADES}}}UnsignedProperties")
    usp = etree.SubElement(unsigned, f"{{{XADES}}}UnsignedSignatureProperties")
    sts = etree.SubElement(usp, f"{{{XADES}}}SignatureTimeStamp", Id="TS-1")
    etree.SubElement(sts, f"{{{DS}}}CanonicalizationMethod", Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    etree.SubElement(sts, f"{{{XADES}}}EncapsulatedTimeStamp").text = base64.b64encode(token).decode()
    return _serialise(root)


def timestamped(signed: bytes, tsa: Party, **kwargs: object) -> bytes:
    return add_timestamp(signed, make_timestamp_token(signature_value_imprint(signed), tsa, **kwargs))  # type: ignore[arg-type]


# ---- tamper kinds --------------------------------------------------------------------------------


def _edit(signed: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = _parse(signed)
    change(root)
    return _serialise(root)


def _first_text_outside_signature(root: etree._Element) -> etree._Element:
    for el in root.iter():
        if isinstance(el.tag, str) and el.text and el.text.strip() and not el.tag.startswith(f"{{{DS}}}") and not el.tag.startswith(f"{{{XADES}}}"):
            if not any(a.tag == f"{{{DS}}}Signature" for a in el.iterancestors()):
                return el
    raise AssertionError("no text to change")


def changed_content(signed: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        el = _first_text_outside_signature(root)
        el.text = el.text + "9"
    return _edit(signed, change)


def changed_signed_properties(signed: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        root.find(".//xades:SigningTime", NS).text = "2020-01-01T00:00:00+00:00"
    return _edit(signed, change)


def swapped_certificate(signed: bytes, other: Party) -> bytes:
    """KeyInfo's signing certificate replaced by another party's, nothing re-signed."""
    def change(root: etree._Element) -> None:
        first = root.find(".//ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
        first.text = base64.b64encode(other.cert.public_bytes(serialization.Encoding.DER)).decode()
    return _edit(signed, change)


def removed_reference(signed: bytes) -> bytes:
    """The reference to the document dropped from SignedInfo."""
    def change(root: etree._Element) -> None:
        ref = root.find(".//ds:Signature/ds:SignedInfo/ds:Reference", NS)
        ref.getparent().remove(ref)
    return _edit(signed, change)


def with_reference(signed: bytes, uri: str) -> bytes:
    """An extra Reference (to ``uri``) in SignedInfo: a remote or file reference."""
    def change(root: etree._Element) -> None:
        info = root.find(".//ds:Signature/ds:SignedInfo", NS)
        ref = etree.SubElement(info, f"{{{DS}}}Reference", URI=uri)
        etree.SubElement(ref, f"{{{DS}}}DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
        etree.SubElement(ref, f"{{{DS}}}DigestValue").text = base64.b64encode(b"\0" * 32).decode()
    return _edit(signed, change)


def with_retrieval_method(signed: bytes, uri: str) -> bytes:
    """KeyInfo asks the verifier to fetch the key from ``uri``."""
    def change(root: etree._Element) -> None:
        key_info = root.find(".//ds:Signature/ds:KeyInfo", NS)
        etree.SubElement(key_info, f"{{{DS}}}RetrievalMethod", URI=uri, Type="http://www.w3.org/2000/09/xmldsig#rawX509Certificate")
    return _edit(signed, change)


def wrapped_in_new_document(signed: bytes) -> bytes:
    """XSW, a second signed copy: changed content at the root, the original signed document tucked inside it."""
    original = _parse(signed)
    forged = _parse(changed_content(signed))
    sig = forged.find("ds:Signature", NS)
    forged.remove(sig)
    forged.append(original)
    return _serialise(forged)


def signed_subtree(data: bytes, party: Party) -> tuple[bytes, str]:
    """A signature that covers only one element of the document (a Reference to its Id), and that Id."""
    root = _parse(data)
    target = _first_text_outside_signature(root)
    target.set("Id", "signed-part")
    return sign_dsig(_serialise(root), party, reference_uri="#signed-part"), "signed-part"


def moved_subtree(data: bytes, party: Party) -> bytes:
    """Classic XSW: the signed element moved into ds:Object; a changed copy, without its Id, stands in its place."""
    signed, _ = signed_subtree(data, party)
    root = _parse(signed)
    target = root.find(".//*[@Id='signed-part']")
    parent, index = target.getparent(), target.getparent().index(target)
    obj = etree.SubElement(root.find("ds:Signature", NS), f"{{{DS}}}Object")
    parent.remove(target)
    obj.append(target)
    forged = etree.fromstring(etree.tostring(target))
    del forged.attrib["Id"]
    forged.text = (forged.text or "") + "9"
    parent.insert(index, forged)
    return _serialise(root)


def duplicate_id(data: bytes, party: Party) -> bytes:
    """XSW with duplicate Ids: a forged element carrying the same Id placed before the signed one."""
    signed, ident = signed_subtree(data, party)
    root = _parse(signed)
    target = root.find(f".//*[@Id='{ident}']")
    forged = etree.fromstring(etree.tostring(target))
    forged.text = (forged.text or "") + "9"
    target.addprevious(forged)
    return _serialise(root)


def reference_into_other_signature(data: bytes, party: Party) -> bytes:
    """A second signature whose reference points at an Id inside another subtree (the first signature's SignedProperties)."""
    first = sign_xades(data, party)
    ident = _parse(first).find(".//xades:SignedProperties", NS).get("Id")
    return sign_dsig(first, party, reference_uri=f"#{ident}")
