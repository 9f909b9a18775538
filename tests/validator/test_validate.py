from dxs.validator import DocumentValidator, StandardNotFound, load_catalog
from dxs.validator.document_paths import expand_paths

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
    from dxs.validator import DxsError

    with pytest.raises(DxsError, match="no such file"):
        expand_paths([str(tmp_path / "nope.json")])
    with pytest.raises(DxsError, match="no file matches"):
        expand_paths([str(tmp_path / "*.csv")])


def _package(tmp_path, *, shared_namespace: bool):
    """A package of two document types; with ``shared_namespace`` both declare their roots in one namespace, from two files."""
    folder = tmp_path / "cat" / "th.demo.pkg"
    version = folder / "1.0.0"
    version.mkdir(parents=True)
    (folder / "standard.toml").write_text(
        'id = "th.demo.pkg"\nillustrative = true\ntitle_th = "ชุด"\ntitle_en = "Package"\nowner = "DEMO"\nsector = "commerce"\n'
        'legal_basis = "none"\nbase_standard = "none"\nlicence = "CC0-1.0"\ncontact = "x@example.invalid"\n'
        '[[document_types]]\nkey = "alpha"\nname = "Alpha"\ntitle_th = "ก"\ntitle_en = "A"\n'
        '[[document_types]]\nkey = "beta"\nname = "Beta"\ntitle_th = "ข"\ntitle_en = "B"\n', encoding="utf-8")
    beta_ns = "urn:alpha" if shared_namespace else "urn:beta"
    for name, ns, root, pattern in (("a", "urn:alpha", "A", "[0-9]+"), ("b", beta_ns, "B", "[A-Z]+")):
        (version / f"{name}.xsd").write_text(
            f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}" elementFormDefault="qualified">'
            f'<xs:element name="{root}"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="{pattern}"/>'
            "</xs:restriction></xs:simpleType></xs:element></xs:schema>", encoding="utf-8")
    (version / "version.toml").write_text(
        'version = "1.0.0"\nstatus = "draft"\nnotes = "n"\n[[history]]\nstatus = "draft"\ndate = 2024-01-01\n'
        '[documents.alpha.files]\nxml_schema = "a.xsd"\n[documents.alpha.detection.xml]\nnamespace = "urn:alpha"\nroot = "A"\n'
        f'[documents.beta.files]\nxml_schema = "b.xsd"\n[documents.beta.detection.xml]\nnamespace = "{beta_ns}"\nroot = "B"\n',
        encoding="utf-8")
    return load_catalog([tmp_path / "cat"])


@pytest.mark.parametrize("shared_namespace", [False, True])
def test_a_package_gives_the_same_verdicts_one_document_at_a_time_or_many(tmp_path, shared_namespace):
    catalog = _package(tmp_path, shared_namespace=shared_namespace)
    documents = {b'<A xmlns="urn:alpha">123</A>': True, b'<A xmlns="urn:alpha">abc</A>': False,
                 f'<B xmlns="{"urn:alpha" if shared_namespace else "urn:beta"}">XYZ</B>'.encode(): True,
                 f'<B xmlns="{"urn:alpha" if shared_namespace else "urn:beta"}">123</B>'.encode(): False}
    for many in (False, True):
        validator = DocumentValidator(catalog)
        validator.expect_many = many  # a bulk run compiles the package's types together where that keeps their meaning
        assert {doc: validator.validate_bytes(doc, "d.xml").valid for doc in documents} == documents
