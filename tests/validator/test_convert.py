"""`dxs convert`: every JSON/XML twin in the catalogs converts both ways, valid and lossless."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.conftest import FIXTURE_CATALOG
from tests.kit.cli import run_dxs
from dxs.validator import DocumentValidator, catalog_folders, load_catalog
from dxs.validator.convert import ConversionError, Converter, convert_document

CATALOG = load_catalog([*catalog_folders(), FIXTURE_CATALOG])
TWINS = [
    (version, path)
    for version in CATALOG.versions()
    if version.json_schema and version.xml_schema
    for path in version.examples("valid")
    if path.suffix == ".json" and path.with_suffix(".xml").is_file()
]


def test_every_standard_with_both_forms_has_twins_to_convert():
    both = {v.ref for v in CATALOG.versions() if v.json_schema and v.xml_schema}
    assert {v.ref for v, _ in TWINS} == both and len(TWINS) >= 30


@pytest.mark.parametrize(("version", "path"), TWINS, ids=[f"{v.ref}/{p.stem}" for v, p in TWINS])
def test_twins_convert_into_each_other(version, path):
    converter = Converter(CATALOG, version)
    validator = DocumentValidator(CATALOG, standard=version.ref)
    document = json.loads(path.read_bytes())
    xml = etree.tostring(converter.to_xml(document), xml_declaration=True, encoding="UTF-8")
    report = validator.validate_bytes(xml, "converted.xml")
    assert report.valid, [str(i) for i in report.issues]
    assert converter.to_json(etree.fromstring(xml)) == document  # json → xml → json
    from_twin = converter.to_json(etree.parse(str(path.with_suffix(".xml"))).getroot())
    assert from_twin == document  # the published XML twin becomes the published JSON twin
    assert validator.validate_bytes(json.dumps(from_twin).encode(), "converted.json").valid


def test_data_without_a_counterpart_is_an_error_not_a_loss():
    version = CATALOG.resolve("th.test.permit@1.1.0")
    document = json.loads((version.folder / "examples" / "valid" / "malee.json").read_bytes()) | {"nickname": "x"}
    with pytest.raises(ConversionError, match="/nickname: has no counterpart in the XML form"):
        Converter(CATALOG, version).to_xml(document)
    xml = (version.folder / "examples" / "valid" / "malee.xml").read_bytes().replace(b"</Permit>", b"<Extra>1</Extra></Permit>")
    with pytest.raises(ConversionError, match="Extra"):
        convert_document(CATALOG, xml, to="json", name="m.xml")


def test_a_version_with_one_form_cannot_convert():
    one_form = next((v for v in CATALOG.versions() if bool(v.json_schema) != bool(v.xml_schema)), None)
    assert one_form is not None  # the bundled catalog has JSON-only and XML-only standards
    with pytest.raises(ConversionError, match="does not have both"):
        Converter(CATALOG, one_form)


dxs = run_dxs


def test_the_command_converts_detects_and_checks(tmp_path):
    source = CATALOG.resolve("th.dopa.thai-address@1.0.1").folder / "examples" / "valid"
    json_file = next(p for p in source.iterdir() if p.suffix == ".json")
    as_xml = dxs("convert", json_file, "--to", "xml")
    assert as_xml.exit_code == 0 and as_xml.stdout.startswith("<?xml")
    (tmp_path / "a.xml").write_text(as_xml.stdout)
    back = dxs("convert", tmp_path / "a.xml", "--to", "json", "-o", tmp_path / "a.json")
    assert back.exit_code == 0 and json.loads((tmp_path / "a.json").read_text()) == json.loads(json_file.read_text())
    assert dxs("convert", json_file, "--to", "json").exit_code == 1  # already JSON
    assert dxs("convert", json_file, "--to", "xml", "--standard", "th.nope@1.0.0").exit_code == 2
    assert dxs("convert", tmp_path / "missing.json", "--to", "xml").exit_code == 2
    bad = dxs("convert", "-", "--to", "xml", input='{"documentType": "nothing"}')
    assert bad.exit_code == 1 and "--standard" in bad.stderr


def test_an_invalid_conversion_writes_nothing(tmp_path):
    source = CATALOG.resolve("th.dopa.thai-address@1.0.1").folder / "examples" / "valid" / "chiang-mai-village.json"
    bad = tmp_path / "bad.json"
    bad.write_text(source.read_text(encoding="utf-8").replace('"50200"', '"5020"'), encoding="utf-8")
    out = tmp_path / "bad.xml"
    got = dxs("convert", bad, "--to", "xml", "-o", out)
    assert got.exit_code == 1 and not out.exists()
    assert "5020" in got.stderr and f"nothing written to {out}" in got.stderr
    to_stdout = dxs("convert", bad, "--to", "xml")
    assert to_stdout.exit_code == 1 and to_stdout.stdout == ""
