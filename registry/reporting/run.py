"""What ``dxs report indicators`` does, as plain functions (the CLI only parses): open the registry, compute, write."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from dxs.validator import Catalog
from dxs.validator.years import current_year

from ..db import Database, make_engine, sqlite_path
from ..migrate import current_revision, head_revision
from . import indicators
from .config import IndicatorConfig
from .indicators import IndicatorReport, Publication, Trend
from .periods import Period

__all__ = ["NoRegistry", "Produced", "ReportError", "compute", "produce", "publish_year", "report_indicators"]

FORMATS = ("table", "json", "csv", "html", "pdf")
T = TypeVar("T")


class NoRegistry(Exception):
    """The database does not exist or is not at the newest schema."""

    exit_code = 2  # ``dxs report indicators`` refuses it as a configuration error


@dataclass(frozen=True)
class Produced:
    """A rendered report: its text (``None`` when it went to a file) and the files written."""

    text: str | None
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def open_registry(url: str) -> Database:
    """The registry at ``url`` for reading; :class:`NoRegistry` if it is missing or not migrated."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise NoRegistry(f"no registry database at {path}: start one with `dxs serve` or fill one with `dxs demo seed`")
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != head_revision():
        raise NoRegistry(f"the database is at revision {revision or 'none'}, not {head_revision()}: run `dxs registry migrate`")
    return Database(url, signer=None)  # reading needs no signer


def read_registry(url: str, reading: Callable[[Session], T]) -> T:
    """``reading`` in one read transaction of the registry at ``url`` (:class:`NoRegistry` if unusable), then closed."""
    db = open_registry(url)
    try:
        with db.transaction(write=False) as session:
            return reading(session)
    finally:
        db.dispose()


def compute(url: str, catalog: Catalog, *, period: Period, config: IndicatorConfig) -> tuple[IndicatorReport, Trend]:
    """The report for ``period`` and the trend from the catalog's first announcement up to it, at one checkpoint."""

    def reading(session: Session) -> tuple[IndicatorReport, Trend]:
        start = min(indicators.first_year(catalog, config) or period.year, period.year)
        trend = indicators.trend(session, catalog=catalog, years=range(start, period.year + 1), config=config, fiscal=period.fiscal)
        return trend.report(), trend

    return read_registry(url, reading)


def produce(
    url: str,
    catalog: Catalog,
    *,
    year: int | None,
    fiscal: bool,
    output_format: str,
    config: IndicatorConfig,
    output: Path | None = None,
    chart: Path | None = None,
    lang: str = "both",
) -> Produced:
    """Compute and render the indicators; write ``output`` and ``chart`` when named.

    ``html`` and ``pdf`` without ``output`` are written to ``indicators-<BE year>[-fiscal].html`` / ``.pdf``.

    :raises NoRegistry: no usable database.
    :raises PdfUnavailable: ``pdf`` on a machine without WeasyPrint's system libraries.
    :raises ValueError: a chart file that is neither .png nor .svg.
    """
    from . import render

    period = Period.of(year if year is not None else current_year(fiscal=fiscal), fiscal=fiscal)
    report, trend = compute(url, catalog, period=period, config=config)
    notes: list[str] = []
    written: list[Path] = []
    if chart is not None or output_format in ("html", "pdf"):
        from .charts import thai_font

        if thai_font() is None and lang != "en":
            notes.append("no Thai font is installed (e.g. apt-get install fonts-thai-tlwg): charts use English labels only")
    if output_format == "pdf":
        from .pdf import thai_font_note

        if (note := thai_font_note()) is not None:
            notes.append(note)
    if chart is not None:
        from .charts import save_chart

        save_chart(chart, trend, lang=lang)
        written.append(chart)
    if output_format == "table":
        text = render.report_table(report)
    elif output_format == "json":
        from .schemas import IndicatorReportRead, TrendRead

        document = IndicatorReportRead.of(report).model_dump(mode="json")
        document["trend"] = TrendRead.of(trend).model_dump(mode="json")["years"]
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    elif output_format == "csv":
        text = render.report_csv(report)
    elif output_format == "pdf":
        from .pdf import report_pdf

        output = output or Path(f"indicators-{period.be}{'-fiscal' if fiscal else ''}.pdf")
        output.write_bytes(report_pdf(report, trend, lang=lang, lang_note=" ".join(notes)))
        return Produced(None, (output, *written), tuple(notes))
    else:
        from .charts import chart_bytes

        charts = {kind: chart_bytes(kind, trend, fmt="svg", lang=lang).decode() for kind in ("indicator15", "indicator16", "trend16")}
        text = render.report_html(report, trend, charts=charts, lang_note=notes[0] if notes else "")
        output = output or Path(f"indicators-{period.be}{'-fiscal' if fiscal else ''}.html")
    if output is not None:
        output.write_text(text, encoding="utf-8")
        written.insert(0, output)
        return Produced(None, tuple(written), tuple(notes))
    return Produced(text, tuple(written), tuple(notes))


class ReportError(Exception):
    """The indicators cannot be computed or drawn as asked (a year outside the calendar)."""

    exit_code = 2  # a usage error of ``dxs report indicators``


def report_indicators(
    url: str,
    *,
    catalogs: Sequence[str] = (),
    config_file: str | Path | None = None,
    year: int | None,
    fiscal: bool,
    output_format: str,
    output: Path | None = None,
    chart: Path | None = None,
    lang: str = "both",
    publish: bool = False,
    replace: bool = False,
    log_key: Path | None = None,
) -> Produced:
    """:func:`produce` as ``dxs report indicators`` asks for it: the configuration read from
    ``config_file`` (default: the plan's values), then the catalog from ``catalogs`` (and
    ``DXS_CATALOG``, the bundled one). With ``publish``, the year's figures are first
    frozen in the log (:func:`publishing.publish_year`, signed with ``log_key``), so the
    report shows them as published.

    :raises IndicatorConfigError: the configuration file is unreadable or malformed.
    :raises DxsError: the catalog does not load.
    :raises NoRegistry: no usable database.
    :raises ReportError: what :func:`produce` refuses as a ``ValueError``.
    """
    from dxs.validator import catalog_folders, load_catalog

    config = IndicatorConfig.load(config_file)
    try:
        period = Period.of(year if year is not None else current_year(fiscal=fiscal), fiscal=fiscal)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    catalog = load_catalog(catalog_folders(catalogs))
    if publish:
        publish_year(url, catalog, period=period, config=config, log_key=log_key, replace=replace)
    try:
        return produce(url, catalog, year=year, fiscal=fiscal, output_format=output_format, config=config,
                       output=output, chart=chart, lang=lang)
    except ValueError as exc:
        raise ReportError(str(exc)) from None


def publish_year(
    url: str, catalog: Catalog, *, period: Period, config: IndicatorConfig, log_key: Path | None, replace: bool = False
) -> Publication:
    """Compute ``period``'s report at the latest checkpoint and publish it (``dxs report indicators --publish``).

    :raises NoRegistry: no usable database.
    :raises Conflict: the period was published already (without ``replace``).
    :raises Invalid: the period has not ended.
    """
    from ..services.callers import Caller
    from ..signing import load_or_create_signer
    from .publishing import publish

    open_registry(url).dispose()  # refuses a missing or unmigrated database with a clear message
    database = Database(url, signer=load_or_create_signer(log_key))
    try:
        with database.transaction(write=False) as session:
            report = indicators.report(session, catalog=catalog, period=period, config=config)
        with database.write() as tx:
            return publish(tx=tx, caller=Caller.system("cli"), report=report, replace=replace)
    finally:
        database.dispose()
