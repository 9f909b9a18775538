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


def test_the_signed_ubl_sample_is_reported_as_it_is(corpora, monkeypatch):
    """OASIS's enveloped-signature sample: a signature in UBL's extension slot, an XPath transform, SHA-1, RSA-1024.

    It is neither "broken" (the XPath transform is not evaluated, so nothing is blamed on the digest) nor
    passed: the weak algorithms are errors, and the check says what it could not verify.
    """
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    ubl = corpora / "ubl-2.1"
    result = validate("--schema", ubl / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd", ubl / "xml" / "UBL-Invoice-2.0-Enveloped.xml")
    (document,) = json.loads(result.output)["documents"]
    rules = {i["rule"] for i in document["issues"]}
    assert {"weak-algorithm", "not-verified"} <= rules and not {"digest-mismatch", "signature-wrapping", "signature-value"} & rules
    (signature,) = document["signatures"]
    assert signature["verified"] is False and signature["signer"].startswith("CN=UBL TC") and signature["key"] == "RSA 1024"
    assert not any(i["severity"] == "error" and i["source"] != "signature" for i in document["issues"])
    off = validate("--signatures", "off", "--schema", ubl / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd", ubl / "xml" / "UBL-Invoice-2.0-Enveloped.xml")
    assert off.exit_code == 0


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
