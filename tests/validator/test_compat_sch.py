"""Schematron compatibility: assertions compared by id, verdicts checked against documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dxs.validator.compat.changes import Compatibility
from dxs.validator.compat.schematron import diff_schematron_files
from dxs.validator.schematron import Schematron


def sch(*asserts: str) -> str:
    body = '<sch:assert id="ALWAYS" test="true()">never fails</sch:assert>' + "".join(asserts)  # a rule needs one
    return ('<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt"><sch:title>T</sch:title>'
            f'<sch:pattern><sch:rule context="r">{body}</sch:rule></sch:pattern></sch:schema>')


def a(id_: str, test: str, role: str = "error", text: str = "msg") -> str:
    return f'<sch:assert id="{id_}" role="{role}" test="{test}">{text}</sch:assert>'


DOCS = ["<r/>", "<r><x/></r>", "<r><y/></r>", "<r><x/><y/></r>"]
CASES = [
    ("assertion-added", sch(), sch(a("A", "x")), "assertion-added", "FORWARD"),
    ("assertion-removed", sch(a("A", "x")), sch(), "assertion-removed", "BACKWARD"),
    ("assertion-test-changed", sch(a("A", "x")), sch(a("A", "y")), "assertion-test-changed", "NONE"),
    ("assertion-tightened", sch(a("A", "x")), sch(a("A", "x and y")), "assertion-tightened", "FORWARD"),
    ("assertion-relaxed", sch(a("A", "x")), sch(a("A", "x or y")), "assertion-relaxed", "BACKWARD"),
    ("warning-added", sch(), sch(a("A", "x", role="warning")), "assertion-added", "FULL"),
    ("severity-lowered", sch(a("A", "x")), sch(a("A", "x", role="warning")), "assertion-severity-lowered", "BACKWARD"),
    ("severity-raised", sch(a("A", "x", role="warning")), sch(a("A", "x")), "assertion-severity-raised", "FORWARD"),
    ("message-changed", sch(a("A", "x")), sch(a("A", "x", text="other")), "assertion-message-changed", "FULL"),
]


def valid(rules: Path, document: str) -> bool:
    tree = etree.fromstring(document.encode()).getroottree()
    return not any(i.severity == "error" for i in Schematron(rules).issues(tree))


@pytest.mark.parametrize("name,old,new,kind,level", CASES, ids=[c[0] for c in CASES])
def test_kind_level_and_documents(tmp_path: Path, name: str, old: str, new: str, kind: str, level: str) -> None:
    (tmp_path / "old.sch").write_text(old)
    (tmp_path / "new.sch").write_text(new)
    result = Compatibility("old", "new", diff_schematron_files(tmp_path / "old.sch", tmp_path / "new.sch"))
    assert kind in [c.kind for c in result.changes] and result.level.value == level, result.to_dict()
    old_ok = [d for d in DOCS if valid(tmp_path / "old.sch", d)]
    new_ok = [d for d in DOCS if valid(tmp_path / "new.sch", d)]
    if level in ("BACKWARD", "FULL"):
        assert all(valid(tmp_path / "new.sch", d) for d in old_ok)
    if level in ("FORWARD", "FULL"):
        assert all(valid(tmp_path / "old.sch", d) for d in new_ok)
    if level in ("FORWARD", "NONE"):
        assert any(not valid(tmp_path / "new.sch", d) for d in old_ok)


def test_message_only_is_a_patch(tmp_path: Path) -> None:
    (tmp_path / "o.sch").write_text(sch(a("A", "x")))
    (tmp_path / "n.sch").write_text(sch(a("A", "x", text="clearer")).replace("<sch:title>T", "<sch:title>T2"))
    assert Compatibility("o", "n", diff_schematron_files(tmp_path / "o.sch", tmp_path / "n.sch")).bump == "patch"


def test_a_changed_kind_is_not_reported_as_a_context_changed_to_itself(tmp_path: Path) -> None:
    (tmp_path / "o.sch").write_text(sch(a("A", "x")))
    (tmp_path / "n.sch").write_text(sch('<sch:report id="A" role="error" test="x">msg</sch:report>'))
    (change,) = [c for c in diff_schematron_files(tmp_path / "o.sch", tmp_path / "n.sch") if c.kind == "assertion-context-changed"]
    assert change.message == "assert → report" and "'r' → 'r'" not in change.message


def test_a_rule_pinning_the_version_marker_moves_with_it(tmp_path: Path) -> None:
    """ETDA's rules pin the marker ('v2.1' or '2.1'); a new version moves the pin: compatible both ways."""
    from dxs.validator.compat.changes import XmlMarker

    pin = '<sch:report test="not(@v = \'{0}\' or @v = \'{1}\')">wrong version</sch:report>'
    (tmp_path / "o.sch").write_text(sch(pin.format("v2.1", "2.1")))
    (tmp_path / "n.sch").write_text(sch(pin.format("v2.2", "2.2")))
    marker = XmlMarker(("r", "@v"), "v2.1", "v2.2")
    changes = diff_schematron_files(tmp_path / "o.sch", tmp_path / "n.sch", marker=marker)
    assert [c.kind for c in changes] == ["version-marker"] and changes[0].backward and changes[0].forward
    # without the marker it is what it looks like: one rule removed, one added
    assert sorted(c.kind for c in diff_schematron_files(tmp_path / "o.sch", tmp_path / "n.sch")) == ["assertion-added", "assertion-removed"]
