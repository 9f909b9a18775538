"""Indicators 15 and 16: the one module that owns the indicator queries.

Indicator 15 is counted from the catalog's register of announcements: each announced
standard (an announcement such as ขมธอ. 3-2560, however many document types and
versions it covers) once, in the year it was announced, if its kind counts.
Indicator 16 is counted in SQL over the registry — links, events, agencies — with the
catalog supplying, for the period, the window in which each announced version stood
(from its announcement to its withdrawal), passed into the query as a ``VALUES`` list,
so that the counting over events runs in the database: one statement per period.

Definitions, in words, are in :mod:`registry.reporting.definitions`; every figure is
returned with its as-of time and the log checkpoint it was computed at. Nothing here
renders: :mod:`registry.reporting.render`, ``charts`` and ``schemas`` take these results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, String, and_, case, column, exists, func, literal, or_, select, union_all, values
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from validator import Catalog
from validator.announcements import first_day
from validator.catalog import ILLUSTRATIVE_LABEL
from validator.sectors import sector_name
from validator.years import be_year, ce_year

from ..errors import Invalid
from ..models import Agency, ExchangeEvent, ExchangeLink, LogEntry, UtcTime
from ..services import log
from ..times import iso, utcnow
from .config import IndicatorConfig
from .periods import Period, local_midnight_utc

__all__ = [
    "DEMO_KIND",
    "CountedAnnouncement",
    "Indicator15",
    "Indicator16",
    "IndicatorReport",
    "MissingAgency",
    "Provenance",
    "SectorDrillDown",
    "SectorFigure",
    "Trend",
    "counted_announcements",
    "drill_down",
    "first_year",
    "indicator15",
    "indicator16",
    "is_demo",
    "provenance",
    "report",
    "standing_windows",
    "trend",
]

#: The log entry that marks a registry filled by ``dxs demo seed``.
DEMO_KIND = "demo.seeded"


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class Provenance:
    """When a figure was computed, and the signed log checkpoint it was computed at."""

    as_of: dt.datetime
    log_size: int
    log_root: str | None
    checkpoint_time: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "checkpoint": {"size": self.log_size, "root": self.log_root, "time": iso(self.checkpoint_time)},
        }


@dataclass(frozen=True, slots=True)
class CountedAnnouncement:
    """An announcement indicator 15 counts: the register's row, and the catalog standards that implement it."""

    id: str
    label: str
    issuer: str
    kind: str  # data-structure | guideline
    title_th: str
    title_en: str
    #: the day (or month) of announcement as its source gives it, else ""
    announced: str
    year_be: int
    #: ``day``, ``month`` or ``year`` (only the year is known: from its number or source)
    precision: str
    #: ``new`` for a standard's first announcement, ``revision`` when it revises an earlier one
    count_as: str
    unverified: bool
    #: an illustrative standard's version counted on request, never an official fact
    illustrative: bool
    standards: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "issuer": self.issuer, "kind": self.kind,
            "title": {"th": self.title_th, "en": self.title_en}, "announced": self.announced or None,
            "year_be": self.year_be, "precision": self.precision, "count_as": self.count_as,
            "unverified": self.unverified, "illustrative": self.illustrative, "standards": list(self.standards),
        }


@dataclass(frozen=True, slots=True)
class Indicator15:
    period: Period
    new: int
    revisions: int
    target: int | None
    announcements: tuple[CountedAnnouncement, ...]
    #: the counting rule in force (kinds counted, illustrative included or not)
    rule: str = ""

    @property
    def headline(self) -> int:
        """Announcements counted: new standards plus announced revisions, each announcement once."""
        return self.new + self.revisions

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.headline >= self.target


@dataclass(frozen=True, slots=True)
class SectorFigure:
    """Indicator 16 for one key sector in one period."""

    sector: str
    agencies: int
    declared: int
    observed: int
    target: float

    @property
    def name_th(self) -> str:
        return sector_name(self.sector).th

    @property
    def name_en(self) -> str:
        return sector_name(self.sector).en

    @property
    def declared_rate(self) -> float | None:
        return self.declared / self.agencies if self.agencies else None

    @property
    def observed_rate(self) -> float | None:
        """The headline rate."""
        return self.observed / self.agencies if self.agencies else None

    @property
    def met(self) -> bool | None:
        rate = self.observed_rate
        return None if rate is None else rate >= self.target - 1e-12


@dataclass(frozen=True, slots=True)
class Indicator16:
    period: Period
    sectors: tuple[SectorFigure, ...]

    def sector(self, sector: str) -> SectorFigure:
        for figure in self.sectors:
            if figure.sector == sector:
                return figure
        raise KeyError(sector)

    @property
    def sectors_met(self) -> int:
        return sum(1 for s in self.sectors if s.met)


@dataclass(frozen=True, slots=True)
class IndicatorReport:
    """Both indicators for one period, with provenance and the configuration used."""

    period: Period
    indicator15: Indicator15
    indicator16: Indicator16
    provenance: Provenance
    config: IndicatorConfig
    demo: bool = False


@dataclass(frozen=True, slots=True)
class MissingAgency:
    code: str
    name_th: str
    name_en: str
    declared: bool  # has a link in force, but nothing was observed over it


@dataclass(frozen=True, slots=True)
class SectorDrillDown:
    """A key sector's figure and the agencies not yet exchanging (what the office acts on)."""

    period: Period
    figure: SectorFigure
    missing: tuple[MissingAgency, ...]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Trend:
    """Both indicators over a run of years, for the charts."""

    periods: tuple[Period, ...]
    indicator15: tuple[Indicator15, ...]
    indicator16: tuple[Indicator16, ...]
    provenance: Provenance
    config: IndicatorConfig
    demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- provenance


def provenance(session: Session) -> Provenance:
    """The latest signed checkpoint, read before any figure so that all are computed at it."""
    cp = log.latest_checkpoint(session)
    return Provenance(
        as_of=utcnow(),
        log_size=cp.size if cp is not None else 0,
        log_root=cp.root if cp is not None else None,
        checkpoint_time=cp.created_at if cp is not None else None,
    )


def is_demo(session: Session) -> bool:
    """Whether ``dxs demo seed`` filled this registry (it leaves a log entry saying so)."""
    return session.execute(select(LogEntry.seq).where(LogEntry.kind == DEMO_KIND).limit(1)).first() is not None


# --------------------------------------------------------------------------- indicator 15


def _falls_in(period: Period, announced: str, year_be: int) -> bool:
    """Whether an announcement dated ``announced`` (a day, a month, or only ``year_be``) falls in ``period``.

    A month counts by its first day. Known only by its year, an announcement counts in
    that calendar year, or in the fiscal year ending in it (it may in fact belong to the
    next one: such rows are marked ``precision = year``).
    """
    day = first_day(announced)
    return period.contains(day) if day is not None else period.year == ce_year(year_be)


def counted_announcements(catalog: Catalog, config: IndicatorConfig) -> list[CountedAnnouncement]:
    """Every announcement indicator 15 counts under ``config``'s rule, oldest first.

    The register's rows of the counted kinds, each once; with ``include_illustrative``,
    also each illustrative standard's announced major or minor version (marked so).
    """
    implementers: dict[str, list[str]] = {}
    revisions: set[str] = set()  # announcements that revise an earlier one of the same standard
    for standard in catalog:
        named = [catalog.register.find(v.announcement) for v in standard.versions if v.announcement]
        ids = [a.id for a in named if a is not None]
        for n, ident in enumerate(dict.fromkeys(ids)):
            name = standard.package or standard.id
            if name not in implementers.setdefault(ident, []):
                implementers[ident].append(name)
            if n:
                revisions.add(ident)
    found = [
        CountedAnnouncement(
            id=a.id, label=a.label, issuer=a.issuer, kind=a.kind, title_th=a.title_th, title_en=a.title_en,
            announced=a.announced, year_be=a.year_be, precision=a.precision,
            count_as="revision" if a.id in revisions else "new", unverified=a.unverified, illustrative=a.demo,
            standards=tuple(implementers.get(a.id, ())),
        )
        for a in catalog.register
        if a.kind in config.kinds_15 and a.year_be is not None and (config.include_illustrative_15 or not a.demo)
    ]
    if config.include_illustrative_15:
        for standard in catalog:
            if not standard.illustrative:
                continue
            counted = sorted((v for v in standard.versions if v.is_announced and v.announced), key=lambda v: v.semver)
            for n, v in enumerate(counted):
                if n and v.semver[2] > 0:
                    continue  # a patch is no new announcement
                assert v.announced is not None
                found.append(
                    CountedAnnouncement(
                        id=v.ref, label=f"{v.ref} ({ILLUSTRATIVE_LABEL})", issuer=standard.owner, kind="data-structure",
                        title_th=standard.title_th, title_en=standard.title_en, announced=v.announced.isoformat(),
                        year_be=be_year(v.announced), precision="day", count_as="revision" if n else "new",
                        unverified=False, illustrative=True, standards=(standard.id,),
                    )
                )
    return sorted(found, key=lambda a: (a.year_be, a.announced, a.label))


def indicator15(catalog: Catalog, period: Period, config: IndicatorConfig) -> Indicator15:
    """Announcements made in ``period`` under the configured counting rule: new standards and revisions."""
    counted = tuple(a for a in counted_announcements(catalog, config) if _falls_in(period, a.announced, a.year_be))
    new = sum(1 for a in counted if a.count_as == "new")
    return Indicator15(period, new, len(counted) - new, config.target_15(period.year), counted, config.rule_15)


# --------------------------------------------------------------------------- indicator 16


def standing_windows(catalog: Catalog, period: Period) -> list[tuple[str, str, dt.date, dt.date, dt.datetime, dt.datetime]]:
    """For each version that stood announced during ``period``: its id, version and the window ``[from, to)``.

    The window is the part of the period between the version's announcement
    (:meth:`Catalog.announced_on`) and its withdrawal (:attr:`StandardVersion.withdrawn_on`),
    as local dates and as UTC instants (Bangkok midnight).
    """
    rows = []
    for v in catalog.versions():
        since = catalog.announced_on(v)
        if not v.is_announced or since is None:
            continue
        start = max(since, period.start)
        end = min(v.withdrawn_on or period.end, period.end)
        if start < end:
            rows.append((v.standard_id, v.version, start, end, local_midnight_utc(start), local_midnight_utc(end)))
    return rows


def _party_rates(catalog: Catalog, period: Period, log_size: int) -> Select | None:
    """``(agency_id, observed)`` for every agency party to a link that counts in ``period``.

    ``observed`` is 1 when an event was logged over one of its counting links in the
    window, else 0. ``None`` when no version stood announced in the period.
    """
    windows = standing_windows(catalog, period)
    if not windows:
        return None
    w = values(
        column("standard_id", String),
        column("version", String),
        column("lo_day", Date),
        column("hi_day", Date),
        column("lo_ts", UtcTime),
        column("hi_ts", UtcTime),
        name="standing",
    ).data(windows).cte("standing")  # a CTE: SQLite has no column aliases on a derived VALUES table
    link = ExchangeLink.__table__
    event = ExchangeEvent.__table__
    # one index probe on (link_id, window_start) per candidate link; stops at the first hit
    seen = exists().where(
        event.c.link_id == link.c.id,
        event.c.window_start >= w.c.lo_ts,
        event.c.window_start < w.c.hi_ts,
        event.c.messages > 0,
        event.c.log_seq < log_size,  # only what the checkpoint covers, so the figure can be recomputed
    )
    counting = (
        select(link.c.provider_id, link.c.consumer_id, case((seen, 1), else_=0).label("observed"))
        .select_from(link.join(w, and_(link.c.standard_id == w.c.standard_id, link.c.standard_version == w.c.version)))
        .where(link.c.start_date < w.c.hi_day, or_(link.c.end_date.is_(None), link.c.end_date >= w.c.lo_day))
        .cte("counting")
    )
    parties = union_all(
        select(counting.c.provider_id.label("agency_id"), counting.c.observed),
        select(counting.c.consumer_id.label("agency_id"), counting.c.observed),
    ).subquery("parties")
    return select(parties.c.agency_id, func.max(parties.c.observed).label("observed")).group_by(parties.c.agency_id)


def indicator16(
    session: Session, catalog: Catalog, period: Period, config: IndicatorConfig, *, log_size: int
) -> Indicator16:
    """Declared and observed shares of each key sector's active agencies, in one SQL statement."""
    agency = Agency.__table__
    key = list(config.key_sectors)
    rates = _party_rates(catalog, period, log_size)
    if rates is None:
        query = select(agency.c.sector, func.count(), literal(0), literal(0))
    else:
        per_agency = rates.subquery("per_agency")
        query = select(
            agency.c.sector,
            func.count(),
            func.count(per_agency.c.agency_id),
            func.coalesce(func.sum(per_agency.c.observed), 0),
        ).select_from(agency.outerjoin(per_agency, per_agency.c.agency_id == agency.c.id))
    query = query.where(agency.c.status == "active", agency.c.sector.in_(key)).group_by(agency.c.sector)
    counts = {sector: (int(n), int(d), int(o)) for sector, n, d, o in session.execute(query)}
    figures = tuple(
        SectorFigure(sector, *counts.get(sector, (0, 0, 0)), target=config.target_16_for(period.year, sector))
        for sector in key
    )
    return Indicator16(period, figures)


def drill_down(
    session: Session, *, catalog: Catalog, period: Period, config: IndicatorConfig, sector: str
) -> SectorDrillDown:
    """A key sector's figure and its active agencies not yet observed exchanging, by code.

    :raises Invalid: ``sector`` is not a key sector.
    """
    if sector not in config.key_sectors:
        raise Invalid(
            f"{sector!r} is not a key sector (key sectors: {', '.join(config.key_sectors)})", code="not_a_key_sector"
        )
    prov = provenance(session)
    figure = indicator16(session, catalog, period, config, log_size=prov.log_size).sector(sector)
    agency = Agency.__table__
    rates = _party_rates(catalog, period, prov.log_size)
    if rates is None:
        query = select(agency.c.code, agency.c.name_th, agency.c.name_en, literal(False))
    else:
        per_agency = rates.subquery("per_agency")
        query = (
            select(agency.c.code, agency.c.name_th, agency.c.name_en, per_agency.c.agency_id.is_not(None))
            .select_from(agency.outerjoin(per_agency, per_agency.c.agency_id == agency.c.id))
            .where(or_(per_agency.c.observed.is_(None), per_agency.c.observed == 0))
        )
    query = query.where(agency.c.status == "active", agency.c.sector == sector).order_by(agency.c.code)
    missing = tuple(MissingAgency(code, th, en, bool(declared)) for code, th, en, declared in session.execute(query))
    return SectorDrillDown(period, figure, missing, prov)


# --------------------------------------------------------------------------- reports


def report(session: Session, *, catalog: Catalog, period: Period, config: IndicatorConfig) -> IndicatorReport:
    """Both indicators for ``period``, computed at the latest signed checkpoint."""
    prov = provenance(session)
    return IndicatorReport(
        period=period,
        indicator15=indicator15(catalog, period, config),
        indicator16=indicator16(session, catalog, period, config, log_size=prov.log_size),
        provenance=prov,
        config=config,
        demo=is_demo(session),
    )


def trend(
    session: Session, *, catalog: Catalog, years: Iterable[int], config: IndicatorConfig, fiscal: bool = False
) -> Trend:
    """Both indicators for each of ``years`` (CE or BE), all at one checkpoint."""
    periods = tuple(Period.of(y, fiscal=fiscal) for y in years)
    if not periods:
        raise Invalid("no years to report", code="invalid_request")
    prov = provenance(session)
    return Trend(
        periods=periods,
        indicator15=tuple(indicator15(catalog, p, config) for p in periods),
        indicator16=tuple(indicator16(session, catalog, p, config, log_size=prov.log_size) for p in periods),
        provenance=prov,
        config=config,
        demo=is_demo(session),
    )


def first_year(catalog: Catalog, config: IndicatorConfig | None = None) -> int | None:
    """The CE year of the first counted announcement (where a trend naturally starts)."""
    years = [ce_year(a.year_be) for a in counted_announcements(catalog, config or IndicatorConfig())]
    return min(years) if years else None

