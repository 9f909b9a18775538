"""The indicators report as the office reads it: the terminal table, the CSV annex, and the HTML report.

Reports are built by hand (:mod:`tests.kit.reports`): fiscal 2564 BE, unpublished, published,
and published then revised (health 7 → 9 observed, indicator 15: 2 → 3).
"""

from __future__ import annotations

import csv
import io

import lxml.html
import pytest

from dxs.registry.reporting import render
from tests.kit.reports import sample_report, sample_trend

OLD_COLUMNS = ("indicator,year_ce,year_be,calendar,period_start,period_end,sector,measure,value,denominator,rate,target,met,"
               "as_of,log_size,log_root,demo,definition_en,definition_th")


def _html(**kwargs) -> str:
    report = sample_report(**kwargs)
    return render.report_html(report, sample_trend(report), charts={"indicator15": "<svg></svg>"})


def _text(element) -> str:
    """The element's text as read: every piece (cell, line) apart, runs of space as one."""
    return " ".join(" ".join(element.itertext()).split())


def _figure_groups(html: str) -> list[list[str]]:
    """Indicator 16's table as a reader sees it: per sector, its lines' text."""
    doc = lxml.html.fromstring(html)
    return [[_text(tr) for tr in tbody.xpath("./tr")] for tbody in doc.xpath("//table[contains(@class, 'figures')]/tbody")]


def _csv_rows(report) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render.report_csv(report))))


# --------------------------------------------------------------------------- HTML


def test_html_is_thai_first_with_buddhist_era_dates():
    html = _html(published=True)
    assert html.index("รายงานตัวชี้วัดที่ 15 และ 16") < html.index("Indicators 15 and 16")
    assert "ปีงบประมาณ พ.ศ. 2564" in html and "1 ต.ค. 2563 – 30 ก.ย. 2564" in html  # the period
    assert "คำนวณ ณ 10 ม.ค. 2565 09:30 น." in html  # as of 02:30 UTC, read in Bangkok
    assert "15 พ.ย. 2564 10:00 น." in html  # published


def test_html_lists_the_counted_announcements_with_thai_dates():
    doc = lxml.html.fromstring(_html(revised=True))
    rows = [_text(tr) for tr in doc.xpath("//table[contains(@class, 'announcements')]/tbody/tr")]
    assert [r.split()[:2] for r in rows] == [["ขมธอ.", "21-2564"], ["ขมธอ.", "14-2564"], ["ขมธอ.", "19-2564"]]
    assert "พ.ศ. 2564 (ทราบเฉพาะปี)" in rows[0] and "ทราบเฉพาะปี · year only" in rows[0] and "ยืนยันไม่ครบ" in rows[0]
    assert "มี.ค. 2564" in rows[1] and "ฉบับปรับปรุง" in rows[1]  # known to the month
    assert "15 มิ.ย. 2564" in rows[2] and "มาตรฐานใหม่" in rows[2] and "สพธอ. (ETDA)" in rows[2]
    page = _text(doc)
    assert "ค่าต่ำสุด" in page and "lower bound" in page  # the register's caveat
    assert "ไม่บรรลุเป้าหมาย" in page  # 3 of a target of 10


def test_html_shows_the_national_line_first_then_each_key_sector():
    groups = _figure_groups(_html())
    assert [g[0].split()[0] for g in groups] == ["ทั้งประเทศ", "การเงินการคลัง", "สาธารณสุข", "การศึกษา"]
    national = groups[0][0]
    assert "30 22 (73.3%) 17 (56.7%) 80%" in national and "6 / 4 (13.3%)" in national  # G2B beside it
    assert "4 / 3 (30.0%)" in groups[1][0]
    page = _text(lxml.html.fromstring(_html()))
    assert "th.test.e-receipt, th.test.permit" in page  # standards in use
    assert "5 ราย" in page and "หน่วยงานที่ลงทะเบียนแต่ละหน่วย" in page  # private parties, counting unit
    assert "ยังไม่เผยแพร่ · not published" in page


def test_html_puts_the_revised_figure_beside_the_published_one():
    html = _html(published=True, revised=True)
    groups = _figure_groups(html)
    national, finance, health, _ = groups
    assert len(national) == 2 and "17 (56.7%)" in national[0] and "เผยแพร่แล้ว" in national[0]
    assert "19 (63.3%)" in national[1] and "ตัวเลขปรับปรุง revised (not published)" in national[1]
    assert len(finance) == 1 and "8 (80.0%)" in finance[0]  # unchanged: the published figure alone
    assert "7 (58.3%)" in health[0] and "9 (75.0%)" in health[1]
    doc = lxml.html.fromstring(html)
    headline = [_text(tr) for tr in doc.xpath("//section[@id='indicator15']/table[1]/tbody/tr")]
    assert headline[0].startswith("เผยแพร่แล้ว published 2") and headline[1].startswith("ตัวเลขปรับปรุง revised (not published) 3")
    assert "บันทึกในล็อกลำดับที่ 412" in html and "1 จาก 3 สาขาสำคัญบรรลุเป้าหมาย (ตามตัวเลขที่เผยแพร่)" in _text(doc)


def test_html_published_and_unchanged_shows_no_revision():
    html = _html(published=True)
    doc = lxml.html.fromstring(html)
    assert "เผยแพร่แล้ว · published" in html and "revised (not published)" not in _text(doc)
    assert not doc.xpath("//*[contains(@class, 'revised')]")
    assert all(len(group) == 1 for group in _figure_groups(html))


def test_html_closes_with_notes_and_a_sign_off_block_and_fetches_nothing():
    html = _html(published=True, revised=True, demo=True)
    doc = lxml.html.fromstring(html)
    notes = _text(doc.xpath("//section[@id='notes']")[0])
    assert notes.index("ตัวชี้วัดที่ 15 — จำนวนมาตรฐานที่ประกาศใช้") < notes.index("Indicator 15 — standards announced")
    assert "ab12" * 16 in notes and "cd34" * 16 in notes and "ขนาด · size 5120" in notes  # both checkpoints
    assert "defaults (the plan's values)" in notes and "dxs report indicators --year 2564" in notes
    signoff = [_text(th) for th in doc.xpath("//table[contains(@class, 'signoff')]//th")]
    assert signoff == ["ผู้จัดทำ Prepared by", "ผู้ตรวจสอบ Reviewed by", "ผู้อนุมัติ Approved by"]
    assert _text(doc).count("ตำแหน่ง · position") == 3
    assert "ข้อมูลสาธิต · DEMO DATA" in html
    assert not any(fetch in html for fetch in ('src="http', "<link", "<script", "@import", "url("))


# --------------------------------------------------------------------------- table and CSV


def test_table_has_the_national_line_g2b_and_revised_lines():
    text = render.report_table(sample_report(published=True, revised=True))
    assert "PUBLISHED 2021-11-15 03:00:00 UTC (log entry 412" in text and "REVISED" in text
    assert "Indicator 15 — standards announced: 2 [published] · target 10, not met" in text
    assert "  revised (not published): 3 (new 2, revisions 1) · target 10, not met" in text
    lines = text.splitlines()
    national = next(n for n, line in enumerate(lines) if line.strip().startswith("National (all key sectors)"))
    assert "17 (56.7%)" in lines[national] and "6 / 4 (13.3%)" in lines[national]
    assert lines[national + 1].strip().startswith("↳ revised (not published)") and "19 (63.3%)" in lines[national + 1]
    assert "counting unit: agency" in text and "Health: th.test.referral" in text
    assert "private juristic persons and foreign parties with a counting link: 5" in text


def test_table_of_an_unpublished_year_reads_as_before():
    text = render.report_table(sample_report())
    assert "Indicator 15 — standards announced: 2 (new 2, revisions 0) · target 10, not met" in text
    assert "PUBLISHED" not in text and "revised (not published)" not in text


def test_csv_keeps_its_columns_and_says_which_figures_were_published():
    rows = _csv_rows(sample_report(published=True, revised=True))
    assert render.report_csv(sample_report()).startswith(OLD_COLUMNS + ",status,")
    headline = [(r["status"], r["value"]) for r in rows if r["indicator"] == "15" and r["measure"] == "headline"]
    assert headline == [("published", "2"), ("revised", "3")]
    observed = [(r["sector"], r["status"], r["value"]) for r in rows if r["measure"] == "observed (headline)"]
    assert observed == [("national", "published", "17"), ("national", "revised", "19"), ("finance", "published", "8"),
                        ("health", "published", "7"), ("health", "revised", "9"), ("education", "published", "2")]
    assert {r["published_seq"] for r in rows} == {"412"}
    finance = {r["measure"]: r for r in rows if r["sector"] == "finance"}
    assert finance["g2b observed"]["value"] == "3" and finance["g2b observed"]["rate"] == "0.300"
    assert finance["observed (headline)"]["standards"] == "th.test.e-receipt;th.test.permit"
    assert finance["observed (headline)"]["unit"] == "agency"


@pytest.mark.parametrize("published", [False, True])
def test_csv_never_mixes_statuses_silently(published):
    rows = _csv_rows(sample_report(published=published))
    assert all(r["status"] in ("published", "revised", "computed") for r in rows)
    if not published:
        assert {r["status"] for r in rows} == {"computed"}
    else:  # published, unchanged: no revised row; what a publication does not freeze says so
        assert "revised" not in {r["status"] for r in rows}
        assert {r["measure"] for r in rows if r["status"] == "computed"} == {"new", "revisions", "private parties"}
