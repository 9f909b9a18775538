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
    "xades-bes with a KeyValue beside the certificate": xmlsec.Profile(xades=True, key_value=True),
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


def test_a_key_value_of_another_key_beside_the_certificate_is_refused() -> None:
    signed = etree.fromstring(xmlsec.sign(DOC, KIT.signer, xmlsec.Profile(xades=True, key_value=True)))
    foreign = etree.fromstring(xmlsec.sign(DOC, KIT.stranger, xmlsec.Profile(key_value=True))).find(f".//{{{pki.DS}}}KeyValue")
    mine = signed.find(f"{{{pki.DS}}}Signature/{{{pki.DS}}}KeyInfo/{{{pki.DS}}}KeyValue")
    mine.getparent().replace(mine, foreign)
    result = check_signatures(etree.tostring(signed), trust=ANCHORS)
    assert not result.valid and [i.rule for i in result.issues if i.severity == "error"] == ["malformed-signature"]
    assert "KeyValue" in result.issues[0].message



# ---- UBL 2.1's signature profile: the signature in the extension slot, UBL's XPath filter ---------------

UBL_XPATH = """
            count(ancestor-or-self::sig:UBLDocumentSignatures |
                  here()/ancestor::sig:UBLDocumentSignatures[1]) &gt;
            count(ancestor-or-self::sig:UBLDocumentSignatures)
          """
#: a minimal UBL-shaped invoice made up for the test (not a UBL example), with UBL's signature slot
UBL_TEMPLATE = '''<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
  <ext:UBLExtensions>
    <ext:UBLExtension xmlns:sig="urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2" xmlns:sac="urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2">
      <ext:ExtensionContent>
        <sig:UBLDocumentSignatures>
          <sac:SignatureInformation>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1">
  <ds:SignedInfo>
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
    <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
    <ds:Reference URI="">
      <ds:Transforms>
        <ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">
          <ds:XPath>
{xpath}
          </ds:XPath>
        </ds:Transform>
      </ds:Transforms>
      <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <ds:DigestValue/>
    </ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue/>
  <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
</ds:Signature>
          </sac:SignatureInformation>
        </sig:UBLDocumentSignatures>
      </ext:ExtensionContent>
    </ext:UBLExtension>
  </ext:UBLExtensions>
  <cbc:ID>TEST-1</cbc:ID>
  <cbc:Note>an illustrative invoice made by the tests</cbc:Note>
</Invoice>
'''


def ubl_signed(xpath: str = UBL_XPATH) -> bytes:
    return xmlsec.sign_template(UBL_TEMPLATE.replace("{xpath}", xpath).encode(), KIT.signer)


def test_a_ubl_profile_signature_by_xmlsec1_verifies_and_a_change_is_caught() -> None:
    signed = ubl_signed()
    result = check_signatures(signed, trust=ANCHORS)
    assert result.valid and result.issues == (), [str(i) for i in result.issues]
    assert result.signatures[0].intact and result.signatures[0].verified
    changed = check_signatures(signed.replace(b"TEST-1", b"TEST-2"), trust=ANCHORS)
    assert not changed.valid and {i.rule for i in changed.issues} == {"digest-mismatch"}


def test_another_xpath_filter_is_reported_not_verified_never_blamed() -> None:
    signed = ubl_signed("not(ancestor-or-self::sig:UBLDocumentSignatures)")
    result = check_signatures(signed, trust=ANCHORS)
    assert [(i.rule, i.severity) for i in result.issues] == [("not-verified", "warning")]
    assert result.signatures[0].verified is False


def test_a_xades_signature_must_bind_its_certificate_one_way_or_the_other() -> None:
    """EN 319 132-1: SigningCertificate(V2) among the signed properties, or a reference that signs KeyInfo."""
    unbound = check_signatures(xmlsec.sign(DOC, KIT.signer, xmlsec.Profile(xades=True, signing_certificate=False)), trust=ANCHORS)
    assert not unbound.valid and [i.rule for i in unbound.issues] == ["signing-certificate-unbound"]
    assert unbound.signatures[0].intact  # the signature itself verifies: what is missing is the binding
    key_info = xmlsec.sign(DOC, KIT.signer, xmlsec.Profile(xades=True, signing_certificate=False, sign_key_info=True))
    bound = check_signatures(key_info, trust=ANCHORS)
    assert bound.valid and bound.issues == (), [str(i) for i in bound.issues]
