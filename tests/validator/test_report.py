import itertools
import json

from dxs.validator.render import JsonRenderer, TextRenderer
from dxs.validator.report import Issue, Report, best_match, sort_issues

ISSUES = [
    Issue("rule failed", "R1", source="rules", location="/a", line=3),
    Issue("bad type", "type", location="/b", line=5, column=2),
    Issue("not well-formed", "json-syntax", source="parse", line=9, column=1),
    Issue("just a warning", "W", severity="warning", line=1),
]


def test_best_match_does_not_depend_on_order():
    answers = {best_match(p) for p in itertools.permutations(ISSUES)}
    assert answers == {ISSUES[2]}  # the parse error wins over earlier schema/rules errors


def test_best_match_of_nothing():
    assert best_match([]) is None


def test_sorting_is_reading_order_and_stable_under_permutation():
    orders = {tuple(sort_issues(p)) for p in itertools.permutations(ISSUES)}
    assert len(orders) == 1
    assert [i.line for i in next(iter(orders))] == [1, 3, 5, 9]


def test_warnings_do_not_make_a_document_invalid():
    assert Report("a.json", None, (ISSUES[3],)).valid
    assert not Report("a.json", None, (ISSUES[1],)).valid


def test_json_rendering_has_the_design_shape():
    out = json.loads(JsonRenderer().render([Report("a.xml", "x@1.0.0", (ISSUES[1],)), Report("b.xml", None)]))
    assert out["summary"] == {"documents": 2, "valid": 1, "invalid": 1}
    issue = out["documents"][0]["issues"][0]
    assert set(issue) == {"severity", "source", "rule", "location", "line", "column", "message", "message_th"}
    assert out["documents"][0]["standard"] == "x@1.0.0" and out["documents"][0]["valid"] is False


def test_text_rendering_survives_any_text_and_speaks_thai():
    odd = Issue("\x00\u202e💥 {} %s \n", "{rule}", location="/\udc80")
    text = TextRenderer(lang="th").render([Report("p", None, (odd,))])
    assert "ไม่ผ่าน 1" in text
