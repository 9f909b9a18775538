"""`dxs standards diff`: two versions or two schema files, text or JSON, exit 0; bad arguments exit 2."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dxs.cli import main
from tests.conftest import FIXTURE_CATALOG

STANDARDS = FIXTURE_CATALOG.parent.parent.parent / "standards"


def run(*args: str):
    return CliRunner().invoke(main, ["standards", "diff", *args])


def test_two_catalog_versions_as_json() -> None:
    result = run("th.bot.payment-notification@1.0.0", "th.bot.payment-notification@1.1.0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"level", "bump", "changes"}
    assert data["level"] == "BACKWARD" and data["bump"] == "minor"
    assert {"kind", "location", "backward", "forward", "message"} <= set(data["changes"][0])
    kinds = {c["kind"] for c in data["changes"]}
    assert "version-marker" in kinds


def test_etda_versions_keep_their_publishers_numbers_but_the_diff_says_what_changed() -> None:
    # ETDA numbers it 2.1, yet 2.1 refuses some 2.0 documents: the diff says so (the catalog check does not
    # hold a publisher's numbering to our rules)
    ref = "th.etda.e-tax-invoice-receipt.tax-invoice"
    data = json.loads(run(f"{ref}@2.0.0", f"{ref}@2.1.0", "--format", "json").output)
    assert data["bump"] == "major"
    assert any(c["kind"] == "element-added-optional" and c["location"].endswith("ram:PrepaidIndicator") for c in data["changes"])


def test_a_major_version_names_breaking_changes_with_evidence() -> None:
    result = run("th.moph.patient-referral@1.1.0", "th.moph.patient-referral@2.0.0", "--format", "json")
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["level"] == "NONE" and data["bump"] == "major"
    required = [c for c in data["changes"] if c["kind"] == "required-property-added" and c["location"] == "/required"]
    assert required and all(not c["backward"] for c in required)
    assert any("examples/valid/" in e for c in required for e in c["evidence"])


def test_two_files_have_no_marker_exemption() -> None:
    old = STANDARDS / "th.bot.payment-notification" / "1.0.0" / "schema.json"
    new = STANDARDS / "th.bot.payment-notification" / "1.1.0" / "schema.json"
    data = json.loads(run(str(old), str(new), "--format", "json").output)
    assert any(c["kind"] == "const-changed" for c in data["changes"]) and data["bump"] == "major"


def test_a_file_against_a_catalog_version() -> None:
    new = STANDARDS / "th.dopa.thai-address" / "1.0.1" / "schema.xsd"
    result = run("th.dopa.thai-address@1.0.0", str(new))
    assert result.exit_code == 0, result.output
    assert "level FULL" in result.output and "patch" in result.output


def test_text_output_lists_effects() -> None:
    result = run("th.bot.payment-notification@1.0.0", "th.bot.payment-notification@1.1.0")
    assert result.exit_code == 0
    assert "backward  [xsd] element-added-optional at " in result.output
    assert "level BACKWARD · smallest honest bump: minor" in result.output


def test_transitive_compares_with_every_earlier_announced_version() -> None:
    result = run("--transitive", "th.moph.patient-referral@2.0.0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["old"] for c in data["comparisons"]] == ["th.moph.patient-referral@1.0.0", "th.moph.patient-referral@1.1.0"]
    assert data["level"] == "NONE" and data["bump"] == "major"
    assert {c["against"] for c in data["changes"]} == {"th.moph.patient-referral@1.0.0", "th.moph.patient-referral@1.1.0"}


def test_bad_arguments_exit_2() -> None:
    ref = "th.bot.payment-notification"
    assert run(f"{ref}@1.0.0").exit_code == 2
    assert run(f"{ref}@1.0.0", f"{ref}@9.9.9").exit_code == 2
    assert run(f"{ref}@1.0.0", "th.dopa.thai-address@1.0.1").exit_code == 2
    assert run("nope", f"{ref}@1.0.0").exit_code == 2
    assert run("missing.json", "other.xsd").exit_code == 2


def test_evidence_sits_on_the_change_it_shows_not_on_its_neighbours():
    from dxs.validator import catalog_folders, load_catalog
    from dxs.validator.compat import diff_versions

    catalog = load_catalog(catalog_folders())
    found = diff_versions(catalog, catalog.resolve("th.dopa.citizen-profile@1.0.0"), catalog.resolve("th.dopa.citizen-profile@2.0.0"))
    required = {c.message: c.evidence for c in found.changes if c.kind == "required-property-added"}
    assert required["property 'nameEn' is now required"] and all("nameEn" in e for e in required["property 'nameEn' is now required"])
    assert all("nameTh" in e for e in required["property 'nameTh' is now required"])
