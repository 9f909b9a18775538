"""`dxs standards import`: a validation package becomes a catalog that detection works with."""

import json

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import FIXTURES

PACKAGE = FIXTURES / "package"

V1 = '<Receipt xmlns="urn:example:receipt"><Guideline>1.0</Guideline><Number>R-1</Number><Amount>10</Amount></Receipt>'
V2 = (
    '<Receipt xmlns="urn:example:receipt" xmlns:c="urn:example:common"><Guideline>2.0</Guideline><Number>R-2</Number>'
    '<c:Amount currency="THB">{amount}</c:Amount><Payer>สมชาย</Payer></Receipt>'
)


@pytest.fixture
def imported(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    out = tmp_path / "catalog"
    result = CliRunner().invoke(
        cli.main, ["standards", "import", str(PACKAGE), "--out", str(out), "--prefix", "th.example", "--owner", "EXA"]
    )
    assert result.exit_code == 0, result.output
    assert "imported th.example.receipt@1.0.0" in result.output and "imported th.example.receipt@2.0.0" in result.output
    return out


def validate(catalog, tmp_path, text, *extra):
    doc = tmp_path / "doc.xml"
    doc.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["validate", "--catalog", str(catalog), "--format", "json", *extra, str(doc)])
    return result.exit_code, json.loads(result.output)["documents"][0]


def test_detection_by_version_marker(imported, tmp_path):
    assert validate(imported, tmp_path, V1)[1]["standard"] == "th.example.receipt@1.0.0"
    code, report = validate(imported, tmp_path, V2.format(amount="5"))
    assert code == 0 and report["standard"] == "th.example.receipt@2.0.0"


def test_imports_and_rules_are_kept(imported, tmp_path):
    # v2's schema imports a module from a sub-folder; its Schematron (xslt2) runs too
    code, report = validate(imported, tmp_path, V2.format(amount="-5"))
    assert code == 1 and [i["rule"] for i in report["issues"]] == ["RCT-AMOUNT-POSITIVE"]


def test_default_version_and_dates(imported, tmp_path):
    unmarked = V1.replace("<Guideline>1.0</Guideline>", "")
    code, report = validate(imported, tmp_path, unmarked)
    assert report["standard"] == "th.example.receipt@1.0.0"  # the default, which then finds Guideline missing
    assert code == 1 and report["issues"][0]["rule"] == "cvc-complex-type.2.4"
    _, late = validate(imported, tmp_path, V1, "--at", "2024-01-01")
    assert late["issues"][0]["rule"] == "no-version-in-force"


def test_unknown_root_and_unsupported_version(imported, tmp_path):
    _, unknown = validate(imported, tmp_path, '<Invoice xmlns="urn:example:receipt"/>')
    _, unsupported = validate(imported, tmp_path, V1.replace(">1.0<", ">9.9<"))
    assert unknown["issues"][0]["rule"] == "unknown-document"
    assert unsupported["issues"][0]["rule"] == "unsupported-version"


def test_the_imported_catalog_is_locked(imported):
    from validator import load_catalog
    from validator.checks import check_hashes

    catalog = load_catalog([imported])
    assert all(v.hashes and check_hashes(v) == [] for v in catalog.versions())


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m["documents"][0].pop("schemaPath"), "field 'schema_path' is missing"),
        (lambda m: m["documents"][0].update(schemaPath="nope.xsd"), "not found"),
        (lambda m: m["documents"][0].update(activeFrom="soon"), "not an ISO date"),
    ],
)
def test_bad_manifests_are_clear_errors(tmp_path, monkeypatch, edit, message):
    import shutil

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    package = tmp_path / "pkg"
    shutil.copytree(PACKAGE, package)
    manifest = json.loads((package / "manifest.json").read_text())
    edit(manifest)
    (package / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(
        cli.main, ["standards", "import", str(package), "--out", str(tmp_path / "o"), "--prefix", "x", "--owner", "X"]
    )
    assert result.exit_code == 2 and message in result.output and "entry 1" in result.output
