"""`dxs standards check` finds each kind of catalog defect, naming the file."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG
from dxs.validator import load_catalog
from dxs.validator.catalog_checks import check_catalog


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "cat")
    return tmp_path / "cat"


V1 = Path("th.test.permit") / "1.0.0"


def findings(folder: Path) -> list[str]:
    return [str(f) for f in check_catalog(load_catalog([folder]))]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fixture_catalog_is_clean(catalog_dir):
    assert findings(catalog_dir) == []


def test_an_edited_announced_file_is_named(catalog_dir):
    replace(catalog_dir / V1 / "party.xsd", 'name="Name"', 'name="FullName"')
    found = findings(catalog_dir)
    assert any("1.0.0/party.xsd: file of an announced version was changed" in f for f in found), found


def test_added_and_removed_files_of_an_announced_version(catalog_dir):
    (catalog_dir / V1 / "extra.xsd").write_text("<x/>")
    (catalog_dir / V1 / "examples" / "valid" / "malee.xml").unlink()
    found = "\n".join(findings(catalog_dir))
    assert "extra.xsd: file was added to an announced version" in found
    assert "malee.xml: locked file was removed" in found


def test_an_unlocked_announced_version(catalog_dir):
    toml = catalog_dir / V1 / "version.toml"
    toml.write_text(toml.read_text(encoding="utf-8").split("[hashes]")[0], encoding="utf-8")
    assert any("announced but not locked" in f for f in findings(catalog_dir))


def relock(catalog_dir: Path) -> None:
    from dxs.validator.publish import lock_version

    for v in load_catalog([catalog_dir]).versions():
        lock_version(v)


def test_a_valid_example_that_fails(catalog_dir):
    replace(catalog_dir / V1 / "examples" / "valid" / "malee.json", '"P-654321"', '"P-1"')
    relock(catalog_dir)
    found = findings(catalog_dir)
    assert any("malee.json: valid example does not validate" in f and "pattern" in f for f in found)


def test_an_invalid_example_that_passes_or_fails_otherwise(catalog_dir):
    replace(catalog_dir / V1 / "examples" / "invalid" / "negative-fee.json", '"fee": -1', '"fee": 1')
    replace(catalog_dir / V1 / "examples" / "invalid" / "expected.toml", 'rule = "cvc-pattern-valid"', 'rule = "cvc-enumeration-valid"')
    (catalog_dir / V1 / "examples" / "invalid" / "unlisted.json").write_text("{}")
    relock(catalog_dir)
    found = "\n".join(findings(catalog_dir))
    assert "negative-fee.json: invalid example validates (expected minimum at '/fee')" in found
    assert "bad-permit-number.xml: expected cvc-enumeration-valid at '/Permit/PermitNumber', got cvc-pattern-valid" in found
    assert "unlisted.json: invalid example is not named in expected.toml" in found


def test_an_invalid_example_with_more_than_its_issue(catalog_dir):
    replace(catalog_dir / V1 / "examples" / "invalid" / "negative-fee.json", '"P-000126"', '"P-1"')
    relock(catalog_dir)
    assert any("negative-fee.json: fails for more than the named issue" in f for f in findings(catalog_dir))


def test_twins_that_disagree_or_are_missing(catalog_dir):
    replace(catalog_dir / V1 / "examples" / "valid" / "malee.xml", "มาลี ศรีสุข", "มาลี ศรีสวย")
    (catalog_dir / V1 / "examples" / "valid" / "extra.json").write_bytes(
        (catalog_dir / V1 / "examples" / "valid" / "malee.json").read_bytes()
    )
    relock(catalog_dir)
    found = "\n".join(findings(catalog_dir))
    assert "valid/malee: twins disagree: only in JSON: 'มาลี ศรีสุข'; only in XML: 'มาลี ศรีสวย'" in found
    assert "extra.json: has no twin extra.xml" in found


def test_too_few_examples(catalog_dir):
    for name in ("bad-check-digit.xml", "missing-holder.xml"):
        (catalog_dir / V1 / "examples" / "invalid" / name).unlink()
    relock(catalog_dir)
    assert any("needs at least 2 valid and 3 invalid .xml examples (has 2 and 1)" in f for f in findings(catalog_dir))


def test_a_broken_schema(catalog_dir):
    replace(catalog_dir / V1 / "schema.json", '"minimum": 0', '"minimum": "zero"')
    relock(catalog_dir)
    assert any("schema.json: not a valid schema at /properties/fee/minimum" in f for f in findings(catalog_dir))


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('description_th = "มาตรฐานสมมติสำหรับการทดสอบชุดเครื่องมือ"', 'description_th = ""', "field 'description_th' is empty"),
        ("illustrative = true\n", "", "says neither where it comes from ([source]) nor that it is made up"),
    ],
)
def test_incomplete_metadata(catalog_dir, old, new, message):
    replace(catalog_dir / "th.test.permit" / "standard.toml", old, new)
    assert any(message in f for f in findings(catalog_dir))


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("effective = 2018-06-01", "effective = 2017-06-01", "field 'effective' (2017-06-01) is before 'announced'"),
        ("announced = 2018-03-01", "announced = 2018-03-02", "differs from the history's announced date"),
        ('status = "deprecated"\ndate = 2021-01-15', 'status = "deprecated"\ndate = 2016-01-15', "not in date order"),
        ("default = false", "default = true", "more than one version is the detection default"),
    ],
)
def test_inconsistent_lifecycle(catalog_dir, old, new, message):
    target = "1.1.0" if "default" in old else "1.0.0"
    replace(catalog_dir / "th.test.permit" / target / "version.toml", old, new)
    assert any(message in f for f in findings(catalog_dir)), findings(catalog_dir)
