"""``English / ไทย`` Schematron messages: split in the rules, so each language keeps its values."""

import pytest

from dxs.validator.schematron import Schematron
from dxs.validator.xml_engine import parse_xml

HEAD = '<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="{binding}"><sch:pattern><sch:rule context="/doc">'
TAIL = "</sch:rule></sch:pattern>{diagnostics}</sch:schema>"


def issues(tmp_path, binding, checks, document, diagnostics=""):
    rules = tmp_path / f"rules-{binding}.sch"
    rules.write_text(HEAD.format(binding=binding) + checks + TAIL.format(diagnostics=diagnostics), encoding="utf-8")
    tree, problem = parse_xml(document.encode("utf-8"))
    assert problem is None
    return {i.rule: i for i in Schematron(rules).issues(tree)}


BINDINGS = pytest.mark.parametrize("binding", ["xslt", "xslt2"])


@BINDINGS
def test_each_language_shows_the_values_even_thai_values_with_a_slash(tmp_path, binding):
    found = issues(
        tmp_path, binding,
        '<sch:assert id="NAME" test="false()">The name <sch:value-of select="name"/> is taken (<sch:value-of select="n"/>).'
        ' / ชื่อ <sch:value-of select="name"/> ถูกใช้แล้ว (<sch:value-of select="n"/>)</sch:assert>',
        "<doc><name>ก / ข</name><n>2</n></doc>",
    )
    assert found["NAME"].message == "The name ก / ข is taken (2)."
    assert found["NAME"].message_th == "ชื่อ ก / ข ถูกใช้แล้ว (2)"


@BINDINGS
def test_the_separator_may_break_a_line_and_english_only_messages_stay_as_they_are(tmp_path, binding):
    found = issues(
        tmp_path, binding,
        '<sch:assert id="WRAPPED" test="false()">\n  Dates are in order.\n  /\n  วันที่ต้องเรียงลำดับ</sch:assert>'
        '<sch:assert id="PATH" test="false()">Use a/b / c, not <sch:value-of select="name"/>.</sch:assert>',
        "<doc><name>x</name></doc>",
    )
    assert (found["WRAPPED"].message, found["WRAPPED"].message_th) == ("Dates are in order.", "วันที่ต้องเรียงลำดับ")
    assert found["PATH"].message == "Use a/b / c, not x."
    assert found["PATH"].message_th == "ไม่เป็นไปตามกฎของมาตรฐาน (Use a/b / c, not x.)"  # no Thai written: said so


@BINDINGS
def test_a_thai_diagnostic_written_by_the_author_is_kept(tmp_path, binding):
    found = issues(
        tmp_path, binding,
        '<sch:assert id="OWN" test="false()" diagnostics="own-th">Wrong / ผิด</sch:assert>',
        "<doc/>",
        diagnostics='<sch:diagnostics><sch:diagnostic id="own-th" xml:lang="th">ผิด (ของผู้เขียน)</sch:diagnostic></sch:diagnostics>',
    )
    assert (found["OWN"].message, found["OWN"].message_th) == ("Wrong", "ผิด (ของผู้เขียน)")
