import time

import pytest

from tests.conftest import FIXTURE_CATALOG
from dxs.validator import SchemaLoadError
from dxs.validator.schematron import Schematron
from dxs.validator.xml_engine import XmlSchema, parse_xml, xsd_rule

PERMIT = FIXTURE_CATALOG / "th.test.permit" / "1.0.0"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "quadratic blow-up": b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"x" * 50_000 + b'">]><q>' + b"&a;" * 50_000 + b"</q>",
    "XXE by file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    "XXE by URL": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><r>&x;</r>',
    "external DTD": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_get_a_clear_parse_issue_quickly(name):
    started = time.monotonic()
    tree, problem = parse_xml(HOSTILE[name])
    assert tree is None
    assert problem.source == "parse" and problem.rule == "dtd-forbidden"
    assert "DOCTYPE" in problem.message and problem.line == (2 if name == "billion laughs" else 1)
    assert time.monotonic() - started < 2


def test_deep_nesting_is_refused_not_a_crash():
    tree, problem = parse_xml(b"<a>" * 100_000 + b"</a>" * 100_000)
    assert tree is None and problem.rule == "too-deep" and problem.line == 1


@pytest.mark.parametrize(
    "data, line",
    [(b"<a><b></a>", 1), (b"<a>\n<b>\n</c></a>", 3), (b"\xff\xfe<a/>", 1), (b"", 1), (b"<a>&undefined;</a>", 1)],
)
def test_malformed_xml_says_where(data, line):
    tree, problem = parse_xml(data)
    assert tree is None and problem.source == "parse"
    assert problem.line == line
    assert problem.message.startswith("not well-formed XML")


def test_xsd_reports_every_issue_with_path_line_and_rule():
    schema = XmlSchema.from_file(PERMIT / "schema.xsd")
    tree, _ = parse_xml(
        b'<Permit xmlns="urn:th:dx:test.permit:1">\n<PermitNumber>P-1</PermitNumber>\n<Issued>2561-01-01</Issued>\n<Fee>-3</Fee>\n</Permit>'
    )
    found = {(i.rule, i.location, i.line) for i in schema.issues(tree)}
    assert ("cvc-pattern-valid", "/Permit/PermitNumber", 2) in found
    assert ("cvc-complex-type.2.4", "/Permit/Issued", 3) in found
    assert not schema.is_valid(tree)
    tree, _ = parse_xml(
        b'<Permit xmlns="urn:th:dx:test.permit:1" xmlns:p="urn:th:dx:test.party:1"><PermitNumber>P-000001</PermitNumber>'
        b"<p:Holder><p:NationalID>1101700123456</p:NationalID><p:Name>x</p:Name></p:Holder>"
        b"<Issued>2561-01-01</Issued>\n<Fee>-3</Fee></Permit>"
    )
    assert {(i.rule, i.location, i.line) for i in schema.issues(tree)} >= {("cvc-minInclusive-valid", "/Permit/Fee", 2)}


def test_remote_schema_locations_are_refused(tmp_path):
    xsd = tmp_path / "remote.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/x.xsd"/></xs:schema>'
    )
    with pytest.raises(SchemaLoadError, match="remote schemaLocation"):
        XmlSchema.from_file(xsd)


def test_an_unusable_schema_is_a_load_error(tmp_path):
    bad = tmp_path / "bad.xsd"
    bad.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="nope"/></xs:schema>')
    with pytest.raises(SchemaLoadError, match="not a usable XML Schema"):
        XmlSchema.from_file(bad)


def test_schematron_asserts_become_rules_issues():
    rules = Schematron(PERMIT / "rules.sch")
    tree, _ = parse_xml((PERMIT / "examples" / "invalid" / "bad-check-digit.xml").read_bytes())
    (issue,) = rules.issues(tree)
    assert (issue.source, issue.rule, issue.severity) == ("rules", "TH-NID-CHECK", "error")
    assert issue.location == "/Permit/p:Holder/p:NationalID" and issue.line == 5
    assert "check digit" in issue.message


def test_unknown_query_bindings_are_refused_clearly(tmp_path):
    sch = tmp_path / "r.sch"
    sch.write_text('<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="javascript"/>')
    with pytest.raises(SchemaLoadError, match="queryBinding 'javascript' is not supported"):
        Schematron(sch)


@pytest.mark.parametrize(
    "libxml2, rule",
    [
        ("SCHEMAV_CVC_COMPLEX_TYPE_2_4", "cvc-complex-type.2.4"),
        ("SCHEMAV_ELEMENT_CONTENT", "cvc-complex-type.2.4"),
        ("SCHEMAV_CVC_DATATYPE_VALID_1_2_1", "cvc-datatype-valid.1.2.1"),
        ("SCHEMAV_CVC_PATTERN_VALID", "cvc-pattern-valid"),
    ],
)
def test_rule_names_follow_the_xsd_spec(libxml2, rule):
    assert xsd_rule(libxml2) == rule


def test_libxml2_deviations_never_make_a_valid_document_invalid(tmp_path):
    # libxml2 does not collapse whitespace before checking a facet on a type
    # derived from xs:dateTime; XSD 1.0 says it must. The reference decides.
    xsd = tmp_path / "stamp.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:simpleType name="Stamp"><xs:restriction base="xs:dateTime">'
        '<xs:minInclusive value="2020-01-01T00:00:00"/></xs:restriction></xs:simpleType>'
        '<xs:element name="a" type="Stamp"/></xs:schema>'
    )
    schema = XmlSchema.from_file(xsd)
    padded, _ = parse_xml(b"<a> 2024-01-01T10:00:00 </a>")
    assert list(schema.iter_errors(padded))  # libxml2 alone would reject it
    assert schema.is_valid(padded) and schema.issues(padded) == []
    too_early, _ = parse_xml(b"<a>2019-01-01T10:00:00</a>")
    (issue,) = schema.issues(too_early)
    assert issue.line == 1 and issue.rule == "cvc-minInclusive-valid"


@pytest.mark.parametrize(
    "before_import, import_attrs",
    [
        ('<!-- old: <xs:element name="legacy"/> -->', 'namespace="urn:r"'),  # a declaration in a comment
        ("", 'namespace="urn:r?a>b"'),  # a '>' inside an attribute value
        ('<xs:redefine schemaLocation="local.xsd"><xs:simpleType name="T"><xs:restriction base="xs:string"/></xs:simpleType></xs:redefine>',
         'namespace="urn:r"'),  # declarations inside a redefine, before the import
        ('<![CDATA[ <xs:element name="x"/> ]]>', 'namespace="urn:r"'),
    ],
)
def test_a_remote_import_is_found_wherever_it_hides(tmp_path, before_import, import_attrs):
    from dxs.validator.errors import SchemaLoadError
    from dxs.validator.xml_engine import _check_local_imports

    (tmp_path / "local.xsd").write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="T">'
                                        '<xs:restriction base="xs:string"/></xs:simpleType></xs:schema>')
    schema = tmp_path / "main.xsd"
    schema.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + before_import
        + f'<xs:import {import_attrs} schemaLocation="http://127.0.0.1:9/remote.xsd"/>'
        '<xs:element name="a" type="xs:string"/></xs:schema>'
    )
    with pytest.raises(SchemaLoadError, match="remote schemaLocation 'http://127.0.0.1:9/remote.xsd' is not loaded"):
        _check_local_imports(schema)
