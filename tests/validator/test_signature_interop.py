"""Signatures from another implementation: what libxmlsec1 signs, the check verifies; what `dxs sign` signs, xmlsec1 verifies.

xmlsec1 comes from Debian's package (CI installs it); outside CI these tests skip without it.
Each profile is a way real signing software signs: inclusive, exclusive (with a PrefixList) and 1.1
canonicalisation, a WithComments transform, RSA-SHA512, ECDSA on P-256, the signature as the first child
with text around it, XAdES-BES with its SignedProperties, only the signer's own certificate in KeyInfo.
"""

from __future__ import annotations

import pytest
from lxml import etree

from dxs.validator.signatures import check_signatures
from dxs.validator.signing import SigningKey, sign_xml
from tests.kit import pki, xmlsec

KIT = pki.make_pki()
DOC = pki.example_bytes()
#: xmlsec1 puts only the signer's certificate in KeyInfo (as most signing software does): the
#: issuing CA is a trust anchor beside the root, as a receiver would configure it
ANCHORS = [KIT.root.cert, KIT.intermediate.cert]

PROFILES = {
    "inclusive c14n 1.0, rsa-sha256": xmlsec.Profile(),
    "inclusive c14n 1.1 as a transform": xmlsec.Profile(canonicalization=xmlsec.C14N_11, transform=xmlsec.C14N_11),
    "exclusive c14n with a PrefixList, rsa-sha512, signature first": xmlsec.Profile(
        canonicalization=xmlsec.EXC_C14N, transform=xmlsec.EXC_C14N, prefix_list="ram rsm",
        signature=xmlsec.RSA_SHA512, digest=xmlsec.SHA512, first=True),
    "a WithComments transform": xmlsec.Profile(canonicalization=xmlsec.C14N_10_COMMENTS, transform=xmlsec.C14N_10_COMMENTS),
    "xades-bes": xmlsec.Profile(xades=True),
    "xades-bes, exclusive c14n, signature first": xmlsec.Profile(xades=True, canonicalization=xmlsec.EXC_C14N, transform=xmlsec.EXC_C14N, first=True),
}


def with_comment(data: bytes) -> bytes:
    root = etree.fromstring(data)
    root.insert(1, etree.Comment(" a note the sender's software wrote "))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("name", PROFILES)
def test_what_xmlsec1_signs_the_check_verifies(name: str) -> None:
    profile = PROFILES[name]
    signed = xmlsec.sign(with_comment(DOC), KIT.signer, profile)
    result = check_signatures(signed, trust=ANCHORS)
    assert result.valid and result.issues == (), [str(i) for i in result.issues]
    (sig,) = result.signatures
    assert sig.intact and sig.trust == "trusted" and sig.juristic_id == pki.JURISTIC_ID
    assert sig.form == ("XAdES-BES" if profile.xades else "XML-DSig")
    if profile.xades:
        assert sig.signing_time is not None


def test_an_ecdsa_signature_by_xmlsec1_verifies() -> None:
    signed = xmlsec.sign(DOC, KIT.ecdsa, xmlsec.Profile(signature=xmlsec.ECDSA_SHA256, xades=True))
    (sig,) = check_signatures(signed, trust=ANCHORS).signatures
    assert sig.intact and sig.key == "EC secp256r1" and sig.trust == "trusted"


@pytest.mark.parametrize("name", PROFILES)
def test_a_change_after_xmlsec1_signed_is_caught(name: str) -> None:
    signed = xmlsec.sign(with_comment(DOC), KIT.signer, PROFILES[name])
    changed = signed.replace(b"</ram:Name>", b" (changed)</ram:Name>", 1)
    assert changed != signed
    result = check_signatures(changed, trust=ANCHORS)
    assert not result.valid and {i.rule for i in result.issues} == {"digest-mismatch"}
    assert not result.signatures[0].intact


def test_comments_are_outside_a_same_document_reference_even_with_a_with_comments_transform() -> None:
    """XML-DSig 4.4.3.3: URI="" is the document minus its comments; xmlsec1 signs it so, and a changed comment changes nothing."""
    signed = xmlsec.sign(with_comment(DOC), KIT.signer, PROFILES["a WithComments transform"])
    changed = signed.replace(b" a note the sender", b" another note the sender", 1)
    assert changed != signed and check_signatures(changed, trust=ANCHORS).valid
    assert xmlsec.verify(changed, trusted=ANCHORS).returncode == 0


def test_a_changed_xades_signing_time_is_caught() -> None:
    signed = xmlsec.sign(DOC, KIT.signer, xmlsec.Profile(xades=True))
    root = etree.fromstring(signed)
    when = root.find(f".//{{{pki.XADES}}}SigningTime")
    when.text = "2020-01-01T00:00:00+00:00"
    result = check_signatures(etree.tostring(root), trust=ANCHORS)
    assert not result.valid and "digest-mismatch" in {i.rule for i in result.issues}


def test_what_dxs_sign_makes_xmlsec1_verifies() -> None:
    signed = sign_xml(DOC, SigningKey(KIT.signer.key, tuple(KIT.signer.certs)))
    verdict = xmlsec.verify(signed, trusted=[KIT.root.cert])
    assert verdict.returncode == 0, verdict.stderr
    assert "SignedInfo References (ok/all): 3/3" in verdict.stderr


def test_xmlsec1_refuses_what_the_check_refuses() -> None:
    """The two implementations agree on a broken signature too (a changed document)."""
    signed = sign_xml(DOC, SigningKey(KIT.signer.key, tuple(KIT.signer.certs)))
    changed = signed.replace(b"</ram:Name>", b" (changed)</ram:Name>", 1)
    assert xmlsec.verify(changed, trusted=[KIT.root.cert]).returncode != 0
    assert not check_signatures(changed, trust=[KIT.root.cert]).valid
