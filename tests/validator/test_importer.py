"""`dxs standards import`: a validation package becomes a catalog that detection works with."""

import json

import pytest
from click.testing import CliRunner

from dxs import cli
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


def test_a_generic_manifest_keeps_its_own_version_spelling(imported):
    from dxs.validator import load_catalog

    version = load_catalog([imported]).standard("th.example.receipt").version("1.0.0")
    assert version.xml.version_values == ("1.0",)  # ETDA's extra "v1.0" is ETDA's alone


def test_the_imported_catalog_is_locked(imported):
    from dxs.validator import load_catalog
    from dxs.validator.catalog_checks import check_hashes

    catalog = load_catalog([imported])
    assert all(v.hashes and check_hashes(v) == [] for v in catalog.versions())


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m["documents"][0].pop("schemaPath"), "field 'schema_path' is missing"),
        (lambda m: m["documents"][0].update(schemaPath="nope.xsd"), "not found"),
        (lambda m: m["documents"][0].update(activeFrom="soon"), "not an ISO date"),
        (lambda m: m["documents"][0].update(rootTag="{urn:example:receipt"), "never closes"),
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


# --------------------------------------------------------------------------- ETDA's own manifests


def _import(package, out, *extra):
    return CliRunner().invoke(
        cli.main,
        ["standards", "import", str(package), "--out", str(out), "--prefix", "th.etda.e-tax-invoice-receipt",
         "--owner", "ETDA", "--sector", "finance", *extra],
    )


def test_etda_message_info_is_read_as_published(sources, tmp_path):
    """v2.1's MessageInfo.json: six types, titles and OIDs from the README, exact markers, code lists, provenance."""
    from dxs.validator import catalog_folders, load_catalog
    from dxs.validator.publish import sha256_of

    package = sources / "etda-e-tax-invoice-receipt" / "v2.1"
    out = tmp_path / "catalog"
    result = _import(package, out, "--upstream-repository", "https://example.invalid/etda", "--upstream-commit", "abc123",
                     "--upstream-path", "pkg/v2.1")
    assert result.exit_code == 0, result.output
    assert result.output.count("imported th.etda.e-tax-invoice-receipt.") == 6
    catalog = load_catalog([out], registers=catalog_folders())  # its announcement is in the bundled register
    receipt = catalog.standard("th.etda.e-tax-invoice-receipt.receipt")
    assert (receipt.title_th, receipt.document_type.oid) == ("ใบรับอิเล็กทรอนิกส์", "2.16.764.1.4.1.1.3.1.1")
    version = receipt.version("2.1.0")
    assert version.xml.version_path == "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/@schemeVersionID"
    assert version.xml.version_values == ("v2.1", "2.1") and version.xml.label_path.endswith("ram:ID")
    assert version.xml_schema.name == "Receipt_CrossIndustryInvoice_2p1.xsd" and version.rules.name == "Receipt_Schematron_2p1.sch"
    assert {"ISO3AlphaCurrencyCode", "TISICitySubDivisionName"} <= {c.id for c in version.code_lists}
    assert version.upstream.files["MessageInfo.json"] == "pkg/v2.1/MessageInfo.json"
    # byte for byte: every published file is here with the hash it has upstream
    for local, _ in version.upstream.files.items():
        assert version.hashes[local] == sha256_of(package / local)


def test_etda_validator_configuration_lists_two_types_and_the_package_ships_six(sources, tmp_path):
    package = sources / "etda-e-tax-invoice-receipt" / "v2.0"
    result = _import(package, tmp_path / "catalog", "--announcement", "ขมธอ. 3-2560")
    assert result.exit_code == 0, result.output
    assert result.output.count("imported ") == 6
    assert "Receipt: not in validation-config.json; taken from the package's own files" in result.output
    assert "activeTo 2018-01-01 is not after activeFrom 2018-01-01; ignored" in result.output


def test_an_announcement_the_register_lacks_makes_a_draft(sources, tmp_path, monkeypatch):
    from dxs.validator import load_catalog

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")  # no register at all
    out = tmp_path / "catalog"
    result = _import(sources / "etda-e-tax-invoice-receipt" / "v2.1", out)
    assert result.exit_code == 0, result.output
    assert "announcement 'ขมธอ.3-2568' is in no register" in result.output
    assert {v.status for v in load_catalog([out]).versions()} == {"draft"}


def test_a_manifest_naming_a_missing_file_leaves_nothing_behind(sources, tmp_path):
    import shutil

    package = tmp_path / "niets"
    shutil.copytree(sources / "niets-score-report" / "ScoreReport_V1_20201228_1505", package)
    out = tmp_path / "catalog"
    out.mkdir()
    result = CliRunner().invoke(cli.main, ["standards", "import", str(package), "--out", str(out), "--prefix", "th.niets",
                                           "--owner", "NIETS", "--sector", "education"])
    # the manifest says ScoreReport.xsd; the file is ScopreReport.xsd [sic]: a clear error with the near name
    assert result.exit_code == 2 and "ScoreReport.xsd" in result.output and "ScopreReport.xsd" in result.output
    assert list(out.iterdir()) == []


def test_a_schema_reaching_outside_the_package_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    package, common, out = tmp_path / "repo" / "pkg", tmp_path / "repo" / "common", tmp_path / "out"
    for folder in (package, common, out):
        folder.mkdir(parents=True)
    (common / "types.xsd").write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:c">'
                                      '<xs:simpleType name="T"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>')
    (package / "doc.xsd").write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:c="urn:c" targetNamespace="urn:d">'
                                     '<xs:import namespace="urn:c" schemaLocation="../common/types.xsd"/>'
                                     '<xs:element name="Doc" type="c:T"/></xs:schema>')
    (package / "manifest.json").write_text(json.dumps({"documents": [
        {"documentType": "Doc", "rootTag": "{urn:d}Doc", "version": "1.0", "schemaPath": "doc.xsd"}]}))
    result = CliRunner().invoke(cli.main, ["standards", "import", str(package), "--out", str(out), "--prefix", "th.x.pkg", "--owner", "X"])
    assert result.exit_code == 2 and "outside the package folder" in result.output and "types.xsd" in result.output
    assert list(out.iterdir()) == []


def _copy_package(tmp_path):
    import shutil

    package = tmp_path / "pkg"
    shutil.copytree(PACKAGE, package)
    return package


def _import_generic(package, out, *extra):
    return CliRunner().invoke(
        cli.main, ["standards", "import", str(package), "--out", str(out), "--prefix", "th.example", "--owner", "EXA", *extra]
    )


def test_one_version_for_a_manifest_of_two_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    out = tmp_path / "out"
    result = _import_generic(PACKAGE, out, "--version", "3.0.0")
    assert result.exit_code == 2 and "receipt" in result.output and "1.0, 2.0" in result.output, result.output
    assert not out.exists() or list(out.iterdir()) == []
    assert "MAJOR.MINOR.PATCH" in _import_generic(PACKAGE, out, "--version", "three").output


def test_a_malformed_schema_names_its_file_and_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    package = _copy_package(tmp_path)
    schema = package / "xsd" / "v1" / "Receipt.xsd"
    schema.write_text(schema.read_text(encoding="utf-8") + "<junk", encoding="utf-8")
    result = _import_generic(package, tmp_path / "out")
    assert result.exit_code == 2 and "Receipt.xsd" in result.output and "not a usable XML Schema" in result.output and "line 13" in result.output
    assert "Traceback" not in result.output


def test_hidden_folders_of_a_repository_are_not_copied(tmp_path, monkeypatch, sources):
    import shutil

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    package = tmp_path / "v2.1"
    shutil.copytree(sources / "etda-e-tax-invoice-receipt" / "v2.1", package)
    (package / ".git").mkdir()
    (package / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.pyc").write_bytes(b"\0")
    out = tmp_path / "catalog"
    assert _import(package, out).exit_code == 0
    copied = {p.name for p in (out / "th.etda.e-tax-invoice-receipt").rglob("*")}
    assert "HEAD" not in copied and "x.pyc" not in copied and "MessageInfo.json" in copied


def test_a_broken_neighbour_in_the_target_catalog_does_not_block_an_import(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    out = tmp_path / "out"
    (out / "th.other").mkdir(parents=True)
    (out / "th.other" / "standard.toml").write_text('id = "th.other"\n')  # half-written: no sector, no titles
    result = _import_generic(PACKAGE, out)
    assert result.exit_code == 0, result.output
