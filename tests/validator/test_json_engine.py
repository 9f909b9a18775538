import json

import pytest

from dxs.validator import JsonSchema, SchemaLoadError
from dxs.validator.json_engine import DRAFT7, parse_json


def issues_of(schema, text, **kw):
    data = text.encode()
    value, _, problem = parse_json(data)
    assert problem is None
    return JsonSchema(schema, **kw).issues(value, data)


def test_reports_every_issue_with_pointer_line_and_column():
    schema = {"type": "object", "required": ["a"], "properties": {"n": {"type": "integer"}, "m": {"maximum": 3}}}
    found = issues_of(schema, '{\n "n": "x",\n "m": 4\n}')
    assert {(i.rule, i.location, i.line, i.column) for i in found} == {
        ("required", "", 1, 1),
        ("type", "/n", 2, 7),
        ("maximum", "/m", 3, 7),
    }
    assert all(i.message and i.message_th for i in found)


def test_formats_are_asserted_including_thai_ones():
    schema = {"properties": {"d": {"format": "date"}, "id": {"format": "th-national-id"}}}
    found = issues_of(schema, '{"d": "2024-02-30", "id": "1101700123457"}')
    assert {(i.rule, i.location) for i in found} == {("format", "/d"), ("format", "/id")}
    assert any("เลขประจำตัวประชาชน" in i.message_th for i in found)


def test_format_messages_read_alike_for_standard_and_thai_formats():
    schema = {"properties": {"e": {"format": "email"}, "p": {"format": "th-postcode"}}}
    found = {i.location: i.message for i in issues_of(schema, '{"e": "nope", "p": "1033"}')}
    assert found == {"/e": "'nope' is not a 'email'", "/p": "'1033' is not a 'th-postcode'"}


def test_formats_can_follow_the_annotation_only_default():
    assert issues_of({"format": "email"}, '"nope"', formats=False) == []


def test_draft7_is_honoured_from_dollar_schema():
    schema = {"$schema": DRAFT7, "items": [{"type": "integer"}], "additionalItems": False}
    assert [i.rule for i in issues_of(schema, "[1, 2]")] == ["additionalItems"]


def test_refs_resolve_from_the_schema_folder_and_never_the_network(tmp_path):
    (tmp_path / "party.json").write_text(json.dumps({"type": "object", "required": ["name"]}))
    (tmp_path / "main.json").write_text(json.dumps({"properties": {"p": {"$ref": "party.json"}}}))
    schema = JsonSchema.from_file(tmp_path / "main.json")
    assert [i.location for i in schema.issues({"p": {}})] == ["/p"]
    remote = JsonSchema({"$ref": "https://example.com/evil.json"}, folder=tmp_path)
    with pytest.raises(SchemaLoadError, match="cannot resolve"):
        remote.is_valid(1)
    escape = JsonSchema({"$ref": "../../etc/passwd"}, folder=tmp_path)
    with pytest.raises(SchemaLoadError):
        escape.is_valid(1)


def test_refs_resolve_by_id_from_the_catalog(fixture_catalog):
    schema = JsonSchema(
        {"$ref": "https://standards.dx.go.th/th.test.permit/1.0.0/party.json"},
        resources=fixture_catalog.schema_resources,
    )
    assert [i.rule for i in schema.issues({"name": "x"})] == ["required"]


def test_an_invalid_schema_is_a_load_error():
    with pytest.raises(SchemaLoadError, match="not a valid schema at /type"):
        JsonSchema({"type": "strnig"})


def test_the_fast_engine_never_rejects_what_the_reference_accepts():
    # python-jsonschema treats 1.0 as an integer; so must the verdict
    schema = JsonSchema({"type": "integer", "maximum": 2**70})
    assert schema._fast is not None
    assert schema.is_valid(1.0) and schema.issues(1.0, b"1.0") == []
    assert schema.is_valid(2**65)  # beyond 64 bits: the reference decides
    assert not schema.is_valid(2**71)


def test_the_trio():
    schema = JsonSchema({"type": "string"})
    assert schema.is_valid("x") and not schema.is_valid(1)
    schema.validate("x")
    with pytest.raises(Exception, match="is not of type"):
        schema.validate(1)


@pytest.mark.parametrize(
    "data, rule, line",
    [
        (b'{"a": }', "json-syntax", 1),
        (b'{\n"a": 1,\n}', "json-syntax", 3),
        (b'\xff\xfe{"a": 1}', "invalid-utf8", 1),
        (b"[NaN]", "json-syntax", None),
        (b"[" * 100_000 + b"]" * 100_000, "too-deep", None),
    ],
)
def test_bad_json_is_a_parse_issue(data, rule, line):
    value, _, problem = parse_json(data)
    assert value is None and problem.source == "parse" and problem.rule == rule
    assert problem.line == line
