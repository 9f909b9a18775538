"""Signatures made by another implementation than signxml: xmlsec1, the command line of libxmlsec1.

libxmlsec1 (C, on libxml2 and OpenSSL) is what most signing software outside Java and .NET is
built on. Debian ships it as ``xmlsec1``; CI installs it (.ci/run), elsewhere the tests that need it
skip. A template (``ds:Signature`` with empty DigestValue, SignatureValue and X509Certificate) is put
into the document where a test wants it, and xmlsec1 fills it in: its canonicalisation, its digests,
its RSA/ECDSA signature, its base64 line breaks. Nothing here signs with signxml.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from lxml import etree

from tests.conftest import need
from tests.kit.pki import DS, XADES, Party

XMLSEC1 = shutil.which("xmlsec1")

C14N_10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_10_COMMENTS = C14N_10 + "#WithComments"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"


def require() -> str:
    """xmlsec1's path; skips outside CI (fails in CI) when it is not installed."""
    need(XMLSEC1 is not None, "xmlsec1 is not installed (apt-get install xmlsec1); signatures made by libxmlsec1 are not tried")
    assert XMLSEC1 is not None
    return XMLSEC1


@dataclasses.dataclass(frozen=True)
class Profile:
    """How xmlsec1 is asked to sign: the algorithms, and where the signature goes."""

    canonicalization: str = C14N_10
    signature: str = RSA_SHA256
    digest: str = SHA256
    #: the reference's own canonicalisation transform after enveloped-signature (None: only the implicit one)
    transform: str | None = None
    prefix_list: str | None = None
    first: bool = False  # the signature as the root's first child (text before it and after it), not its last
    xades: bool = False  # XAdES-BES: SignedProperties (SigningTime, SigningCertificateV2) signed by a second reference
    key_value: bool = False  # a ds:KeyValue beside the certificate, as Java's and .NET's signers write
    signing_certificate: bool = True  # XAdES: SigningCertificateV2 among the signed properties
    sign_key_info: bool = False  # a reference to ds:KeyInfo (the other way XAdES binds the certificate)


def sign(data: bytes, party: Party, profile: Profile = Profile()) -> bytes:
    """``data`` with an enveloped signature made by xmlsec1 with ``party``'s key; the chain in KeyInfo."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    signature = etree.fromstring(_template(party, profile))
    if profile.first:
        signature.tail, root.text = root.text, "\n  "
        root.insert(0, signature)
    else:
        root.append(signature)
        signature.tail = "\n"
    template = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    return sign_template(template, party, id_elements=(("SignedProperties",) if profile.xades else ()) + (("KeyInfo",) if profile.sign_key_info else ()))


def sign_template(template: bytes, party: Party, *, id_elements: tuple[str, ...] = ()) -> bytes:
    """``template`` (a document holding a ds:Signature template) signed by xmlsec1 with ``party``'s key.

    ``id_elements`` are the elements whose ``Id`` attribute a ``#id`` reference names (xmlsec1
    resolves only the Ids it is told of).
    """
    xmlsec1 = require()
    with tempfile.TemporaryDirectory(prefix="dxs-xmlsec-") as tmp:
        where = Path(tmp)
        (where / "key.pem").write_bytes(party.key_pem)
        (where / "certs.pem").write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in party.certs))
        (where / "template.xml").write_bytes(template)
        command = [xmlsec1, "--sign", "--privkey-pem", f"{where / 'key.pem'},{where / 'certs.pem'}",
                   "--output", str(where / "signed.xml")]
        for element in id_elements:
            command += ["--id-attr:Id", element]
        done = subprocess.run([*command, str(where / "template.xml")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return (where / "signed.xml").read_bytes()


def _template(party: Party, profile: Profile) -> bytes:
    def transforms(*, enveloped: bool) -> str:
        inner = f'<ds:Transform Algorithm="{ENVELOPED}"/>' if enveloped else ""
        if profile.transform:
            prefixes = (f'<ec:InclusiveNamespaces xmlns:ec="{EXC_C14N}" PrefixList="{profile.prefix_list}"/>'
                        if profile.prefix_list and profile.transform == EXC_C14N else "")
            inner += f'<ds:Transform Algorithm="{profile.transform}">{prefixes}</ds:Transform>'
        return f"<ds:Transforms>{inner}</ds:Transforms>" if inner else ""

    def reference(uri: str, *, enveloped: bool, type_: str | None = None) -> str:
        typed = f' Type="{type_}"' if type_ else ""
        return (f'<ds:Reference URI="{uri}"{typed}>{transforms(enveloped=enveloped)}'
                f'<ds:DigestMethod Algorithm="{profile.digest}"/><ds:DigestValue/></ds:Reference>')

    references = reference("", enveloped=True)
    if profile.sign_key_info:
        references += reference("#xmlsec-key-info", enveloped=False)
    qualifying = ""
    if profile.xades:
        references += reference("#xmlsec-signed-properties", enveloped=False, type_=SIGNED_PROPERTIES_TYPE)
        digest = base64.b64encode(party.cert.fingerprint(hashes.SHA256())).decode()
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        qualifying = (
            f'<ds:Object><xades:QualifyingProperties xmlns:xades="{XADES}" Target="#xmlsec-signature">'
            '<xades:SignedProperties Id="xmlsec-signed-properties"><xades:SignedSignatureProperties>'
            f"<xades:SigningTime>{now}</xades:SigningTime>"
            + ("<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>"
               f'<ds:DigestMethod Algorithm="{SHA256}"/><ds:DigestValue>{digest}</ds:DigestValue>'
               "</xades:CertDigest></xades:Cert></xades:SigningCertificateV2>" if profile.signing_certificate else "")
            + "</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>"
        )
    key_info_id = ' Id="xmlsec-key-info"' if profile.sign_key_info else ""
    return (
        f'<ds:Signature xmlns:ds="{DS}" Id="xmlsec-signature">\n  <ds:SignedInfo>\n'
        f'    <ds:CanonicalizationMethod Algorithm="{profile.canonicalization}"/>\n'
        f'    <ds:SignatureMethod Algorithm="{profile.signature}"/>\n    {references}\n  </ds:SignedInfo>\n'
        f"  <ds:SignatureValue/>\n  <ds:KeyInfo{key_info_id}>{'<ds:KeyValue/>' if profile.key_value else ''}<ds:X509Data/></ds:KeyInfo>\n"
        f"  {qualifying}\n</ds:Signature>"
    ).encode()


def verify(data: bytes, *, trusted: list[x509.Certificate], untrusted: tuple[x509.Certificate, ...] = ()) -> subprocess.CompletedProcess[str]:
    """xmlsec1's own verdict on ``data`` (returncode 0: verified), with ``trusted`` as its anchors."""
    xmlsec1 = require()
    with tempfile.TemporaryDirectory(prefix="dxs-xmlsec-") as tmp:
        where = Path(tmp)
        command = [xmlsec1, "--verify", "--id-attr:Id", "SignedProperties"]
        for i, cert in enumerate(trusted):
            (where / f"trusted-{i}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            command += ["--trusted-pem", str(where / f"trusted-{i}.pem")]
        for i, cert in enumerate(untrusted):
            (where / f"untrusted-{i}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            command += ["--untrusted-pem", str(where / f"untrusted-{i}.pem")]
        (where / "signed.xml").write_bytes(data)
        return subprocess.run([*command, str(where / "signed.xml")], capture_output=True, text=True, timeout=60)
