"""Fields tables of a version's JSON and XML forms (what the documentation pages list)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import SchemaLoadError, StandardVersion, load_catalog
from dxs.validator.schema_fields import Field, json_fields, xml_fields


def by_path(fields: list[Field]) -> dict[str, Field]:
    return {f.path: f for f in fields}


@pytest.fixture(scope="module")
def citizen():
    return load_catalog([BUNDLED_CATALOG / "th.dopa.citizen-profile"]).standard("th.dopa.citizen-profile")


def make_version(folder: Path, files: dict[str, object]) -> StandardVersion:
    """A draft version whose folder holds ``files`` (dicts are written as JSON)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        text = json.dumps(content) if isinstance(content, dict) else str(content)
        (folder / name).write_text(text, encoding="utf-8")
    found = {key: folder / name for key, name in (("json_schema", "schema.json"), ("xml_schema", "schema.xsd")) if (folder / name).is_file()}
    return StandardVersion(standard_id="th.test.synthetic", version="1.0.0", status="draft", folder=folder, **found)


# --------------------------------------------------------------------------- JSON


def test_permit_json_follows_ref_into_sibling_file(fixture_catalog):
    version = fixture_catalog.resolve("th.test.permit@1.1.0")
    fields = by_path(json_fields(version))
    # holder is `{"$ref": "party.json"}`: its properties come from the sibling file
    assert fields["/holder"].type == "object (party)" and fields["/holder"].cardinality == "1..1"
    national_id = fields["/holder/nationalId"]
    assert national_id.depth == 1 and national_id.cardinality == "1..1"
    assert "format: th-national-id" in national_id.constraints
    assert fields["/permitNumber"].constraints == "pattern: ^P-[0-9]{6}$"
    assert fields["/fee"].cardinality == "0..1" and fields["/fee"].constraints == "≥ 0"
    assert fields["/documentType"].constraints == "= th.test.permit"
    assert "/validUntil" in fields
    assert "/validUntil" not in by_path(json_fields(fixture_catalog.resolve("th.test.permit@1.0.0")))


def test_order_is_document_order_parents_first(fixture_catalog):
    paths = [f.path for f in json_fields(fixture_catalog.resolve("th.test.permit@1.1.0"))]
    assert paths.index("/holder") < paths.index("/holder/nationalId") < paths.index("/issued")
    assert paths[0] == "/documentType"


def test_bundled_json_has_thai_and_english_texts_from_defs(citizen):
    fields = by_path(json_fields(citizen.version("2.0.0")))
    first = fields["/nameTh/firstName"]  # reached through "$ref": "#/$defs/PersonNameTh"
    assert (first.title_en, first.title_th) == ("First name", "ชื่อ")
    assert first.constraints == "length: 1..100" and first.required
    assert fields["/nameTh/middleName"].cardinality == "0..1"
    # the property's own title wins over the title of the $defs entry it points to
    assert fields["/nameTh"].title_th == "ชื่อภาษาไทย" and fields["/nameTh"].type == "object (PersonNameTh)"
    assert "เลขประจำตัวประชาชน 13 หลัก" in fields["/nationalId"].description_th
    assert fields["/sex"].constraints == "one of: 1, 2"
    assert fields["/identityCard"].cardinality == "0..1"
    assert fields["/houseRegistration/address/province/code"].depth == 3


def test_arrays_alternatives_conditionals_and_recursion(tmp_path):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/synthetic/schema.json",
        "type": "object",
        "required": ["lines", "party"],
        "properties": {
            "lines": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Line"}},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "uniqueItems": True},
            "party": {"$ref": "#/$defs/Party"},
            "amount": {"allOf": [{"$ref": "#/$defs/Money"}, {"title": "Amount"}]},
            "node": {"$ref": "#/$defs/Node"},
            "code": {"oneOf": [{"type": "string", "pattern": "^[A-Z]+$"}, {"type": "integer"}]},
        },
        "$defs": {
            "Line": {
                "type": "object",
                "required": ["qty"],
                "properties": {"qty": {"type": "integer", "exclusiveMinimum": 0, "x-title-th": "จำนวน"}},
            },
            "Party": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"enum": ["person", "company"]}, "id": {"type": "string"}},
                "allOf": [
                    {
                        "if": {"properties": {"kind": {"const": "person"}}, "required": ["kind"]},
                        "then": {"properties": {"id": {"format": "th-national-id"}}, "required": ["id"]},
                    }
                ],
                "oneOf": [
                    {"title": "Person", "properties": {"kind": {"const": "person"}, "birthDate": {"type": "string"}}},
                    {"title": "Company", "required": ["registeredName"], "properties": {"registeredName": {"type": "string"}}},
                ],
            },
            "Money": {"type": "number", "minimum": 0, "multipleOf": 0.01},
            "Node": {"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}},
        },
    }
    fields = by_path(json_fields(make_version(tmp_path / "v", {"schema.json": schema})))

    assert fields["/lines"].cardinality == "1..n" and fields["/lines"].type == "array of object (Line)"
    assert fields["/lines[]/qty"].title_th == "จำนวน" and fields["/lines[]/qty"].constraints == "> 0"
    assert fields["/tags"].cardinality == "0..n" and "each: length ≤ 8" in fields["/tags"].constraints
    assert "unique items" in fields["/tags"].constraints

    # allOf merges: the type and bounds of Money, the title of the second member
    assert fields["/amount"].type == "number" and fields["/amount"].title_en == "Amount"
    assert "≥ 0" in fields["/amount"].constraints and "multiple of 0.01" in fields["/amount"].constraints

    # if/then becomes a note on the property it touches
    assert "if kind = person: format: th-national-id" in fields["/party/id"].constraints
    assert "required if kind = person" in fields["/party/id"].constraints
    # oneOf: summed up on the field, one row per option, option-only properties listed
    assert "exactly one of: Person | Company" in fields["/party"].constraints
    assert fields["/party (oneOf #2)"].title_en == "Company"
    assert "requires registeredName" in fields["/party (oneOf #2)"].constraints
    assert fields["/party/registeredName"].cardinality == "1..1"
    assert fields["/party/birthDate"].cardinality == "0..1"
    assert fields["/code"].type == "string | integer"

    # a recursive structure is listed once, then marked, not walked forever
    assert "/node/name" in fields
    assert "recursive" in fields["/node/children"].constraints
    assert fields["/node/children"].type == "array of object (Node)"
    assert not any(p.startswith("/node/children[]") for p in fields)


def test_refs_never_leave_the_version_folder(tmp_path):
    schema = {"type": "object", "properties": {"x": {"$ref": "https://example.com/remote.json"}}}
    with pytest.raises(SchemaLoadError, match="remote.json"):
        json_fields(make_version(tmp_path / "v", {"schema.json": schema}))
    (tmp_path / "outside.json").write_text("{}")
    schema = {"type": "object", "properties": {"x": {"$ref": "../outside.json"}}}
    with pytest.raises(SchemaLoadError):
        json_fields(make_version(tmp_path / "w", {"schema.json": schema}))


def test_no_json_form_means_no_rows(tmp_path):
    assert json_fields(make_version(tmp_path / "v", {"schema.xsd": "<x/>"})) == []


# --------------------------------------------------------------------------- XML


def test_permit_xml_walks_imported_elements_and_attributes(fixture_catalog):
    fields = by_path(xml_fields(fixture_catalog.resolve("th.test.permit@1.1.0")))
    assert fields["Permit"].cardinality == "1..1" and fields["Permit"].depth == 0
    assert fields["Permit/@version"].cardinality == "0..1" and fields["Permit/@version"].type == "xs:string"
    # p:Holder lives in party.xsd, imported from the version folder
    assert fields["Permit/p:Holder/p:NationalID"].constraints == "pattern: [1-8][0-9]{12}"
    assert fields["Permit/p:Holder/p:NationalID"].depth == 2
    assert fields["Permit/Fee"].cardinality == "0..1" and fields["Permit/Fee"].constraints == "≥ 0"
    assert fields["Permit/PermitNumber"].required
    assert fields["Permit/ValidUntil"].type == "xs:date"


def test_bundled_xml_has_documentation_per_language(citizen):
    fields = by_path(xml_fields(citizen.version("2.0.0")))
    nid = fields["cp:CitizenProfile/cp:NationalID"]
    assert nid.type == "cp:NationalIdType (xs:string)" and nid.cardinality == "1..1"
    assert nid.description_th.startswith("เลขประจำตัวประชาชน")
    assert nid.description_en.startswith("National ID number")
    assert fields["cp:CitizenProfile/cp:IdentityCard"].cardinality == "0..1"
    assert fields["cp:CitizenProfile/cp:NameTh/cp:Prefix"].constraints == "length: 1..50"
    code = fields["cp:CitizenProfile/cp:HouseRegistration/cp:Address/addr:Province/addr:Code"]
    assert code.constraints.startswith("one of: 10, 11, 12") and "96" in code.constraints
    # the JSON and XML forms of this standard carry the same information
    assert len(fields) == len(json_fields(citizen.version("2.0.0")))


XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:element name="Root">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Line" maxOccurs="unbounded">
          <xs:annotation>
            <xs:documentation xml:lang="en">One line.</xs:documentation>
            <xs:documentation xml:lang="th">รายการหนึ่งบรรทัด</xs:documentation>
          </xs:annotation>
          <xs:complexType><xs:simpleContent><xs:extension base="xs:decimal">
            <xs:attribute name="unit" type="xs:string" use="required"/>
          </xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
        <xs:choice>
          <xs:element name="Person" type="xs:string"/>
          <xs:element name="Company" type="xs:string"/>
        </xs:choice>
        <xs:element name="Tree" type="t:TreeType" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:complexType name="TreeType">
    <xs:sequence><xs:element name="Branch" type="t:TreeType" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
  </xs:complexType>
</xs:schema>
"""


def test_xml_choice_repetition_simple_content_and_recursion(tmp_path):
    fields = by_path(xml_fields(make_version(tmp_path / "v", {"schema.xsd": XSD})))
    line = fields["t:Root/t:Line"]
    assert line.cardinality == "1..n" and line.type == "xs:decimal"
    assert (line.description_en, line.description_th) == ("One line.", "รายการหนึ่งบรรทัด")
    assert fields["t:Root/t:Line/@unit"].cardinality == "1..1"
    # each option of a choice is optional on its own, and says what it is a choice with
    assert fields["t:Root/t:Person"].cardinality == "0..1"
    assert "choice: one of t:Person, t:Company" in fields["t:Root/t:Company"].constraints
    assert fields["t:Root/t:Tree/t:Branch"].cardinality == "0..n"
    assert "recursive" in fields["t:Root/t:Tree/t:Branch"].constraints
    assert "t:Root/t:Tree/t:Branch/t:Branch" not in fields


def test_broken_xsd_is_a_schema_load_error(tmp_path):
    with pytest.raises(SchemaLoadError):
        xml_fields(make_version(tmp_path / "v", {"schema.xsd": "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/>"}))


def test_fields_module_stays_out_of_the_service_stack():
    code = "import sys, dxs.validator.schema_fields; sys.exit(any(m in sys.modules for m in ('fastapi', 'click', 'dxs.registry')))"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2]).returncode == 0
