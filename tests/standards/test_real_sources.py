"""The three standards taken from real sources: NIETS' Score Report, ISO 20022 camt.054 and DGA's
GD-Catalog dataset metadata.

Checked here: the copied files are byte for byte the published ones in ../shared/sources (skipped
outside CI when that folder is absent, a failure in CI); the DGA JSON Schemas have exactly the
field names, choice values and required flags of ckanext-thai_gdc's scheming files at each tag,
and copy none of those files; each standard says where it comes from; every version's examples
behave as their manifests say.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from dxs.standards import BUNDLED_CATALOG
from tests.conftest import need
from dxs.validator import load_catalog
from dxs.validator.catalog_checks import check_examples

CATALOG = load_catalog([BUNDLED_CATALOG])
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "sources"

NIETS = "th.niets.score-report"
CAMT = "iso20022.camt.054"
DGA = "th.dga.dataset-metadata"
NIETS_PACKAGE = "niets-score-report/ScoreReport_V1_20201228_1505"
DGA_TAGS = {"1.3.0": "thai_gdc-v-1.3.0", "1.4.1": "thai_gdc-v-1.4.1", "2.1.0": "thai_gdc-v-2.1.0"}


def shared(relative: str) -> Path:
    """A path under ../shared/sources; skipped locally when the folder is absent, a failure in CI."""
    path = SHARED / relative
    need(path.exists(), f"{path} is not here: the shared sources are needed to compare against the publications")
    return path


# --------------------------------------------------------------------------- copied byte for byte


def test_niets_files_are_the_published_ones():
    version = CATALOG.standard(NIETS).version("1.0.0")
    package = shared(NIETS_PACKAGE)
    copied = {p for p in version.upstream.files}
    on_disk = {
        p.relative_to(version.folder).as_posix()
        for p in version.files()
        if p.relative_to(version.folder).parts[0] != "examples"
    }
    assert copied == on_disk, "every file of the version (examples aside) is a copied one, and only those"
    published = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    # left out on purpose, as the version's notes say: the spreadsheet and the oXygen project file
    assert published - copied == {"Specification-ScoreReport-V1.0.0.xlsx", "ScoreReport.xpr"}
    prefix = "Input/UNCEFACT/ScoreReport_V1_20201228_1505/"
    for local, upstream in version.upstream.files.items():
        assert upstream == prefix + local
        assert (version.folder / local).read_bytes() == (package / local).read_bytes(), local


def test_niets_names_the_real_entry_schema_and_rules():
    version = CATALOG.standard(NIETS).version("1.0.0")
    # MessageInfo.json says ScoreReport.xsd; the published file is ScopreReport.xsd [sic]
    assert version.xml_schema.name == "ScopreReport.xsd"
    assert version.rules.name == "ScoreReport_Schematron_1p0.sch"
    info = json.loads((version.folder / "MessageInfo.json").read_text(encoding="utf-8"))
    assert info["standardCode"] == "" and info["version"] == version.upstream.version == "1.0.0"
    assert info["messages"][0]["rootTagName"] == version.xml.root
    assert {c.id for c in version.code_lists} >= {
        "ISO2AlphaLanguageCode", "ISOTwo-letterCountryCode", "ThaiCountrySubDivisionCode",
        "ThaiCityIdentification", "ThaiCitySubDivisionIdentification",
    }  # fmt: skip


def test_camt054_schema_is_the_published_one():
    version = CATALOG.standard(CAMT).version("8.0.0")
    assert version.upstream.files == {
        "camt.054.001.08.xsd": "docs/specifications/banktocustomer_cash_management_8/camt.054.001.08.xsd"
    }
    assert version.xml_schema.read_bytes() == shared("iso20022/camt.054.001.08.xsd").read_bytes()
    assert version.xml.namespace == "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"
    assert version.xml.root == "Document" and version.xml.version_path is None


# --------------------------------------------------------------------------- DGA: facts, not copies


def _scheming(version: str) -> dict:
    return json.loads(shared(f"gd-catalog/{DGA_TAGS[version]}/ckan_dataset.json").read_text(encoding="utf-8"))


def _facts(fields: list[dict]) -> tuple[list[str], set[str], dict[str, list[str]]]:
    names = [f["field_name"] for f in fields]
    required = {f["field_name"] for f in fields if f.get("required")}
    choices = {f["field_name"]: [c["value"] for c in f["choices"]] for f in fields if f.get("choices")}
    return names, required, choices


def _schema_facts(properties: dict, required: list[str]) -> tuple[list[str], set[str], dict[str, list[str]]]:
    names = [n for n in properties if n != "resources"]
    choices = {}
    for name in names:
        prop = properties[name]
        enum = prop.get("enum", prop.get("items", {}).get("enum"))
        if enum is not None:
            choices[name] = enum
    return names, set(required), choices


@pytest.mark.parametrize("version", sorted(DGA_TAGS))
def test_dga_schema_has_the_scheming_fields_choices_and_required_flags(version):
    scheming = _scheming(version)
    schema = json.loads((CATALOG.standard(DGA).version(version).json_schema).read_text(encoding="utf-8"))
    assert _schema_facts(schema["properties"], schema["required"]) == _facts(scheming["dataset_fields"])
    items = schema["properties"]["resources"]["items"]
    assert _schema_facts(items["properties"], items["required"]) == _facts(scheming["resource_fields"])
    # multiple-choice fields are lists; CKAN's email_validator is format email
    for fields, props in ((scheming["dataset_fields"], schema["properties"]), (scheming["resource_fields"], items["properties"])):
        for field in fields:
            prop, validators = props[field["field_name"]], field.get("validators") or ""
            assert (prop["type"] == "array") == ("scheming_multiple_choice" in validators), field["field_name"]
            assert (prop.get("format") == "email") == ("email_validator" in validators), field["field_name"]


@pytest.mark.parametrize("version", sorted(DGA_TAGS))
def test_dga_copies_no_upstream_file(version):
    v = CATALOG.standard(DGA).version(version)
    assert v.upstream is not None and v.upstream.files == {} and v.upstream.version == f"v-{version}"
    published = {p.read_bytes() for p in shared("gd-catalog").rglob("*") if p.is_file()}
    assert not [p for p in v.files() if p.read_bytes() in published]


def test_dga_versions_mirror_the_tags_and_nothing_invented_is_left():
    assert [v.version for v in CATALOG.standard(DGA).versions] == ["1.3.0", "1.4.1", "2.1.0"]
    assert not (BUNDLED_CATALOG / DGA / "1.0.0").exists() and not (BUNDLED_CATALOG / DGA / "2.0.0").exists()
    assert all(v.xml_schema is None for v in CATALOG.standard(DGA).versions)


# --------------------------------------------------------------------------- provenance and kits


def _dates_of(version) -> set[dt.date]:
    """Every date a version carries: its own fields and its history's."""
    own = {version.announced, version.effective, version.sunset, version.active_from, version.active_until}
    return {d for d in own | {h.date for h in version.history} if d is not None}


def test_every_date_of_a_real_version_is_in_its_source():
    """No date is written for a real standard unless its publication says it: NIETS' date is in the
    package folder's name, DGA's are the release dates of ckanext-thai_gdc's CHANGELOG, and ETDA's
    versions only the activeFrom of ETDA's validation-config.json (their announcement dates come from
    the register, checked row for row elsewhere), ISO's none."""
    assert _dates_of(CATALOG.standard(NIETS).version("1.0.0")) == {dt.date(2020, 12, 28)}
    assert "_20201228_" in shared(NIETS_PACKAGE).name
    changelog = shared(f"gd-catalog/{DGA_TAGS['2.1.0']}/CHANGELOG.md").read_text(encoding="utf-8")
    for number in DGA_TAGS:
        dates = _dates_of(CATALOG.standard(DGA).version(number))
        assert len(dates) == 1, (number, dates)
        assert f"## {number}\n\n{dates.pop().isoformat()}\n" in changelog, number
    for version in CATALOG.standard(CAMT).versions:
        assert not _dates_of(version), version.ref
    for standard in CATALOG:
        if standard.id.startswith("th.etda.e-tax-invoice-receipt."):
            for version in standard.versions:
                config = version.folder / "validation-config.json"
                published = set(re.findall(r"\d{4}-\d{2}-\d{2}", config.read_text(encoding="utf-8"))) if config.exists() else set()
                # only ETDA's own activeFrom, for the versions whose config gives one
                assert {d.isoformat() for d in _dates_of(version)} <= published, version.ref


@pytest.mark.parametrize(("standard_id", "kind"), [(NIETS, "registered"), (CAMT, "international"), (DGA, "derived")])
def test_each_says_where_it_comes_from(standard_id, kind):
    standard = CATALOG.standard(standard_id)
    assert not standard.illustrative
    assert standard.source is not None and standard.source.kind == kind
    assert standard.announcements == ()  # none of them is a Thai announcement
    assert all(v.upstream is not None for v in standard.versions)


@pytest.mark.parametrize(
    "ref", [v.ref for s in (NIETS, CAMT, DGA) for v in CATALOG.standard(s).versions]
)
def test_examples_behave_as_their_manifests_say(ref):
    assert check_examples(CATALOG, CATALOG.resolve(ref)) == []
