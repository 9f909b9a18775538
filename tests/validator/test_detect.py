import datetime as dt

import pytest

from dxs.validator.detect import detect_json, detect_xml, resolve_pointer
from dxs.validator.report import Issue
from dxs.validator.xml_engine import parse_xml

NS = "urn:th:dx:test.permit:1"


def xml(marker: str | None, root: str = "Permit", ns: str = NS):
    attr = f' version="{marker}"' if marker is not None else ""
    tree, _ = parse_xml(f'<{root} xmlns="{ns}"{attr}/>'.encode())
    return tree


@pytest.mark.parametrize("marker, version", [("1.0", "1.0.0"), ("1.1", "1.1.0"), (None, "1.0.0")])
def test_xml_version_from_marker_or_default(fixture_catalog, marker, version):
    assert detect_xml(xml(marker), fixture_catalog).version == version


def test_unknown_root_and_unsupported_version_are_distinct(fixture_catalog):
    unknown = detect_xml(xml("1.0", root="Invoice"), fixture_catalog)
    wrong_ns = detect_xml(xml("1.0", ns="urn:other"), fixture_catalog)
    unsupported = detect_xml(xml("7.0"), fixture_catalog)
    assert isinstance(unknown, Issue) and unknown.rule == "unknown-document"
    assert isinstance(wrong_ns, Issue) and wrong_ns.rule == "unknown-document"
    assert isinstance(unsupported, Issue) and unsupported.rule == "unsupported-version"
    assert "'7.0'" in unsupported.message and "the catalog has: 1.0 (1.0.0), 1.1 (1.1.0)" in unsupported.message


def test_json_detection(fixture_catalog):
    base = {"documentType": "th.test.permit"}
    assert detect_json({**base, "documentVersion": "1.1"}, fixture_catalog).version == "1.1.0"
    assert detect_json(base, fixture_catalog).version == "1.0.0"  # the default
    assert detect_json({**base, "documentVersion": "3"}, fixture_catalog).rule == "unsupported-version"
    assert detect_json({"documentType": "x"}, fixture_catalog).rule == "unknown-document"
    assert detect_json([1, 2], fixture_catalog).rule == "unknown-document"


def test_at_picks_the_version_in_force(fixture_catalog):
    # 1.0.0 is in force 2018-06-01 … 2021-12-31; 1.1.0 from 2021-04-01
    assert detect_xml(xml(None), fixture_catalog, at=dt.date(2019, 1, 1)).version == "1.0.0"
    gone = detect_xml(xml(None), fixture_catalog, at=dt.date(2023, 1, 1))
    assert isinstance(gone, Issue) and gone.rule == "no-version-in-force"
    assert detect_xml(xml("1.1"), fixture_catalog, at=dt.date(2023, 1, 1)).version == "1.1.0"


def test_resolve_pointer():
    doc = {"a": [{"b/c": 1}], "~": 2}
    assert resolve_pointer(doc, "/a/0/b~1c") == 1 and resolve_pointer(doc, "/~0") == 2
    assert resolve_pointer(doc, "") is doc
    from dxs.validator.detect import MISSING

    assert resolve_pointer(doc, "/a/5") is MISSING and resolve_pointer(doc, "/x/y") is MISSING
