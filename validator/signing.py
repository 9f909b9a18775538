"""``dxs sign``: an enveloped XAdES-BES signature, optionally time-stamped (XAdES-T), for developers and test benches.

The signature is made by signxml's ``XAdESSigner`` (RSA-SHA256 or ECDSA-SHA256, SHA-256 digests,
the certificate chain in ``ds:KeyInfo``); the time-stamp comes from an RFC 3161 authority through
pyHanko's HTTP client (requests) and is placed as XAdES ``SignatureTimeStamp`` over the c14n of
``ds:SignatureValue``. What this signs, :func:`~.signatures.check_signatures` verifies.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from .errors import DxsError

__all__ = ["SigningKey", "load_pem", "load_pkcs12", "sign_xml", "signing_key"]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
_C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


@dataclass(frozen=True)
class SigningKey:
    """A private key and its certificate chain (signer first)."""

    key: Any
    certs: tuple[x509.Certificate, ...]

    @property
    def subject(self) -> str:
        return self.certs[0].subject.rfc4514_string()


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DxsError(f"{path}: {what} cannot be read: {exc.strerror}") from None


def _usable(key: Any, path: Path) -> None:
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise DxsError(f"{path}: the key is neither RSA nor EC; XAdES signing here takes those two")


def load_pkcs12(path: Path, password: bytes | None) -> SigningKey:
    """The key and chain of a PKCS#12 (.p12/.pfx) file.

    :raises DxsError: unreadable, a wrong password, or no key or certificate inside.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(_read(path, "the PKCS#12 file"), password)
    except ValueError as exc:
        raise DxsError(f"{path}: not a PKCS#12 file, or the password is wrong ({exc})") from None
    if key is None or cert is None:
        raise DxsError(f"{path}: the PKCS#12 file holds no private key and certificate")
    _usable(key, path)
    return SigningKey(key, (cert, *extra))


def load_pem(key_path: Path, cert_path: Path, password: bytes | None) -> SigningKey:
    """A PEM private key and a PEM file with the signer's certificate first, then its chain.

    :raises DxsError: unreadable files, a wrong password, a certificate that does not match the key.
    """
    try:
        key = serialization.load_pem_private_key(_read(key_path, "the key file"), password)
    except (ValueError, TypeError) as exc:
        raise DxsError(f"{key_path}: not a PEM private key, or the password is wrong or missing ({exc})") from None
    try:
        certs = tuple(x509.load_pem_x509_certificates(_read(cert_path, "the certificate file")))
    except ValueError as exc:
        raise DxsError(f"{cert_path}: holds no PEM certificate ({exc})") from None
    _usable(key, key_path)
    if certs[0].public_key().public_numbers() != key.public_key().public_numbers():
        raise DxsError(f"{cert_path}: its first certificate ({certs[0].subject.rfc4514_string()}) is not the key's")
    return SigningKey(key, certs)


def sign_xml(data: bytes, signing: SigningKey, *, tsa_url: str | None = None, timeout: float = 30.0) -> bytes:
    """``data`` with an enveloped XAdES-BES signature as the root's last child (XAdES-T with ``tsa_url``).

    :raises DxsError: the document is not well-formed XML, or the time-stamp authority fails.
    """
    from signxml import SignatureMethod
    from signxml.xades import XAdESSigner

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DxsError(f"the document is not well-formed XML: {exc}") from None
    if root.find(f"{{{DS}}}Signature") is not None:
        raise DxsError("the document is already signed (a ds:Signature under its root); sign the unsigned original")
    method = SignatureMethod.ECDSA_SHA256 if isinstance(signing.key, ec.EllipticCurvePrivateKey) else SignatureMethod.RSA_SHA256
    signed = XAdESSigner(signature_algorithm=method).sign(root, key=signing.key, cert=list(signing.certs), always_add_key_value=False)
    if tsa_url:
        _add_timestamp(signed, tsa_url, timeout)
    # serialised as is: re-indenting would change what was signed
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="utf-8")


def _add_timestamp(root: etree._Element, tsa_url: str, timeout: float) -> None:
    """Ask ``tsa_url`` to stamp the signature value; add the token as an unsigned SignatureTimeStamp."""
    value = root.find(f"{{{DS}}}Signature/{{{DS}}}SignatureValue")
    qualifying = root.find(f"{{{DS}}}Signature/{{{DS}}}Object/{{{XADES}}}QualifyingProperties")
    assert value is not None and qualifying is not None  # signxml's XAdES signature has both
    imprint = hashlib.sha256(etree.tostring(value, method="c14n")).digest()
    token = _timestamp_token(tsa_url, imprint, timeout)
    unsigned = qualifying.find(f"{{{XADES}}}UnsignedProperties")
    if unsigned is None:
        unsigned = etree.SubElement(qualifying, f"{{{XADES}}}UnsignedProperties")
    properties = etree.SubElement(unsigned, f"{{{XADES}}}UnsignedSignatureProperties")
    stamp = etree.SubElement(properties, f"{{{XADES}}}SignatureTimeStamp", Id="SignatureTimeStamp-1")
    etree.SubElement(stamp, f"{{{DS}}}CanonicalizationMethod", Algorithm=_C14N_10)
    etree.SubElement(stamp, f"{{{XADES}}}EncapsulatedTimeStamp").text = base64.b64encode(token).decode()


def _timestamp_token(url: str, imprint: bytes, timeout: float) -> bytes:
    """An RFC 3161 token for the SHA-256 ``imprint`` from the authority at ``url`` (pyHanko's client)."""
    import asyncio
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyHanko's import of cryptography's DSA types warns
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError
        from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    try:
        token = asyncio.run(RequestsHTTPTimeStamper(url, timeout=timeout).async_timestamp(imprint, "sha256"))
    except TimestampRequestError as exc:
        raise DxsError(f"the time-stamp authority {url} refused or failed: {exc}") from None
    except OSError as exc:  # requests' errors are OSErrors: connection refused, name not resolved, timeout
        raise DxsError(f"the time-stamp authority {url} cannot be reached: {exc}") from None
    except Exception as exc:  # a non-RFC 3161 answer
        raise DxsError(f"the time-stamp authority {url} gave no usable token: {type(exc).__name__}: {exc}") from None
    return token.dump()


def signing_key(*, pkcs12: Path | None, key: Path | None, cert: Path | None, password: bytes | None) -> SigningKey:
    """The key from either a PKCS#12 file or a PEM key and certificate (the command line's two ways)."""
    if pkcs12 and (key or cert):
        raise DxsError("give either --pkcs12, or --key with --cert, not both")
    if pkcs12:
        return load_pkcs12(pkcs12, password)
    if key and cert:
        return load_pem(key, cert, password)
    raise DxsError("give the signing key: --pkcs12 FILE, or --key KEY.pem with --cert CERT.pem")
