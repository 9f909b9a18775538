"""Every Schematron rule of the bundled catalog speaks two clean languages, with the same values.

A rule message is written ``English / ไทย`` (docs/getting-started.md); the validator splits it
in the rules, so each language interpolates its own ``<sch:value-of>``. Here, for every
``rules.sch``: the English part has no Thai, the Thai part has Thai letters, differs from the
English one and shows the same values; and ``dxs validate --lang th`` prints them.
"""

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from dxs import cli
from dxs.standards import BUNDLED_CATALOG
from dxs.validator.schematron import SCH_NS, XML_LANG, _split_bilingual

RULES = sorted(BUNDLED_CATALOG.rglob("rules.sch"))
SCH = f"{{{SCH_NS}}}"
THAI_LETTERS = {chr(c) for c in range(0x0E01, 0x0E2F)}  # ก … ฮ


def text_and_values(message: etree._Element) -> tuple[str, Counter]:
    """The message's words (``{}`` for a value) and the values it shows (their XPaths)."""
    words, values = [message.text or ""], Counter()
    for child in message:
        if child.tag in (f"{SCH}value-of", f"{SCH}name"):
            words.append("{}")
            values[child.get("select") or f"name({child.get('path', '.')})"] += 1
        else:
            words.append("".join(child.itertext()))
        words.append(child.tail or "")
    return " ".join("".join(words).split()), values


def messages_of(path: Path) -> list[tuple[str, etree._Element, etree._Element | None]]:
    """``(rule id, English message, Thai message)`` of every assert and report, as the validator splits them."""
    root = etree.parse(str(path)).getroot()
    _split_bilingual(root)
    thai = {d.get("id"): d for d in root.iter(f"{SCH}diagnostic") if (d.get(XML_LANG) or "").startswith("th")}
    found = []
    for check in root.iter(f"{SCH}assert", f"{SCH}report"):
        refs = [thai[r] for r in (check.get("diagnostics") or "").split() if r in thai]
        found.append((check.get("id"), check, refs[-1] if refs else None))
    return found


def test_every_standard_with_rules_is_covered():
    assert len(RULES) >= 14
    assert sum(len(messages_of(p)) for p in RULES) >= 70


@pytest.mark.parametrize("path", RULES, ids=lambda p: str(p.parent.relative_to(BUNDLED_CATALOG)))
def test_every_message_has_clean_english_and_thai_with_the_same_values(path):
    for rule, check, thai in messages_of(path):
        english, english_values = text_and_values(check)
        assert thai is not None, f"{rule}: no Thai message ({english!r})"
        thai_text, thai_values = text_and_values(thai)
        assert english and not THAI_LETTERS & set(english), f"{rule}: the English message has Thai in it: {english!r}"
        assert THAI_LETTERS & set(thai_text), f"{rule}: the Thai message has no Thai letters: {thai_text!r}"
        assert thai_text != english, rule
        assert thai_values == english_values, f"{rule}: English shows {dict(english_values)}, Thai {dict(thai_values)}"


# --------------------------------------------------------------------------- dxs validate --lang th


@pytest.fixture
def dxs(monkeypatch):
    monkeypatch.delenv("DXS_BUNDLED_CATALOG", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def test_thai_output_keeps_the_values_of_the_english_one(dxs):
    example = BUNDLED_CATALOG / "th.dopa.citizen-profile" / "2.0.0" / "examples" / "invalid" / "district-outside-province.xml"
    english, thai = dxs("validate", example), dxs("validate", "--lang", "th", example)
    assert english.exit_code == thai.exit_code == 1
    assert "The district code (1001) must begin with the province code (12)." in english.output
    assert "รหัสอำเภอ (1001) ต้องขึ้นต้นด้วยรหัสจังหวัด (12) [rules:ADDR-DISTRICT-IN-PROVINCE]" in thai.output
    assert "district code" not in thai.output


def test_thai_output_of_a_once_bracketed_message_is_thai_only(dxs):
    example = BUNDLED_CATALOG / "th.bot.payment-notification" / "1.1.0" / "examples" / "invalid" / "wrong-summary-sum.xml"
    thai = dxs("validate", "--lang", "th", example)
    assert thai.exit_code == 1
    assert "ยอดรวมในสรุปต้องเท่ากับผลรวมจำนวนเงินของทุกรายการ [rules:PN-SUMMARY-SUM]" in thai.output
    assert "Sum equals" not in thai.output


def test_a_thai_value_in_the_english_message_does_not_mix_the_languages(dxs, tmp_path):
    # a referenced letter's number is Thai (กค 0402.5/4410) and has a slash: dated after the letter, it must
    # still give an English message with the number and a Thai one with the number
    valid = BUNDLED_CATALOG / "th.dga.e-saraban" / "1.1.0" / "examples" / "valid" / "registration-guideline.xml"
    letter = tmp_path / "reference-after-letter.xml"
    letter.write_bytes(valid.read_bytes().replace(b"<esb:LetterDate>2021-01-18</esb:LetterDate>",
                                                  b"<esb:LetterDate>2021-03-18</esb:LetterDate>"))
    english, thai = dxs("validate", letter), dxs("validate", "--lang", "th", letter)
    assert english.exit_code == thai.exit_code == 1
    assert "A referenced letter (กค 0402.5/4410) cannot be dated after this letter. [rules:ESB-REF-BEFORE-LETTER]" in english.output
    assert "หนังสืออ้างถึง (กค 0402.5/4410) ต้องลงวันที่ไม่หลังวันที่ของหนังสือฉบับนี้ [rules:ESB-REF-BEFORE-LETTER]" in thai.output
    assert "referenced letter" not in thai.output
