"""Sign examples of the ETDA e-Tax Invoice & e-Receipt conformance kit with a throwaway TEST key.

    .venv/bin/python tools/sign_kit_examples.py              # (re)write every valid/signed-*.xml of the kit
    .venv/bin/python tools/sign_kit_examples.py IN.xml OUT.xml

ETDA's schemas let every document type except the v2.0 Invoice end with an enveloped XML
signature (``ds:Signature``, XML-DSig, the last child of the root element). To show that a
signed document still validates (XSD and ETDA's rules) and is still detected, this script
signs chosen unsigned kit examples: enveloped, RSA-SHA256, SHA-256 digests, Canonical XML 1.1,
with the certificate in ``ds:KeyInfo/ds:X509Data``.

The RSA key and its self-signed certificate are made in memory for each run and never stored.
The certificate says plainly that it is a test key: the signatures prove nothing about who
signed; nobody should trust them. After re-signing, the kit's files have new hashes: re-lock
the package versions (``dxs standards lock``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FOLDER = ROOT / "standards" / "th.etda.e-tax-invoice-receipt"

#: the certificate's subject: unmistakably a test key
TEST_SUBJECT_CN = "DXS conformance kit TEST KEY - not a real signer"
KEY_SIZE = 2048

#: (package version, document type, unsigned valid example) -> valid/signed-<name>
TARGETS: tuple[tuple[str, str, str], ...] = (
    ("2.0.0", "tax-invoice", "tax-invoice-388-stationery.xml"),
    ("2.1.0", "tax-invoice", "tax-invoice-388-stationery.xml"),
    ("2.1.0", "receipt", "receipt-accounting-service-with-vat.xml"),
)

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_COMMENT = (
    "DXS conformance kit: {name} signed with a throwaway TEST key (XML-DSig enveloped, RSA-SHA256, "
    "self-signed certificate CN={cn}). The signature shows that a signed document validates; it proves nothing "
    "about the signer. All parties and numbers are fictional."
)


def make_test_signer(common_name: str = TEST_SUBJECT_CN, key_size: int = KEY_SIZE) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new RSA key and a self-signed certificate for it, in memory only."""
    if key_size < 2048:
        raise ValueError("use an RSA key of at least 2048 bits")
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DX Standards Toolkit (TEST ONLY)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def sign_xml(data: bytes, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> etree._Element:
    """The document's root element with an enveloped ``ds:Signature`` appended (its last child)."""
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    root = etree.fromstring(data, parser)
    if root.find(f"{{{DSIG_NS}}}Signature") is not None:
        raise ValueError("the document is already signed")
    signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1,
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    signed = signer.sign(root, key=key_pem, cert=cert_pem)
    last = signed[-1]
    if last.tag != f"{{{DSIG_NS}}}Signature":
        raise AssertionError("signxml did not append the signature as the root's last child")
    return signed


def signed_bytes(data: bytes, key: rsa.RSAPrivateKey, cert: x509.Certificate, name: str = "document") -> bytes:
    """The signed document, serialised (declaration, a comment saying it is a test signature, the root)."""
    signed = sign_xml(data, key, cert)
    comment = _COMMENT.format(name=name, cn=TEST_SUBJECT_CN)
    body = etree.tostring(signed, encoding="unicode")  # no re-indenting: that would change the signed content
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- {comment} -->\n{body}\n'.encode("utf-8")


def signed_name(example: Path) -> Path:
    return example.with_name(f"signed-{example.name}")


def sign_example(example: Path, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> Path:
    """Write ``valid/signed-<name>`` next to an unsigned valid example; return its path."""
    out = signed_name(example)
    out.write_bytes(signed_bytes(example.read_bytes(), key, cert, example.name))
    return out


def kit_targets(package_folder: Path = PACKAGE_FOLDER) -> list[Path]:
    return [package_folder / version / "examples" / doc_type / "valid" / name for version, doc_type, name in TARGETS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?", type=Path, help="an unsigned document (default: the kit's chosen examples)")
    parser.add_argument("output", nargs="?", type=Path, help="where to write the signed document")
    args = parser.parse_args(argv)
    key, cert = make_test_signer()
    if args.input:
        out = args.output or signed_name(args.input)
        out.write_bytes(signed_bytes(args.input.read_bytes(), key, cert, args.input.name))
        print(out)
        return 0
    for example in kit_targets():
        print(sign_example(example, key, cert).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
