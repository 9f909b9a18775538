"""Renderings of the indicators: the terminal table, CSV, and the self-contained HTML report.

Each takes the results of :mod:`registry.reporting.indicators` (never the database) and
always carries the definitions and the provenance (as-of time, log checkpoint) with the figures.
"""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import jinja2

from validator.catalog import ILLUSTRATIVE_LABEL

from ..times import display_time, iso
from .definitions import DEFINITIONS
from .indicators import IndicatorReport, Provenance, SectorDrillDown, Trend
from .periods import Period

__all__ = ["drill_down_csv", "report_csv", "report_html", "report_table", "trend_csv"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _met(met: bool | None) -> str:
    return {True: "yes", False: "no", None: "-"}[met]


def _stamp(p: Provenance) -> str:
    root = (p.log_root or "-")[:16]
    return f"as of {display_time(p.as_of)} · log checkpoint {p.log_size} (root {root}…)"


def report_table(report: IndicatorReport, *, width: int = 100) -> str:
    """The report as text for a terminal: figures, then the definitions they follow."""
    p, i15, i16 = report.period, report.indicator15, report.indicator16
    lines = [f"Indicators 15 and 16 · {p.label_en} · {p.label_th} · {p.start} to {p.as_dict()['end']}", _stamp(report.provenance)]
    if report.demo:
        lines.append("DEMO DATA (dxs demo seed): indicator 16 counts a made-up country, not real figures; "
                     "indicator 15 counts the catalog's register of announcements")
    target = f"target {i15.target}, {'met' if i15.met else 'not met'}" if i15.target is not None else "no target set for this year"
    lines += [
        "",
        f"Indicator 15 — standards announced: {i15.headline} (new {i15.new}, revisions {i15.revisions}) · {target}",
        f"  counted: {i15.rule}; the register is a lower bound (announcements seen in a source)",
    ]
    for a in i15.announcements:
        marks = [m for m, on in (("year only", a.precision == "year"), ("partly unverified", a.unverified),
                                 ("illustrative", a.illustrative)) if on]
        lines.append(f"  {a.announced or a.year_be:<10} {a.count_as:<9} {a.label:<24} {a.issuer:<16} {a.title_en or a.title_th}"
                     + (f"  [{', '.join(marks)}]" if marks else ""))
    lines += ["", "Indicator 16 — agencies exchanging under common standards, by key sector (headline: observed)"]
    header = f"  {'sector':<24}{'agencies':>9}{'declared':>18}{'observed':>18}{'target':>8}  met"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for s in i16.sectors:
        lines.append(
            f"  {s.name_en:<24}{s.agencies:>9}{f'{s.declared} ({_pct(s.declared_rate)})':>18}"
            f"{f'{s.observed} ({_pct(s.observed_rate)})':>18}{s.target:>8.0%}  {_met(s.met)}"
        )
    lines += [f"  {i16.sectors_met} of {len(i16.sectors)} key sectors meet their target.", "", "Definitions"]
    for key in ("indicator15", "indicator16", "period", "provenance"):
        lines += textwrap.wrap(DEFINITIONS[key]["en"], width, initial_indent="  ", subsequent_indent="  ") + [""]
    lines.append(f"Configuration: {report.config.source}")
    return "\n".join(lines) + "\n"


_REPORT_COLUMNS = [
    "indicator", "year_ce", "year_be", "calendar", "period_start", "period_end", "sector", "measure",
    "value", "denominator", "rate", "target", "met", "as_of", "log_size", "log_root", "demo", "definition_en", "definition_th",
]


def _period_cells(p: Period) -> list[object]:
    d = p.as_dict()
    return [p.year, p.be, p.calendar, d["start"], d["end"]]


def _report_rows(report: IndicatorReport) -> list[list[object]]:
    prov = report.provenance
    tail = [iso(prov.as_of), prov.log_size, prov.log_root or "", report.demo]
    d15, d16 = DEFINITIONS["indicator15"], DEFINITIONS["indicator16"]
    i15 = report.indicator15
    rows: list[list[object]] = []
    for measure, value in (("headline", i15.headline), ("new", i15.new), ("revisions", i15.revisions)):
        target = i15.target if measure == "headline" else ""
        met = _met(i15.met) if measure == "headline" else ""
        rows.append(["15", *_period_cells(report.period), "", measure, value, "", "", target if target is not None else "", met, *tail, d15["en"], d15["th"]])
    for s in report.indicator16.sectors:
        for measure, value, rate in (("observed (headline)", s.observed, s.observed_rate), ("declared", s.declared, s.declared_rate)):
            rate_text = "" if rate is None else f"{rate:.4f}"
            rows.append(["16", *_period_cells(report.period), s.sector, measure, value, s.agencies, rate_text, s.target,
                         _met(s.met) if measure.startswith("observed") else "", *tail, d16["en"], d16["th"]])
    return rows


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def report_csv(report: IndicatorReport) -> str:
    """One row per figure (and per rate of indicator 16), each with its definition and provenance."""
    return _csv(_REPORT_COLUMNS, _report_rows(report))


def trend_csv(trend: Trend) -> str:
    """The rows of :func:`report_csv` for every year of ``trend``."""
    rows: list[list[object]] = []
    for period, i15, i16 in zip(trend.periods, trend.indicator15, trend.indicator16, strict=True):
        rows += _report_rows(IndicatorReport(period, i15, i16, trend.provenance, trend.config, trend.demo))
    return _csv(_REPORT_COLUMNS, rows)


def drill_down_csv(drill: SectorDrillDown) -> str:
    """The agencies of a key sector not yet observed exchanging in the period."""
    prov = drill.provenance
    rows = [
        [drill.figure.sector, m.code, m.name_th, m.name_en, "declared, not observed" if m.declared else "no link in force",
         *_period_cells(drill.period), iso(prov.as_of), prov.log_size, prov.log_root or ""]
        for m in drill.missing
    ]
    header = ["sector", "code", "name_th", "name_en", "state", "year_ce", "year_be", "calendar", "period_start", "period_end",
              "as_of", "log_size", "log_root"]
    return _csv(header, rows)


def report_html(report: IndicatorReport, trend: Trend, *, charts: dict[str, str], lang_note: str = "") -> str:
    """A self-contained HTML report (inline CSS and SVG charts, nothing fetched) for filing."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["pct"] = _pct
    env.filters["met"] = _met
    env.globals["ILLUSTRATIVE"] = ILLUSTRATIVE_LABEL
    template = env.get_template("indicators_report.html")
    return template.render(report=report, trend=trend, charts=charts, definitions=DEFINITIONS, stamp=_stamp(report.provenance), lang_note=lang_note)
