"""Huge XML: validated while it is parsed, with line numbers, in bounded memory."""

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG, need
from dxs.validator import DocumentValidator
from dxs.validator.xml_stream import StreamingSchema, peek_tree

PERMIT = FIXTURE_CATALOG / "th.test.permit" / "1.1.0"


def big_permit(path: Path, fee: str = "500", extra_lines: int = 5000) -> Path:
    # a valid permit padded with comments to be "big" for a small streaming threshold
    padding = "\n".join(f"<!-- filler line {n} -->" for n in range(extra_lines))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Permit xmlns="urn:th:dx:test.permit:1" xmlns:p="urn:th:dx:test.party:1" version="1.1">\n'
        "  <PermitNumber>P-000123</PermitNumber>\n"
        "  <p:Holder><p:NationalID>1101700123456</p:NationalID><p:Name>สมชาย ใจดี</p:Name></p:Holder>\n"
        f"  <Issued>2561-03-15</Issued>\n{padding}\n  <Fee>{fee}</Fee>\n</Permit>\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(params=["libxml2-stream", "lxml-iterparse"])
def engine(request, monkeypatch):
    if request.param == "lxml-iterparse":
        monkeypatch.setattr("dxs.validator.xml_stream._libxml2", lambda: None)
    else:
        need(
            StreamingSchema(PERMIT / "schema.xsd").engine == "libxml2-stream",
            "the system libxml2 (Debian's libxml2) is not installed: only the lxml fallback can run here",
        )
    return request.param


def test_streamed_documents_are_validated_with_lines(tmp_path, engine, fixture_catalog):
    validator = DocumentValidator(fixture_catalog, stream_bytes=1024)
    good = validator.validate_path(big_permit(tmp_path / "good.xml"))
    assert good.standard == "th.test.permit@1.1.0"  # detected from the head of the file
    assert good.valid
    # rules need a tree: say so rather than silently skip them
    assert [(i.rule, i.severity) for i in good.issues] == [("rules-skipped", "warning")]
    bad = validator.validate_path(big_permit(tmp_path / "bad.xml", fee="-5"))
    errors = [i for i in bad.issues if i.severity == "error"]
    assert not bad.valid and [i.rule for i in errors] == ["cvc-minInclusive-valid"]
    if engine == "libxml2-stream":
        assert errors[0].line == 5006
    assert "Fee" in errors[0].location


def test_streaming_refuses_doctype_and_reports_malformed(tmp_path, fixture_catalog):
    validator = DocumentValidator(fixture_catalog, schema=PERMIT / "schema.xsd", stream_bytes=10)
    dtd = tmp_path / "dtd.xml"
    dtd.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    assert [i.rule for i in validator.validate_path(dtd).issues] == ["dtd-forbidden"]
    broken = tmp_path / "broken.xml"
    broken.write_text('<Permit xmlns="urn:th:dx:test.permit:1">\n<PermitNumber>\n</Permit>')
    assert any(i.source == "parse" and i.line for i in validator.validate_path(broken).issues)


def test_the_fast_verdict_falls_back_to_full_issues(fixture_catalog):
    validator = DocumentValidator(fixture_catalog, schema=PERMIT / "schema.xsd")
    ok = validator.validate_path(PERMIT / "examples" / "valid" / "somchai.xml")
    bad = validator.validate_path(PERMIT / "examples" / "invalid" / "bad-permit-number.xml")
    assert ok.valid and ok.issues == ()
    (issue,) = bad.issues
    assert issue.location == "/Permit/PermitNumber" and issue.line == 3  # the tree path's precise location


def test_peek_reads_only_the_head(tmp_path):
    path = big_permit(tmp_path / "p.xml", extra_lines=50_000)
    tree = peek_tree(path, limit=4096)
    assert tree.getroot().tag == "{urn:th:dx:test.permit:1}Permit"
    assert tree.getroot().get("version") == "1.1"
