"""ISO Schematron with the XSLT 1 (lxml) and XSLT 2/3 (SaxonC-HE) bindings, cached on disk."""


import pytest

from tests.conftest import FIXTURE_CATALOG, FIXTURES, ROOT
from dxs.validator import SchemaLoadError
from dxs.validator.schematron import Schematron, cache_dir
from dxs.validator.xml_engine import parse_xml

PERMIT = FIXTURE_CATALOG / "th.test.permit" / "1.0.0"
XSLT1 = PERMIT / "rules.sch"
XSLT2 = FIXTURES / "rules" / "permit-xslt2.sch"


def tree_of(path):
    tree, problem = parse_xml(path.read_bytes())
    assert problem is None
    return tree


BAD = PERMIT / "examples" / "invalid" / "bad-check-digit.xml"
GOOD = PERMIT / "examples" / "valid" / "somchai.xml"


@pytest.mark.parametrize("rules", [XSLT1, XSLT2], ids=["xslt", "xslt2"])
def test_failed_asserts_become_issues_with_id_location_and_line(rules):
    schematron = Schematron(rules)
    assert schematron.issues(tree_of(GOOD)) == []
    (issue,) = schematron.issues(tree_of(BAD))
    assert (issue.source, issue.rule, issue.severity) == ("rules", "TH-NID-CHECK", "error")
    assert issue.location == "/Permit/p:Holder/p:NationalID" and issue.line == 5
    assert "check digit" in issue.message


def test_xslt2_features_lets_extends_value_of_name_and_thai_diagnostics():
    tree, _ = parse_xml(
        b'<Permit xmlns="urn:th:dx:test.permit:1" xmlns:p="urn:th:dx:test.party:1">'
        b"<p:Holder><p:NationalID>12AB</p:NationalID></p:Holder>\n<Issued>2700-01-01</Issued></Permit>"
    )
    by_rule = {i.rule: i for i in Schematron(XSLT2).issues(tree)}
    assert by_rule["TH-ID-SHAPE"].message == "An ID has 13 digits, not '12AB'."
    assert by_rule["TH-ISSUED-FUTURE"].severity == "warning" and by_rule["TH-ISSUED-FUTURE"].line == 2
    checked = Schematron(XSLT2).issues(tree_of(BAD))[0]
    assert "p:NationalID" in checked.message  # <sch:name/>
    assert checked.message_th == "เลขตรวจสอบของเลขประจำตัวประชาชนไม่ถูกต้อง"


@pytest.mark.parametrize("rules", [XSLT1, XSLT2], ids=["xslt", "xslt2"])
def test_compiled_rules_are_cached_by_content_hash(rules, tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_CACHE_DIR", str(tmp_path))
    first = Schematron(rules)
    assert first.compiled and first.cache_file.parent == cache_dir() and first.cache_file.exists()
    second = Schematron(rules)
    assert not second.compiled and second.cache_file == first.cache_file
    assert second.issues(tree_of(BAD))[0].rule == "TH-NID-CHECK"
    # a changed schema is a different key; a damaged entry is compiled afresh
    edited = tmp_path / "edited.sch"
    edited.write_bytes(rules.read_bytes().replace(b"is wrong", b"is not right"))
    assert Schematron(edited).cache_file != first.cache_file
    first.cache_file.write_text("damaged")
    assert Schematron(rules).compiled


def test_bilingual_messages_are_split():
    certificate = ROOT / "standards" / "th.moe.education-certificate" / "1.0.0"
    (issue,) = Schematron(certificate / "rules.sch").issues(tree_of(certificate / "examples" / "invalid" / "bad-student-national-id.xml"))
    assert issue.message == "The learner's national ID check digit is wrong."
    assert issue.message_th == "เลขตรวจสอบของเลขประจำตัวประชาชนผู้เรียนไม่ถูกต้อง"


@pytest.mark.parametrize(
    "text, message",
    [
        ('<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><sch:pattern is-a="x"/></sch:schema>', "abstract patterns"),
        ('<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><sch:include href="http://127.0.0.1:9/x.sch"/></sch:schema>', "remote sch:include"),
        ('<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><sch:pattern><sch:rule context="*"><sch:assert test="((">x</sch:assert></sch:rule></sch:pattern></sch:schema>', "XSLT 3 compilation failed"),
        ("<schema/>", "is not ISO Schematron"),
    ],
)
def test_unusable_rules_are_clear_load_errors(tmp_path, text, message):
    path = tmp_path / "bad.sch"
    path.write_text(text)
    with pytest.raises(SchemaLoadError, match=message):
        Schematron(path)


def test_a_dynamic_error_in_a_rule_is_an_issue_not_a_crash(tmp_path):
    rules = tmp_path / "cast.sch"
    rules.write_text(
        '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3"><sch:pattern>'
        '<sch:rule context="/*"><sch:assert id="N" test="xs:integer(.) gt 0">positive</sch:assert></sch:rule>'
        "</sch:pattern></sch:schema>"
    )
    tree, _ = parse_xml(b"<n>abc</n>")
    (issue,) = Schematron(rules).issues(tree)
    assert issue.rule == "rules-evaluation" and "abc" in issue.message
