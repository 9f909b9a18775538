"""XML signatures: every intact document passes, every tamper kind is caught with its rule id.

The PKI, the signed e-Tax example and the tampering come from tests/kit/pki.py; the cases from tests/kit/signed_cases.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import socket
import urllib.request

import pytest
from lxml import etree

from dxs.validator.signatures import RULES, SignatureCheck, check_signatures, juristic_id
from tests.kit import pki
from tests.kit.signed_cases import INTACT, TAMPERED

KIT = pki.make_pki()
DOC = pki.example_bytes()


@pytest.fixture(scope="module")
def xades() -> bytes:
    return pki.sign_xades(DOC, KIT.signer)


def check(data: bytes, **kwargs: object) -> SignatureCheck:
    kwargs.setdefault("trust", KIT.trust)
    return check_signatures(data, **kwargs)  # type: ignore[arg-type]


def rules(result: SignatureCheck) -> set[str]:
    return {i.rule for i in result.issues}


# ---- intact documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INTACT)
def test_an_intact_signed_document_passes_and_is_trusted(name: str) -> None:
    result = check(INTACT[name]())
    assert result.valid and result.issues == (), [str(i) for i in result.issues]
    (sig,) = result.signatures
    assert sig.intact and sig.trust == "trusted"


def test_the_report_says_who_signed_when_and_with_what(xades: bytes) -> None:
    (sig,) = check(pki.timestamped(xades, KIT.tsa)).signatures
    assert sig.form == "XAdES-T"
    assert "ตัวอย่าง จำกัด (TEST signer)" in sig.signer and sig.juristic_id == pki.JURISTIC_ID
    assert "DXS TEST Issuing CA" in sig.issuer
    assert sig.signing_time and abs(sig.signing_time - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert sig.signature_algorithm.endswith("rsa-sha256") and sig.digest_algorithms == ("http://www.w3.org/2001/04/xmlenc#sha256",)
    assert sig.key == "RSA 2048"
    assert sig.timestamp.verdict == "valid" and "Time-Stamp Authority" in sig.timestamp.authority
    assert sig.location == "/rsm:TaxInvoice_CrossIndustryInvoice/ds:Signature"
    assert sig.line == xades[: xades.index(b"<ds:Signature")].count(b"\n") + 1
    as_json = sig.to_dict()
    assert as_json["juristic_id"] == pki.JURISTIC_ID and as_json["timestamp"]["verdict"] == "valid"


def test_a_tree_is_checked_as_well_as_bytes(xades: bytes) -> None:
    tree = etree.ElementTree(etree.fromstring(xades))
    assert check_signatures(tree, trust=KIT.trust).valid


def test_the_kits_committed_signed_example_verifies_but_its_test_key_is_not_trusted() -> None:
    signed = (pki.EXAMPLE.parent / f"signed-{pki.EXAMPLE.name}").read_bytes()
    result = check(signed)
    assert result.valid and result.signatures[0].intact and result.signatures[0].trust == "untrusted"
    assert [(i.rule, i.severity) for i in result.issues] == [("untrusted-signer", "warning")]


# ---- tamper kinds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TAMPERED)
def test_every_tamper_kind_is_caught_with_its_rule(name: str, xades: bytes) -> None:
    make, rule = TAMPERED[name]
    result = check(make(xades))
    assert not result.valid, name
    caught = [i for i in result.issues if i.rule == rule]
    assert caught and all(i.severity == "error" and i.source == "signature" for i in caught), [str(i) for i in result.issues]
    first = caught[0]
    assert first.message and first.message_th and first.message_th != first.message
    assert "ds:Signature" in first.location and first.line


def test_a_changed_document_names_the_reference_and_what_it_covers(xades: bytes) -> None:
    issue = next(i for i in check(pki.changed_content(xades)).issues if i.rule == "digest-mismatch")
    assert "reference 1 (URI=''" in issue.message and "whole document" in issue.message
    props = next(i for i in check(pki.changed_signed_properties(xades)).issues if i.rule == "digest-mismatch")
    assert "reference 2" in props.message and "SignedProperties" in props.message


def test_a_broken_signature_is_not_reported_intact(xades: bytes) -> None:
    (sig,) = check(pki.changed_content(xades)).signatures
    assert not sig.intact


# ---- trust, and what is required -------------------------------------------------------------------


def test_a_signer_from_another_ca_is_a_warning_unless_trust_is_required() -> None:
    signed = pki.sign_xades(DOC, KIT.stranger)
    relaxed = check(signed)
    assert relaxed.valid and [(i.rule, i.severity) for i in relaxed.issues] == [("untrusted-signer", "warning")]
    assert relaxed.signatures[0].trust == "untrusted"
    strict = check(signed, require_trusted=True)
    assert not strict.valid and [(i.rule, i.severity) for i in strict.issues] == [("untrusted-signer", "error")]


def test_without_trust_anchors_trust_is_not_checked(xades: bytes) -> None:
    result = check_signatures(xades)
    assert result.valid and result.issues == () and result.signatures[0].trust == "not-checked"
    assert not check_signatures(xades, require_trusted=True).valid


def test_the_intermediate_alone_can_be_the_trust_anchor(xades: bytes) -> None:
    assert check(xades, trust=[KIT.intermediate.cert]).signatures[0].trust == "trusted"


def test_a_missing_signature_is_an_error_only_when_required() -> None:
    assert check(DOC).issues == () and check(DOC).signatures == ()
    (issue,) = check(DOC, require_signature=True).issues
    assert issue.rule == "missing-signature" and issue.severity == "error" and issue.message_th


def test_a_valid_time_stamp_is_the_time_the_certificate_is_judged_at(xades: bytes) -> None:
    # the signer claims a time inside the certificate's life, but the TSA saw the signature later, after it expired
    signed = pki.sign_xades(DOC, KIT.expired_signer)
    stamped = pki.add_timestamp(signed, pki.make_timestamp_token(pki.signature_value_imprint(signed), KIT.tsa))
    result = check(stamped)
    assert "expired-at-signing-time" in rules(result) and "time-stamp" in next(i.message for i in result.issues if i.rule == "expired-at-signing-time")


def test_not_xml_is_a_parse_issue_not_a_traceback() -> None:
    (issue,) = check(b"<a><b></a>").issues
    assert issue.source == "parse" and issue.rule == "xml-syntax" and issue.line == 1


# ---- never the network, never the disk -------------------------------------------------------------


def test_remote_references_touch_neither_the_network_nor_the_disk(xades: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the signature check tried to reach out: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    real_open = open

    def no_files(file: object, *args: object, **kwargs: object) -> object:
        if "secret" in str(file) or "passwd" in str(file):
            raise AssertionError(f"the signature check opened {file!r}")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", no_files)
    for uri in ("http://example.invalid/invoice.xml", "file:///etc/passwd", "../secret.xml"):
        assert "remote-reference" in rules(check(pki.with_reference(xades, uri)))
    assert "remote-reference" in rules(check(pki.with_retrieval_method(xades, "http://example.invalid/signer.cer")))


# ---- the pieces ------------------------------------------------------------------------------------


def test_juristic_id_is_read_from_the_subject_with_a_valid_check_digit() -> None:
    assert juristic_id(KIT.signer.cert) == pki.JURISTIC_ID
    assert juristic_id(KIT.stranger.cert) is None
    wrong_digit = pki.JURISTIC_ID[:12] + str((int(pki.JURISTIC_ID[12]) + 1) % 10)
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = pki._issue(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"VATTH-{wrong_digit}")]), KIT.signer.key, KIT.intermediate,
                      ca=False, not_before=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), not_after=dt.datetime(2040, 1, 1, tzinfo=dt.timezone.utc))
    assert juristic_id(cert) is None


def test_every_rule_has_a_severity_and_a_thai_message() -> None:
    from dxs.validator.signatures import _RULES_TH

    assert set(RULES) == set(_RULES_TH)
    assert {severity for severity, _ in RULES.values()} <= {"error", "warning"}



def test_a_flood_of_references_or_signatures_is_refused_not_verified(xades: bytes) -> None:
    """Each reference and each signature costs a canonicalisation of the document; anyone can sign a flood with their own key."""
    from dxs.validator.signatures import MAX_REFERENCES, MAX_SIGNATURES

    root = etree.fromstring(xades)
    info = root.find(f".//{{{pki.DS}}}SignedInfo")
    first = info.find(f"{{{pki.DS}}}Reference")
    for _ in range(MAX_REFERENCES):
        info.append(copy.deepcopy(first))
    result = check(etree.tostring(root))
    assert not result.valid and not result.signatures[0].intact
    assert [i.message for i in result.issues if i.rule == "malformed-signature"] == [
        f"the signature has {MAX_REFERENCES + 3} references, more than the {MAX_REFERENCES} this checker verifies; it was not verified"]

    root = etree.fromstring(xades)
    signature = root.find(f"{{{pki.DS}}}Signature")
    for _ in range(MAX_SIGNATURES + 4):
        root.append(copy.deepcopy(signature))
    flooded = check(etree.tostring(root))
    assert len(flooded.signatures) == MAX_SIGNATURES and not flooded.valid
    assert any(i.message == f"the document carries {MAX_SIGNATURES + 5} signatures; only the first {MAX_SIGNATURES} are checked"
               for i in flooded.issues)
