"""`dxs standards check|new|lock|export` as the standards office uses them."""

import json
import shutil

import pytest
from click.testing import CliRunner

import cli
from tests.conftest import FIXTURE_CATALOG


@pytest.fixture
def catalog_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "cat")
    return tmp_path / "cat"


def dxs(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def test_check_passes_then_fails_on_an_edit(catalog_dir):
    ok = dxs("standards", "check", "--catalog", catalog_dir)
    assert ok.exit_code == 0 and "ok: 1 standards, 2 versions checked" in ok.output
    schema = catalog_dir / "th.test.permit" / "1.1.0" / "schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("P-", "Q-"), encoding="utf-8")
    bad = dxs("standards", "check", "--catalog", catalog_dir, "th.test.permit")
    assert bad.exit_code == 1
    assert "1.1.0/schema.json: file of an announced version was changed since it was locked" in bad.output
    assert dxs("standards", "check", "--catalog", catalog_dir, "th.nope").exit_code == 2


def test_new_version_then_announce_and_lock(catalog_dir):
    created = dxs("standards", "new", "--catalog", catalog_dir, "th.test.permit", "--bump", "major")
    assert created.exit_code == 0 and "2.0.0" in created.output
    toml = (catalog_dir / "th.test.permit" / "2.0.0" / "version.toml").read_text(encoding="utf-8")
    assert 'status = "draft"' in toml and "[hashes]" not in toml and 'version_value = "2.0"' in toml
    assert "announced =" not in toml
    listed = json.loads(dxs("standards", "list", "--catalog", catalog_dir, "--format", "json").output)
    assert [v["status"] for v in listed["standards"][0]["versions"]] == ["deprecated", "announced", "draft"]

    locked = dxs("standards", "lock", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--announce", "2025-05-01")
    assert locked.exit_code == 0 and "locked th.test.permit@2.0.0" in locked.output
    shown = json.loads(dxs("standards", "show", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--format", "json").output)
    version = shown["versions"][0]
    assert version["status"] == "announced" and version["announced"] == "2025-05-01"
    assert version["history"][-1] == {"status": "announced", "date": "2025-05-01"}
    again = dxs("standards", "lock", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--announce", "2025-06-01")
    assert again.exit_code == 2 and "already announced" in again.output


def test_new_standard_scaffold_loads(catalog_dir):
    made = dxs(
        "standards", "new", "--catalog", catalog_dir, "th.test.fishing-licence",
        "--title-th", "ใบอนุญาตทำการประมง", "--title-en", "Fishing licence", "--owner", "DOF", "--sector", "agriculture",
    )
    assert made.exit_code == 0, made.output
    shown = dxs("standards", "show", "--catalog", catalog_dir, "th.test.fishing-licence")
    assert shown.exit_code == 0 and "0.1.0  draft" in shown.output
    check = dxs("standards", "check", "--catalog", catalog_dir, "th.test.fishing-licence")
    assert check.exit_code == 1 and "needs at least 2 valid and 3 invalid .json examples" in check.output
    missing = dxs("standards", "new", "--catalog", catalog_dir, "th.test.other", "--title-th", "x")
    assert missing.exit_code == 2 and "--title-en" in missing.output


def test_export_json_and_dcat_have_stable_identifiers(catalog_dir):
    data = json.loads(dxs("standards", "export", "--catalog", catalog_dir).output)
    (standard,) = data["standards"]
    assert standard["uri"] == "https://standards.dx.go.th/th.test.permit"
    assert [v["uri"] for v in standard["versions"]] == [
        "https://standards.dx.go.th/th.test.permit/1.0.0",
        "https://standards.dx.go.th/th.test.permit/1.1.0",
    ]
    assert {f["path"] for f in standard["versions"][0]["files"]} >= {"schema.json", "schema.xsd", "rules.sch"}
    dcat = json.loads(dxs("standards", "export", "--catalog", catalog_dir, "--format", "dcat", "--base-uri", "https://x.test/").output)
    assert dcat["@type"] == "dcat:Catalog" and "dcat" in dcat["@context"]
    (resource,) = dcat["dcat:resource"]
    assert resource["@id"] == "https://x.test/th.test.permit" and "dct:Standard" in resource["@type"]
    assert resource["dcat:hasCurrentVersion"] == {"@id": "https://x.test/th.test.permit/1.1.0"}
    old, new = resource["dcat:hasVersion"]
    assert new["dcat:previousVersion"] == {"@id": old["@id"]}
    assert old["adms:status"]["@id"].endswith("/Deprecated")
    assert any(d["spdx:checksum"]["spdx:checksumValue"] for d in new["dcat:distribution"])
