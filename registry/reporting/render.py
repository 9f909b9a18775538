"""Renderings of the indicators: the terminal table, CSV, and the self-contained HTML report.

Each takes the results of :mod:`registry.reporting.indicators` (never the database) and
always carries the definitions and the provenance (as-of time, log checkpoint) with the figures.
When the period was published, the published figures come first and a recomputed figure
that differs stands beside its published one, labelled revised: :func:`sector_rows` and
:func:`headline_rows` decide that once, for every rendering.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2

from dxs.validator.announcements import first_day
from dxs.validator.catalog import ILLUSTRATIVE_LABEL
from dxs.validator.years import thai_date, thai_datetime, thai_month

from ..times import display_time, iso
from .definitions import DEFINITIONS
from .indicators import CountedAnnouncement, IndicatorReport, MissingAgency, Provenance, SectorDrillDown, SectorFigure, Trend
from .percent import percent_text, tenths
from .periods import Period

__all__ = [
    "NATIONAL",
    "STATUS",
    "ShownFigure",
    "announced_th",
    "drill_down_csv",
    "headline_rows",
    "report_csv",
    "report_html",
    "report_table",
    "sector_rows",
    "trend_csv",
]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: The national summary line's name (``SectorFigure.sector == "national"``), Thai and English.
NATIONAL = ("ทั้งประเทศ (ทุกสาขาสำคัญ)", "National (all key sectors)")
#: What a figure is: as the office ``published`` it, recomputed since and ``revised`` (not
#: published), or ``computed`` for a period not published. Thai, then English.
STATUS = {
    "published": ("เผยแพร่แล้ว", "published"),
    "revised": ("ตัวเลขปรับปรุง", "revised (not published)"),
    "computed": ("ยังไม่เผยแพร่", "computed, not published"),
}
#: Indicator 16's counting unit in words (:data:`registry.reporting.config.UNITS`).
UNITS = {
    "agency": ("หน่วยงานที่ลงทะเบียนแต่ละหน่วย", "each registered government party"),
    "top-level": ("หน่วยงานระดับบนสุด โดยรวมหน่วยงานในสังกัดเข้าไว้ด้วย", "each top-level government party, with the units under it rolled up"),
}


@dataclass(frozen=True, slots=True)
class ShownFigure:
    """One line of indicator 16 as a reader sees it: the figure and what it is (a key of :data:`STATUS`)."""

    figure: SectorFigure
    status: str

    @property
    def name_th(self) -> str:
        return NATIONAL[0] if self.figure.sector == "national" else self.figure.name_th

    @property
    def name_en(self) -> str:
        return NATIONAL[1] if self.figure.sector == "national" else self.figure.name_en


def sector_rows(report: IndicatorReport) -> list[ShownFigure]:
    """Indicator 16's lines: the national summary first, then each key sector.

    Unpublished, each line is ``computed``. Published, each is the ``published`` figure
    (target and standards in use as computed now: a publication freezes the counts), followed
    by the recomputed one marked ``revised`` where its counts (or G2B counts, or counts without a standard) differ; a sector
    the publication lacks shows only its ``revised`` line.
    """
    i16, pub = report.indicator16, report.published
    rows: list[ShownFigure] = []
    for now in (i16.national, *i16.sectors):
        if pub is None:
            rows.append(ShownFigure(now, "computed"))
            continue
        counts = pub.sector(now.sector)
        if counts is None:
            rows.append(ShownFigure(now, "revised"))
            continue
        g2b = pub.g2b.get(now.sector, (now.g2b_declared, now.g2b_observed))
        # a publication made before the figures without a standard existed has none: shown as computed now
        no_standard = pub.no_standard.get(now.sector, (now.no_standard_declared, now.no_standard_observed))
        then = SectorFigure(now.sector, *counts, target=now.target, g2b_declared=g2b[0], g2b_observed=g2b[1],
                            no_standard_declared=no_standard[0], no_standard_observed=no_standard[1], standards=now.standards)
        rows.append(ShownFigure(then, "published"))
        if (now.counts != then.counts or (now.g2b_declared, now.g2b_observed) != g2b
                or (now.no_standard_declared, now.no_standard_observed) != no_standard):
            rows.append(ShownFigure(now, "revised"))
    return rows


def headline_rows(report: IndicatorReport) -> list[tuple[int, str, bool | None]]:
    """Indicator 15's headline as ``(value, status, met)``: published, then revised where it differs; else computed."""
    i15, pub = report.indicator15, report.published

    def met(value: int) -> bool | None:
        return None if i15.target is None else value >= i15.target

    if pub is None:
        return [(i15.headline, "computed", i15.met)]
    rows = [(pub.indicator15, "published", met(pub.indicator15))]
    if i15.headline != pub.indicator15:
        rows.append((i15.headline, "revised", i15.met))
    return rows


def announced_th(a: CountedAnnouncement) -> str:
    """When an announcement was made, the Thai way: ``15 มิ.ย. 2564``, ``มิ.ย. 2564``, or the year, known only so."""
    day = first_day(a.announced)
    if day is not None and a.precision == "day":
        return thai_date(day)
    if day is not None and a.precision == "month":
        return thai_month(day.year, day.month)
    return f"พ.ศ. {a.year_be} (ทราบเฉพาะปี)"


def _pct(rate: float | None) -> str:
    """``82.4%`` for 14/17: the one rule of :mod:`registry.reporting.percent`."""
    return percent_text(rate)


def _met(met: bool | None) -> str:
    return {True: "yes", False: "no", None: "-"}[met]


def _stamp(p: Provenance) -> str:
    root = (p.log_root or "-")[:16]
    return f"as of {display_time(p.as_of)} · log checkpoint {p.log_size} (root {root}…)"


def _unit(unit: str) -> tuple[str, str]:
    return UNITS.get(unit, (unit, unit))


def report_table(report: IndicatorReport, *, width: int = 100) -> str:
    """The report as text for a terminal: figures (published ones first, revisions beside), then the definitions."""
    p, i15, i16, pub = report.period, report.indicator15, report.indicator16, report.published
    lines = [f"Indicators 15 and 16 · {p.label_en} · {p.label_th} · {p.start} to {p.as_dict()['end']}", _stamp(report.provenance)]
    if pub is not None:
        lines.append(f"PUBLISHED {display_time(pub.published_at)} (log entry {pub.seq}, by {pub.actor}): the figures below are the published ones")
        if report.revised:
            lines.append("REVISED: the registry changed since publication; recomputed figures are on lines marked "
                         "'revised (not published)', beside the published ones")
    if report.demo:
        lines.append("DEMO DATA (dxs demo seed): indicator 16 counts a made-up country, not real figures; "
                     "indicator 15 counts the catalog's register of announcements")

    def target_15(met: bool | None) -> str:
        return f"target {i15.target}, {'met' if met else 'not met'}" if i15.target is not None else "no target set for this year"

    lines.append("")
    for value, status, met in headline_rows(report):
        split = f" (new {i15.new}, revisions {i15.revisions})" if status != "published" else ""
        if status == "revised":
            lines.append(f"  revised (not published): {value}{split} · {target_15(met)}")
        else:
            mark = " [published]" if status == "published" else ""
            lines.append(f"Indicator 15 — standards announced: {value}{split}{mark} · {target_15(met)}")
    lines.append(f"  counted: {i15.rule}; the register is a lower bound (announcements seen in a source)")
    if pub is not None:
        lines.append(f"  announcements as computed now: new {i15.new}, revisions {i15.revisions}")
    for a in i15.announcements:
        marks = [m for m, on in (("year only", a.precision == "year"), ("partly unverified", a.unverified),
                                 ("illustrative", a.illustrative)) if on]
        lines.append(f"  {a.announced or a.year_be:<10} {a.count_as:<9} {a.label:<24} {a.issuer:<16} {a.title_en or a.title_th}"
                     + (f"  [{', '.join(marks)}]" if marks else ""))
    lines += ["", "Indicator 16 — agencies exchanging under common standards, by key sector (headline: observed)",
              f"  counting unit: {i16.unit} ({_unit(i16.unit)[1]})"]
    header = (f"  {'sector':<28}{'units':>7}{'declared':>16}{'observed':>16}{'target':>8}  met{'G2B decl./obs.':>22}"
              f"{'no standard decl./obs.':>24}")
    lines += [header, "  " + "-" * (len(header) - 2)]
    for row in sector_rows(report):
        s = row.figure
        name = "↳ revised (not published)" if row.status == "revised" and pub is not None else row.name_en
        g2b = f"{s.g2b_declared} / {s.g2b_observed} ({_pct(s.g2b_observed_rate)})"
        no_standard = f"{s.no_standard_declared} / {s.no_standard_observed} ({_pct(s.no_standard_observed_rate)})"
        lines.append(
            f"  {name:<28}{s.agencies:>7}{f'{s.declared} ({_pct(s.declared_rate)})':>16}"
            f"{f'{s.observed} ({_pct(s.observed_rate)})':>16}{s.target:>8.0%}  {_met(s.met):<3}{g2b:>22}{no_standard:>24}"
        )
    met_rows = [r.figure for r in sector_rows(report) if r.figure.sector != "national" and r.status != "revised"]
    lines.append(f"  {sum(1 for s in met_rows if s.met)} of {len(met_rows)} key sectors meet their target"
                 + (" (as published)." if pub is not None else "."))
    lines.append(f"  private juristic persons and foreign parties with a counting link: {i16.private_parties}")
    lines += ["", "Standards in use (observed links), by key sector"]
    for s in (i16.national, *i16.sectors):
        name = NATIONAL[1] if s.sector == "national" else s.name_en
        lines += textwrap.wrap(f"{name}: {', '.join(s.standards) or '-'}", width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    lines += ["", "Definitions"]
    for key in ("indicator15", "indicator16", "period", "provenance"):
        lines += textwrap.wrap(DEFINITIONS[key]["en"], width, initial_indent="  ", subsequent_indent="  ") + [""]
    for key in ("g2b", "no_standard"):
        lines += textwrap.wrap(DEFINITIONS[key]["en"], width, initial_indent="  ", subsequent_indent="  ") + [""]
    lines.append(f"Configuration: {report.config.source}")
    if pub is not None:
        lines.append(f"Published at log checkpoint {pub.log_size} (root {(pub.log_root or '-')[:16]}…)")
    return "\n".join(lines) + "\n"


#: Earlier columns keep their places; ``status`` says which figures were published, so an annex never mixes them.
_REPORT_COLUMNS = [
    "indicator", "year_ce", "year_be", "calendar", "period_start", "period_end", "sector", "measure",
    "value", "denominator", "rate", "target", "met", "as_of", "log_size", "log_root", "demo", "definition_en", "definition_th",
    "status", "published_seq", "published_at", "unit", "standards",
]


def _period_cells(p: Period) -> list[object]:
    d = p.as_dict()
    return [p.year, p.be, p.calendar, d["start"], d["end"]]


def _rate(rate: float | None) -> str:
    """The rate as shown (:func:`registry.reporting.percent.shown_rate`), written exactly: ``0.824`` for 14/17."""
    return "" if rate is None else str(Decimal(tenths(rate)).scaleb(-3))


def _report_rows(report: IndicatorReport) -> list[list[object]]:
    prov, pub = report.provenance, report.published
    tail = [iso(prov.as_of), prov.log_size, prov.log_root or "", report.demo]
    published = [pub.seq, iso(pub.published_at)] if pub is not None else ["", ""]
    d15, d16, g2b, nostd = DEFINITIONS["indicator15"], DEFINITIONS["indicator16"], DEFINITIONS["g2b"], DEFINITIONS["no_standard"]
    i15, i16 = report.indicator15, report.indicator16
    period = _period_cells(report.period)
    target15 = i15.target if i15.target is not None else ""
    rows: list[list[object]] = []
    for value, status, met in headline_rows(report):
        rows.append(["15", *period, "", "headline", value, "", "", target15, _met(met), *tail, d15["en"], d15["th"],
                     status, *published, "", ""])
    for measure, value in (("new", i15.new), ("revisions", i15.revisions)):  # never published: always as computed
        rows.append(["15", *period, "", measure, value, "", "", "", "", *tail, d15["en"], d15["th"], "computed", *published, "", ""])
    for row in sector_rows(report):
        s = row.figure
        after = [row.status, *published, i16.unit]
        for measure, value, rate in (("observed (headline)", s.observed, s.observed_rate), ("declared", s.declared, s.declared_rate)):
            headline = measure.startswith("observed")
            rows.append(["16", *period, s.sector, measure, value, s.agencies, _rate(rate), s.target,
                         _met(s.met) if headline else "", *tail, d16["en"], d16["th"], *after, ";".join(s.standards) if headline else ""])
        for measure, value in (("g2b observed", s.g2b_observed), ("g2b declared", s.g2b_declared)):
            rows.append(["16", *period, s.sector, measure, value, s.agencies, _rate(value / s.agencies if s.agencies else None),
                         "", "", *tail, g2b["en"], g2b["th"], *after, ""])
        for measure, value in (("no standard observed", s.no_standard_observed), ("no standard declared", s.no_standard_declared)):
            rows.append(["16", *period, s.sector, measure, value, s.agencies, _rate(value / s.agencies if s.agencies else None),
                         "", "", *tail, nostd["en"], nostd["th"], *after, ""])
    rows.append(["16", *period, "", "private parties", i16.private_parties, "", "", "", "", *tail, g2b["en"], g2b["th"],
                 "computed", *published, i16.unit, ""])
    return rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """``rows`` under ``header`` as CSV text (every report's CSV)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def report_csv(report: IndicatorReport) -> str:
    """One row per figure (and per rate of indicator 16), each with its definition, provenance and ``status``.

    ``status`` is ``published`` (as the office published it), ``revised`` (recomputed since,
    differs, not published) or ``computed`` (not published). Indicator 16 has a ``national``
    line, G2B rows and rows of units exchanging only without a standard beside each line, and the standards in use
    on its observed rows.
    """
    return csv_text(_REPORT_COLUMNS, _report_rows(report))


def trend_csv(trend: Trend) -> str:
    """The rows of :func:`report_csv` for every year of ``trend`` (each with its own publication, if any)."""
    rows: list[list[object]] = []
    for n in range(len(trend.periods)):
        rows += _report_rows(trend.report(n))
    return csv_text(_REPORT_COLUMNS, rows)


def _missing_state(m: MissingAgency) -> str:
    state = "declared, not observed" if m.declared else "no link in force"
    # what a new standard could bring into the indicator
    return f"{state}; exchanging without a standard" if m.without_standard else state


def drill_down_csv(drill: SectorDrillDown) -> str:
    """The agencies of a key sector not yet observed exchanging in the period."""
    prov = drill.provenance
    rows = [
        [drill.figure.sector, m.code, m.name_th, m.name_en, _missing_state(m),
         *_period_cells(drill.period), iso(prov.as_of), prov.log_size, prov.log_root or ""]
        for m in drill.missing
    ]
    header = ["sector", "code", "name_th", "name_en", "state", "year_ce", "year_be", "calendar", "period_start", "period_end",
              "as_of", "log_size", "log_root"]
    return csv_text(header, rows)


def report_html(report: IndicatorReport, trend: Trend, *, charts: dict[str, str], lang_note: str = "") -> str:
    """A self-contained HTML report for filing (inline CSS and SVG charts, nothing fetched), Thai first.

    Dates are Thai Buddhist-Era dates; published figures lead and revised ones stand
    beside them; notes (definitions, configuration, provenance) and a sign-off block close it.
    ``charts`` maps ``indicator15``, ``indicator16`` and ``trend16`` to inline SVG (any may be absent).
    """
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["met"] = _met
    env.filters["thai_date"] = thai_date
    env.filters["thai_datetime"] = thai_datetime
    env.filters["announced_th"] = announced_th
    env.globals["ILLUSTRATIVE"] = ILLUSTRATIVE_LABEL
    p = report.period
    rows = sector_rows(report)  # a published line and its revision stay together (one <tbody>, not split by a page)
    template = env.get_template("indicators_report.html")
    return template.render(
        report=report,
        trend=trend,
        charts=charts,
        definitions=DEFINITIONS,
        g2b_definition=DEFINITIONS["g2b"],
        no_standard_definition=DEFINITIONS["no_standard"],
        stamp=_stamp(report.provenance),
        lang_note=lang_note,
        period_th=f"{thai_date(p.start)} – {thai_date(p.end - dt.timedelta(days=1))}",
        rows=rows,
        groups=[list(g) for _, g in itertools.groupby(rows, key=lambda r: r.figure.sector)],
        headlines=headline_rows(report),
        status=STATUS,
        unit=_unit(report.indicator16.unit),
        display_time=display_time,
    )
