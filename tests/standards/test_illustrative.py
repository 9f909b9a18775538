"""Illustrative standards stay honest, and the catalog keeps one calendar rule.

* A standard marked ``illustrative = true`` was made up to show what the toolkit does:
  none of its versions names an announcement, and none of its files carries a number
  in the style of an official announcement series (มรด., มท. ปค., ธปท. มฐ., ขมธอ.).
* Dates in data are ISO 8601 dates in the Christian Era; the Buddhist Era is for
  display only. No example of any standard mixes the two, and the illustrative
  standards (which are ours) hold no Buddhist Era date in a valid example nor a
  ``th-be-date`` field in a schema.
* e-Saraban letter numbers are accepted as Thai offices write them: Arabic or Thai
  numerals, 4- or 5-digit office codes, ``ว`` with or without a space.

The files are read directly (TOML, text) rather than through the catalog loader, so a
half-written standard elsewhere in ``standards/`` cannot hide what is checked here.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import DocumentValidator, load_catalog

STANDARDS = Path(BUNDLED_CATALOG)

#: the announcement series whose numbers were once invented for the illustrative standards
INVENTED_NUMBER = re.compile(r"มรด\.|มท\.\s*ปค\.|ธปท\.\s*มฐ\.|ขมธอ\.")

#: an ISO-like calendar date; a year of 2400 or more is a Buddhist Era year (BE = CE + 543)
ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(?![0-9])")
FIRST_BE_YEAR = 2400


def _toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _illustrative_folders() -> list[Path]:
    return sorted(
        p.parent for p in STANDARDS.glob("*/standard.toml") if _toml(p).get("illustrative") is True
    )


ILLUSTRATIVE = _illustrative_folders()


def _text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None  # a binary file carries no sentence


def _years(text: str) -> list[int]:
    return [int(m[1]) for m in ISO_DATE.finditer(text)]


# --------------------------------------------------------------------------- honesty


def test_there_are_illustrative_standards():
    ids = {p.name for p in ILLUSTRATIVE}
    assert {"th.dga.e-saraban", "th.dopa.citizen-profile", "th.bot.payment-notification"} <= ids


@pytest.mark.parametrize("folder", ILLUSTRATIVE, ids=lambda p: p.name)
def test_an_illustrative_standard_is_never_announced(folder: Path):
    standard = _toml(folder / "standard.toml")
    assert "national_code" not in standard and "source" not in standard
    versions = sorted(folder.glob("*/version.toml"))
    assert versions
    for path in versions:
        assert "announcement" not in _toml(path), f"{path} names an announcement"


@pytest.mark.parametrize("folder", ILLUSTRATIVE, ids=lambda p: p.name)
def test_an_illustrative_standard_carries_no_invented_number(folder: Path):
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if INVENTED_NUMBER.search(line):
                found.append(f"{path.relative_to(STANDARDS)}:{number}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("folder", ILLUSTRATIVE, ids=lambda p: p.name)
def test_an_illustrative_standard_says_so_in_both_languages(folder: Path):
    standard = _toml(folder / "standard.toml")
    assert "illustrative" in standard["description_en"].lower()
    assert "ตัวอย่างสมมติ" in standard["description_th"]
    assert standard["legal_basis"].startswith("Illustrative")


# --------------------------------------------------------------------------- one calendar


def _examples() -> list[Path]:
    return sorted(p for p in STANDARDS.glob("*/**/examples/**/*") if p.is_file() and p.suffix in (".json", ".xml"))


def test_no_example_mixes_buddhist_and_christian_era_dates():
    mixed = []
    for path in _examples():
        years = _years(path.read_text(encoding="utf-8", errors="replace"))
        be = sorted({y for y in years if y >= FIRST_BE_YEAR})
        ce = sorted({y for y in years if y < FIRST_BE_YEAR})
        if be and ce:
            mixed.append(f"{path.relative_to(STANDARDS)}: BE {be} with CE {ce}")
    assert not mixed, "\n".join(mixed)


@pytest.mark.parametrize("folder", ILLUSTRATIVE, ids=lambda p: p.name)
def test_illustrative_data_is_christian_era(folder: Path):
    """Our own standards follow the rule fully: no BE date in a valid example, no BE date field."""
    found = []
    for path in sorted(folder.glob("*/examples/valid/*")):
        if any(y >= FIRST_BE_YEAR for y in _years(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(STANDARDS)}: a Buddhist Era date in data")
    for path in sorted(folder.glob("*/*.json")) + sorted(folder.glob("*/*.xsd")):
        text = path.read_text(encoding="utf-8")
        if '"th-be-date"' in text or "2[4-6][0-9]{2}" in text:
            found.append(f"{path.relative_to(STANDARDS)}: a Buddhist Era date field")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- e-Saraban letter numbers

SARABAN = STANDARDS / "th.dga.e-saraban"
SARABAN_VERSIONS = sorted(p.parent.name for p in SARABAN.glob("*/version.toml"))
REAL_FORMS = [
    "นร ๐๑๐๕/๒๘๑๗",  # Thai numerals
    "ชม 52101/ว 123",  # 5-digit local office code, circular letter
    "ศธ 04002/ว1234",  # ว without a space
    "มท 0808.2/ว 1234",  # a sub-unit after a dot
    "นร 0105/1234",
    "ชม ๕๒๑๐๑/ว ๑๒๓",
]
MALFORMED = [
    "นร0105/1234",  # no space after the letters
    "นร 105/1234",  # a 3-digit office code
    "นรก 0105/1234",  # three letters
    "นร 0105/๑๒๓๔",  # Arabic and Thai numerals mixed
    "0105/1234",  # no letters at all
]


@pytest.fixture(scope="module")
def saraban_catalog():
    return load_catalog([SARABAN])


def _letter(version: str, form: str, number: str) -> bytes:
    """The version's local-office example with its letter number replaced."""
    example = SARABAN / version / "examples" / "valid" / f"local-office-thai-numerals.{form}"
    if form == "json":
        document = json.loads(example.read_text(encoding="utf-8"))
        document["letterNumber"] = number
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    text = example.read_text(encoding="utf-8")
    # the letter's own number comes first (the XSD puts it before any referenced letter's)
    text, count = re.subn(r"(<esb:LetterNumber>)[^<]*(</esb:LetterNumber>)", lambda m: m[1] + number + m[2], text, count=1)
    assert count == 1
    return text.encode("utf-8")


def _validate_letter(catalog, version: str, form: str, number: str):
    """The report on a letter of e-Saraban ``version`` in ``form`` that carries ``number``."""
    validator = DocumentValidator(catalog, standard=f"th.dga.e-saraban@{version}")
    return validator.validate_bytes(_letter(version, form, number), f"letter.{form}")


@pytest.mark.parametrize("version", SARABAN_VERSIONS)
@pytest.mark.parametrize("form", ["json", "xml"])
@pytest.mark.parametrize("number", REAL_FORMS)
def test_e_saraban_accepts_letter_numbers_as_they_are_written(saraban_catalog, version, form, number):
    report = _validate_letter(saraban_catalog, version, form, number)
    assert report.valid, [str(i) for i in report.issues]


@pytest.mark.parametrize("version", SARABAN_VERSIONS)
@pytest.mark.parametrize("form", ["json", "xml"])
@pytest.mark.parametrize("number", MALFORMED)
def test_e_saraban_refuses_a_malformed_letter_number(saraban_catalog, version, form, number):
    report = _validate_letter(saraban_catalog, version, form, number)
    expected = ("pattern", "/letterNumber") if form == "json" else ("cvc-pattern-valid", "/esb:OfficialLetter/esb:LetterNumber")
    errors = [(i.rule, i.location) for i in report.issues if i.severity == "error"]
    assert not report.valid and errors == [expected], errors


@pytest.mark.parametrize("version", SARABAN_VERSIONS)
def test_e_saraban_refuses_a_buddhist_era_letter_date(saraban_catalog, version):
    validator = DocumentValidator(saraban_catalog, standard=f"th.dga.e-saraban@{version}")
    document = json.loads(_letter(version, "json", "นร 0105/1234"))
    document["letterDate"] = "2567-03-11"  # 2024 written in the Buddhist Era
    document.pop("references")
    report = validator.validate_bytes(json.dumps(document, ensure_ascii=False).encode("utf-8"), "letter.json")
    assert [(i.rule, i.location) for i in report.issues if i.severity == "error"] == [("pattern", "/letterDate")]
