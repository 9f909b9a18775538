from validator import DocumentValidator, StandardNotFound
from validator.inputs import expand_paths

import pytest

from tests.conftest import FIXTURE_CATALOG

KIT = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"


def test_detects_and_validates_both_forms(fixture_catalog):
    validator = DocumentValidator(fixture_catalog)
    for path in sorted((KIT / "valid").iterdir()):
        report = validator.validate_path(path)
        assert report.valid and report.standard == "th.test.permit@1.1.0", report


def test_no_standard_matches_is_an_issue_not_an_exception(fixture_catalog):
    report = DocumentValidator(fixture_catalog).validate_bytes(b'{"hello": "world"}', "x.json")
    assert not report.valid and report.standard is None
    assert [i.rule for i in report.issues] == ["unknown-document"]


def test_a_named_standard_is_enforced(fixture_catalog):
    validator = DocumentValidator(fixture_catalog, standard="th.test.permit@1.0.0")
    report = validator.validate_path(FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples" / "valid" / "somchai.json")
    assert report.standard == "th.test.permit@1.0.0" and not report.valid  # 1.0 has no validUntil, nor marker 1.1
    with pytest.raises(StandardNotFound):
        DocumentValidator(fixture_catalog, standard="th.none")


def test_unreadable_and_oversized_files_are_issues(fixture_catalog, tmp_path):
    validator = DocumentValidator(fixture_catalog, max_bytes=10)
    big = tmp_path / "big.json"
    big.write_text('{"a": "0123456789"}')
    assert validator.validate_path(big).issues[0].rule == "too-large"
    assert validator.validate_path(tmp_path / "gone.json").issues[0].rule == "unreadable"
    assert validator.validate_bytes(b"hello", "x").issues[0].rule == "unknown-format"


def test_expand_paths_walks_folders_and_globs(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/1.json", "a/2.xml", "a/3.txt", "b.json"):
        (tmp_path / name).write_text("{}")
    assert expand_paths([str(tmp_path / "a")]) == [str(tmp_path / "a" / "1.json"), str(tmp_path / "a" / "2.xml")]
    assert expand_paths([str(tmp_path / "*.json"), "-"]) == [str(tmp_path / "b.json"), "-"]
    from validator import DxsError

    with pytest.raises(DxsError, match="no such file"):
        expand_paths([str(tmp_path / "nope.json")])
    with pytest.raises(DxsError, match="no file matches"):
        expand_paths([str(tmp_path / "*.csv")])
