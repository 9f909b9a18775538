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
        failures += [(xsd, d["path"], d["issues"][:1]) for d in report["documents"] if not d["valid"]]
        assert report["summary"]["documents"] == len(xmls)
    assert failures == []


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
