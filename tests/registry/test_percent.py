"""One rounding rule for percentages: every output says 82.4% for 14/17.

One decimal of a percent, half away from zero, from the exact fraction
(:mod:`registry.reporting.percent`): the terminal table, the CSV annex, the HTML
report, the chart labels, the API's rates and the dashboard all agree.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from fractions import Fraction

import lxml.html
import pytest

from dxs.registry.reporting import charts, render
from dxs.registry.reporting.config import IndicatorConfig
from dxs.registry.reporting.indicators import Indicator16, IndicatorReport, SectorFigure
from dxs.registry.reporting.percent import percent, percent_text, shown_rate, tenths
from dxs.registry.reporting.schemas import IndicatorReportRead
from tests.conftest import ROOT
from tests.kit import reports

#: (sector, units, observed, as shown): the cases of issue 17, item 6
CASES = [
    ("finance", 17, 14, "82.4"),  # 82.352…: the dashboard said 82.3 (it rounded 0.8235 again), the report 82.4
    ("health", 8, 1, "12.5"),
    ("education", 3, 1, "33.3"),
    ("transport", 3, 2, "66.7"),
    ("land", 5, 0, "0.0"),
    ("commerce", 4, 4, "100.0"),
]


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(p, w, s) for _, w, p, s in CASES] + [
        (1, 16, "6.3"),  # 6.25: an exact half, away from zero (Python's format said 6.2)
        (3, 80, "3.8"),  # 3.75: a half the float 0.0375 falls just short of
        (1, 2000, "0.1"),  # 0.05
        (1, 2001, "0.0"),
        (1999, 2000, "100.0"),  # 99.95
    ],
)
def test_the_rule(part, whole, shown):
    exact = Fraction(part, whole)
    assert str(percent(exact)) == shown and percent_text(exact) == f"{shown}%"
    assert percent_text(part / whole) == f"{shown}%", "a float rate rounds as the fraction it stands for"
    assert shown_rate(part / whole) == float(Decimal(shown) / 100) and tenths(exact) == int(Decimal(shown) * 10)


def test_float_rates_round_as_their_exact_fractions():
    for whole in range(1, 201):
        for part in range(whole + 1):
            assert tenths(part / whole) == tenths(Fraction(part, whole)), (part, whole)


def test_no_rate_is_a_dash():
    assert percent_text(None) == "-" and shown_rate(None) is None


def _report() -> IndicatorReport:
    sectors = tuple(SectorFigure(s, units, units, observed, 0.8) for s, units, observed, _ in CASES)
    config = IndicatorConfig(key_sectors=tuple(s for s, *_ in CASES))
    base = reports.sample_report()
    return IndicatorReport(base.period, base.indicator15, Indicator16(base.period, sectors), base.provenance, config)


def test_the_terminal_table():
    text = render.report_table(_report())
    for sector, units, observed, shown in CASES:
        line = next(line for line in text.splitlines() if line.strip().startswith(SectorFigure(sector, 0, 0, 0, 0).name_en))
        assert f"{observed} ({shown}%)" in line and f"{units} (100.0%)" in line  # observed, and declared (all units)


def test_the_csv_holds_the_rate_as_shown():
    rows = list(csv.DictReader(io.StringIO(render.report_csv(_report()))))
    observed = {r["sector"]: r["rate"] for r in rows if r["measure"] == "observed (headline)"}
    assert {s: observed[s] for s, *_ in CASES} == {
        "finance": "0.824", "health": "0.125", "education": "0.333", "transport": "0.667", "land": "0.000", "commerce": "1.000",
    }
    assert observed["national"] == "0.550"  # 22 of 40


def test_the_html_report():
    report = _report()
    html = render.report_html(report, reports.sample_trend(report), charts={})
    doc = lxml.html.fromstring(html)
    lines = [" ".join(" ".join(tr.itertext()).split()) for tr in doc.xpath("//table[contains(@class, 'figures')]/tbody/tr")]
    for sector, _, observed, shown in CASES:
        name = SectorFigure(sector, 0, 0, 0, 0).name_th
        assert f"{observed} ({shown}%)" in next(line for line in lines if name in line)


def test_the_chart_labels():
    report = _report()
    figure = charts.figure("indicator16", reports.sample_trend(report), lang="en")
    labels = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert labels == [f"{shown}%" for *_, shown in CASES]


def _api() -> dict:
    return json.loads(IndicatorReportRead.of(_report()).model_dump_json())


def test_the_api_sends_the_rates_as_shown():
    sectors = {s["sector"]: s for s in _api()["indicator16"]["sectors"]}
    for sector, _, _, shown in CASES:
        assert sectors[sector]["observed_rate"] == float(Decimal(shown) / 100)  # 0.824 for 14/17
        assert f"{sectors[sector]['observed_rate'] * 100:.1f}" == shown  # formatting alone shows it, however it rounds
    assert sectors["finance"]["declared_rate"] == 1.0


def _dashboard_pct() -> str:
    """The dashboard's ``pct``, as written in dashboard.js."""
    script = (ROOT / "registry" / "static" / "dashboard.js").read_text(encoding="utf-8")
    found = re.search(r"^  const pct = \(r\) => \{\n.*?^  \};$", script, re.S | re.M)
    assert found, "dashboard.js defines pct"
    return found[0]


def test_the_dashboard_shows_what_the_report_shows():
    """The dashboard's pct, run in Chromium, on the API's rates and on rates it computes itself from published counts."""
    from playwright.sync_api import sync_playwright

    from tests.kit.browser import launch, need_browser

    need_browser()
    api_rates = [s["observed_rate"] for s in _api()["indicator16"]["sectors"]]
    fractions = [(p, w) for w in range(1, 121) for p in range(w + 1)] + [(o, u) for _, u, o, _ in CASES]
    program = "() => {\n" + _dashboard_pct() + f"""
  const api = {json.dumps(api_rates)};
  const counts = {json.dumps(fractions)};
  return {{ api: api.map(pct), counts: counts.map(([p, w]) => pct(p / w)), none: [pct(null), pct(undefined)] }};
}}"""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            shown = browser.new_page().evaluate(program)
        finally:
            browser.close()
    assert shown["api"] == [f"{s}%" for *_, s in CASES]
    assert shown["counts"] == [percent_text(Fraction(p, w)) for p, w in fractions]
    assert shown["none"] == ["–", "–"]
