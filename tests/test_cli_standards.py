"""`dxs standards check|new|lock|export` as the standards office uses them."""

import json
import re
import shutil
import tomllib

import pytest

from tests.kit.cli import run_dxs


dxs = run_dxs


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

    # announcing needs notes that say something (the draft's are a placeholder) and a date not before its draft entry
    path = catalog_dir / "th.test.permit" / "2.0.0" / "version.toml"
    path.write_text(toml.replace("Draft of 2.0.0, copied from 1.1.0: say what changes.", "Renames the holder."), encoding="utf-8")
    day = tomllib.loads(toml)["history"][0]["date"].isoformat()
    locked = dxs("standards", "lock", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--announce", day)
    assert locked.exit_code == 0 and "locked th.test.permit@2.0.0" in locked.output
    shown = json.loads(dxs("standards", "show", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--format", "json").output)
    version = shown["versions"][0]
    assert version["status"] == "announced" and version["announced"] == day
    assert version["history"][-1] == {"status": "announced", "date": day}
    again = dxs("standards", "lock", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--announce", day)
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


# --------------------------------------------------------------------------- real or illustrative, announcements


def test_list_shows_real_and_illustrative_at_a_glance():
    listed = dxs("standards", "list")
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    block = lambda ident: "\n".join(lines[lines.index(next(l for l in lines if l.startswith(ident + " "))):][:4])  # noqa: E731
    assert "ตัวอย่าง · illustrative" in block("th.dopa.citizen-profile")
    etda = block("th.etda.e-tax-invoice-receipt.tax-invoice")
    assert "announced by ETDA" in etda and "2.0.0 (announced, ขมธอ. 3-2560)" in etda and "2.1.0 (announced, ขมธอ. 3-2568)" in etda
    assert "illustrative" in lines[-1] and "real" in lines[-1]
    real = json.loads(dxs("standards", "list", "--real", "--format", "json").output)["standards"]
    assert real and not any(s["illustrative"] for s in real)


def test_list_announcements_by_year():
    shown = dxs("standards", "list", "--announcements", "--year", "2560")
    assert shown.exit_code == 0
    assert "2560 (CE 2017)" in shown.output and "ขมธอ. 3-2560" in shown.output and "ขมธอ. 11-2560" in shown.output
    assert "in the catalog: th.etda.e-tax-invoice-receipt@2.0.0 (6 document types)" in shown.output
    assert "lower bound" in shown.output
    every = json.loads(dxs("standards", "list", "--announcements", "--format", "json").output)
    assert len(every["announcements"]) == 27 and "lower bound" in every["note"]
    assert dxs("standards", "list", "--announcements", "--year", "2017").output == shown.output  # CE or BE


def test_show_a_package_and_one_of_its_document_types():
    package = dxs("standards", "show", "th.etda.e-tax-invoice-receipt")
    assert package.exit_code == 0 and "a package of 6 document types" in package.output
    one = dxs("standards", "show", "th.etda.e-tax-invoice-receipt.debit-credit-note@2.1.0")
    assert "announcement ขมธอ. 3-2568" in one.output and "partly unverified" in one.output
    assert "files as published: https://github.com/Wongsawat/teda" in one.output
    assert re.search(r"ISO3AlphaCurrencyCode\s+ISO\s+version 2012-08-31\s+ISO 4217 currency codes, \d+ codes", one.output)
    data = json.loads(dxs("standards", "show", "th.dopa.citizen-profile", "--format", "json").output)
    assert data["illustrative"] is True and data["label"] == "ตัวอย่าง · illustrative" and data["national_code"] is None


def test_lock_names_the_announcement_from_the_register(catalog_dir):
    register = catalog_dir / "announcements.toml"
    register.write_text('[[announcement]]\nid = "test-40"\nseries = "TEST"\nnumber = "40-2568"\nannounced = "2025-05-01"\n'
                        'title_th = "ทดสอบ"\ntitle_en = "Test"\nissuer = "TEST"\nkind = "data-structure"\nsource = "tests"\n',
                        encoding="utf-8")
    dxs("standards", "new", "--catalog", catalog_dir, "th.test.permit", "--bump", "major")
    day = tomllib.loads((catalog_dir / "th.test.permit" / "2.0.0" / "version.toml").read_text(encoding="utf-8"))["history"][0]["date"]
    refused = dxs("standards", "announce", "--catalog", catalog_dir, "th.test.permit@2.0.0", "--on", day.isoformat(),
                  "--notes", "Renames the holder.", "--announcement", "TEST 40-2568")
    assert refused.exit_code == 2 and "is illustrative: it has no announcement" in refused.output


def test_dcat_says_what_is_illustrative(catalog_dir):
    dcat = json.loads(dxs("standards", "export", "--catalog", catalog_dir, "--format", "dcat").output)
    (resource,) = dcat["dcat:resource"]
    assert resource["dct:type"] == "illustrative"
    assert {t["@value"] for t in resource["dct:title"]} == {"ใบอนุญาตทดสอบ (ตัวอย่าง)", "Test permit (illustrative)"}
    assert "adms:identifier" not in resource


def test_check_fails_naming_an_etda_file_that_differs_from_the_published_one(tmp_path, monkeypatch):
    from dxs.standards import BUNDLED_CATALOG

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    catalog = tmp_path / "cat"
    shutil.copytree(BUNDLED_CATALOG / "th.etda.e-tax-invoice-receipt", catalog / "th.etda.e-tax-invoice-receipt")
    shutil.copy(BUNDLED_CATALOG / "announcements.toml", catalog / "announcements.toml")
    edited = catalog / "th.etda.e-tax-invoice-receipt" / "2.1.0" / "uncefact" / "codelist" / "standard" / "ISO_ISO3AlphaCurrencyCode_2012-08-31.xsd"
    edited.write_bytes(edited.read_bytes().replace(b'value="THB"', b'value="THX"', 1))
    result = dxs("standards", "check", "--catalog", catalog, "th.etda.e-tax-invoice-receipt.tax-invoice")
    assert result.exit_code == 1
    assert "2.1.0/uncefact/codelist/standard/ISO_ISO3AlphaCurrencyCode_2012-08-31.xsd: file of an announced version was changed since it was locked" in result.output


def test_lock_writes_the_announcement_at_the_top_whatever_the_status_line_carries(catalog_dir):
    standard = catalog_dir / "th.test.permit" / "standard.toml"
    standard.write_text(standard.read_text(encoding="utf-8").replace("illustrative = true\n", "")
                        + '\n[source]\nkind = "announced"\npublisher = "TEST"\nurl = "https://example.invalid"\n', encoding="utf-8")
    version = catalog_dir / "th.test.permit" / "1.1.0" / "version.toml"
    version.write_text(version.read_text(encoding="utf-8").replace('status = "announced"\n', 'status = "announced"  # by TEST 1-2567\n', 1),
                       encoding="utf-8")
    (catalog_dir / "announcements.toml").write_text('[[announcement]]\nid = "t1"\nseries = "TEST"\nnumber = "1-2567"\nyear_be = 2567\n'
                                                    'issuer = "TEST"\nkind = "data-structure"\nsource = "tests"\n', encoding="utf-8")
    locked = dxs("standards", "lock", "--catalog", catalog_dir, "--announcement", "TEST 1-2567", "th.test.permit@1.1.0")
    assert locked.exit_code == 0, locked.output
    shown = json.loads(dxs("standards", "show", "--catalog", catalog_dir, "th.test.permit@1.1.0", "--format", "json").output)
    assert shown["versions"][0]["announcement"]["label"] == "TEST 1-2567"
    assert version.read_text(encoding="utf-8").index("announcement =") < version.read_text(encoding="utf-8").index("[[history]]")
    assert not list((catalog_dir / "th.test.permit").glob(".*.tmp"))


# --------------------------------------------------------------------------- a package's shared folder


@pytest.fixture
def etax_package(sources, tmp_path, monkeypatch):
    """ETDA's v2.1 package imported as a catalog of its own: six document types sharing one version folder."""
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    out = tmp_path / "pkgcat"
    imported = dxs("standards", "import", sources / "etda-e-tax-invoice-receipt" / "v2.1", "--out", out,
                   "--prefix", "th.x.etax", "--owner", "ETDA", "--sector", "finance")
    assert imported.exit_code == 0, imported.output
    return out


def test_a_package_folder_is_locked_once_and_its_shared_findings_said_once(etax_package):
    locked = dxs("standards", "lock", "--catalog", etax_package, "th.x.etax.tax-invoice@2.1.0", "th.x.etax.receipt@2.1.0")
    assert locked.exit_code == 0 and locked.output.splitlines() == [locked.output.splitlines()[0]]
    assert locked.output.startswith("locked th.x.etax@2.1.0: ")
    checked = dxs("standards", "check", "--catalog", etax_package)
    placeholder = [line for line in checked.output.splitlines() if "field 'legal_basis' is empty or a placeholder" in line]
    assert len(placeholder) == 1 and placeholder[0].startswith("FAIL  th.x.etax: "), checked.output


def test_lock_refuses_an_announcement_for_every_version_at_once(catalog_dir):
    refused = dxs("standards", "lock", "--catalog", catalog_dir, "--all-announced", "--announcement", "TEST 1-2567")
    assert refused.exit_code == 2 and "--all-announced" in refused.output
    empty = dxs("standards", "lock", "--catalog", catalog_dir, "--announcement", "", "th.test.permit@1.1.0")
    assert empty.exit_code == 2 and "empty" in empty.output
