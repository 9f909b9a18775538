"""OASIS UBL 2.1: the 56 example pairs and the negative order, via `dxs validate --schema`."""

import json

import pytest
from click.testing import CliRunner

from dxs import cli
pytestmark = pytest.mark.conformance


def validate(*args):
    return CliRunner().invoke(cli.main, ["validate", "--format", "json", *map(str, args)], catch_exceptions=False)


def test_all_56_pairs_are_valid(corpora, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    ubl = corpora / "ubl-2.1"
    pairs = [line.split("\t") for line in (ubl / "PAIRS.tsv").read_text().splitlines() if line.strip()]
    assert len(pairs) == 56
    by_schema: dict[str, list[str]] = {}
    for xsd, xml in pairs:
        by_schema.setdefault(xsd, []).append(xml)
    failures = []
    for xsd, xmls in by_schema.items():
        result = validate("--schema", ubl / xsd, *(ubl / x for x in xmls))
        report = json.loads(result.output)
        # schema conformance: a signature's own verdict is the next test's
        failures += [(xsd, d["path"], [i for i in d["issues"] if i["severity"] == "error" and i["source"] != "signature"][:1])
                     for d in report["documents"] if any(i["severity"] == "error" and i["source"] != "signature" for i in d["issues"])]
        assert report["summary"]["documents"] == len(xmls)
    assert failures == []


def test_the_signed_ubl_sample_is_verified_and_reported_as_it_is(corpora, monkeypatch):
    """OASIS's enveloped-signature sample: a signature in UBL's extension slot, UBL's XPath filter, SHA-1, RSA-1024.

    UBL's profile filter (leave out sig:UBLDocumentSignatures) is evaluated: both digests and the value
    verify, so the signature is intact. What the sample really has is reported: weak algorithms, a
    certificate issued after the claimed signing time, no SigningCertificate (and KeyInfo not signed),
    an XML time-stamp this checker does not read.
    """
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    ubl = corpora / "ubl-2.1"
    result = validate("--schema", ubl / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd", ubl / "xml" / "UBL-Invoice-2.0-Enveloped.xml")
    (document,) = json.loads(result.output)["documents"]
    rules = {i["rule"] for i in document["issues"]}
    assert {"weak-algorithm", "expired-at-signing-time", "signing-certificate-unbound"} <= rules
    assert not {"digest-mismatch", "signature-wrapping", "signature-value", "malformed-signature"} & rules
    assert [i["message"] for i in document["issues"] if i["rule"] == "not-verified"] == [
        "the signature time-stamp was not checked: it is an XMLTimeStamp, which this checker does not read"]
    (signature,) = document["signatures"]
    assert signature["verified"] is True and signature["intact"] is True
    assert signature["signer"].startswith("CN=UBL TC") and signature["key"] == "RSA 1024"
    assert not any(i["severity"] == "error" and i["source"] != "signature" for i in document["issues"])
    off = validate("--signatures", "off", "--schema", ubl / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd", ubl / "xml" / "UBL-Invoice-2.0-Enveloped.xml")
    assert off.exit_code == 0


def test_a_change_to_the_signed_ubl_sample_is_caught_and_its_signatures_are_not(corpora, tmp_path, monkeypatch):
    """UBL's filter leaves out only the signatures' container: a changed amount breaks the digest, new text beside the signature does not."""
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    ubl = corpora / "ubl-2.1"
    original = (ubl / "xml" / "UBL-Invoice-2.0-Enveloped.xml").read_bytes()
    amount = original.replace(b'<cbc:PayableAmount currencyID="GBP">', b'<cbc:PayableAmount currencyID="GBP">1', 1)
    # new text inside sig:UBLDocumentSignatures but outside ds:Signature: left out by the filter
    inside = original.replace(b"<sac:SignatureInformation>\n<ds:Signature", b"<sac:SignatureInformation>\n\n    <ds:Signature", 1)
    assert amount != original and inside != original
    for name, data, broken in (("amount.xml", amount, True), ("inside.xml", inside, False)):
        (tmp_path / name).write_bytes(data)
        result = validate("--schema", ubl / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd", tmp_path / name)
        (document,) = json.loads(result.output)["documents"]
        assert ("digest-mismatch" in {i["rule"] for i in document["issues"]}) is broken, name
        assert document["signatures"][0]["intact"] is not broken, name


def test_the_negative_order_fails_on_line_50(corpora, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    ubl = corpora / "ubl-2.1"
    schema = ubl / "xsd" / "maindoc" / "UBL-Order-2.1.xsd"
    bad = validate("--schema", schema, ubl / "negative" / "order-test-bad1.xml")
    assert bad.exit_code == 1
    (issue,) = json.loads(bad.output)["documents"][0]["issues"]
    assert issue["line"] == 50 and issue["source"] == "schema" and issue["rule"] == "cvc-complex-type.2.4"
    assert "ChannelCod" in issue["message"] and issue["location"].endswith("cbc:ChannelCod")
    good = validate("--schema", schema, ubl / "negative" / "order-test-good.xml")
    assert good.exit_code == 0
