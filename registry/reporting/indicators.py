"""Indicators 15 and 16: the one module that owns the indicator queries.

Indicator 15 is counted from the catalog's register of announcements: each announced
standard (an announcement such as ขมธอ. 3-2560, however many document types and
versions it covers) once, in the year it was announced, if its kind counts.
Indicator 16 is counted as things stood in the period: the parties that existed then
(registered before its end, not dissolved before its start), in the sector their
history gave them, of a government kind, each counted in its unit (itself, or its
top-level ancestor). The links in force on a version that counted then, and whether each
side reported events over them with its own keys, come from one SQL statement per period
(the catalog supplies each version's counting window as a ``VALUES`` list, so the event
probes run in the database); the few thousand parties and links are then tallied here.
Links declared without a catalog standard never count; one more statement per period
finds them, and the units that exchange with other government parties only over such
links are reported beside the indicator (``no_standard_declared`` / ``no_standard_observed``).

Definitions, in words, are in :mod:`registry.reporting.definitions`; every figure is
returned with its as-of time and the log checkpoint it was computed at. Nothing here
renders: :mod:`registry.reporting.render`, ``charts`` and ``schemas`` take these results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, String, and_, case, column, exists, or_, select, values
from sqlalchemy.orm import Session

from dxs.validator import Catalog
from dxs.validator.announcements import first_day
from dxs.validator.catalog import ILLUSTRATIVE_LABEL, StandardVersion
from dxs.validator.sectors import sector_name
from dxs.validator.years import be_year, ce_year

from ..errors import Invalid
from ..models import Agency, AgencySector, ExchangeEvent, ExchangeLink, LogEntry, UtcTime
from ..parties import GOVERNMENT_KINDS
from ..services import log
from ..times import iso, local_midnight_utc, to_utc, utcnow
from .config import IndicatorConfig
from .periods import Period

__all__ = [
    "DEMO_KIND",
    "CountedAnnouncement",
    "Indicator15",
    "Indicator16",
    "IndicatorReport",
    "MissingAgency",
    "PUBLISHED_KIND",
    "Register",
    "Provenance",
    "Publication",
    "SectorDrillDown",
    "SectorFigure",
    "Trend",
    "counted_announcements",
    "counts_until",
    "drill_down",
    "first_year",
    "indicator15",
    "indicator16",
    "is_demo",
    "provenance",
    "publications",
    "read_register",
    "report",
    "standing_windows",
    "trend",
]

#: The log entry that marks a registry filled by ``dxs demo seed``.
DEMO_KIND = "demo.seeded"
#: The log entry that freezes a year's published figures (:mod:`registry.reporting.publishing`).
PUBLISHED_KIND = "indicators.published"


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
    """Indicator 16 for one key sector in one period (``sector == "national"``: all key sectors together).

    ``agencies`` / ``declared`` / ``observed`` count government counting units and their
    links with other government parties (government–government). ``g2b_declared`` /
    ``g2b_observed`` count the same units' links with private juristic persons or foreign
    parties (government–business, activity 4.3), reported beside the indicator, never in it.
    ``no_standard_declared`` / ``no_standard_observed`` count the units that exchange with
    other government parties only without a catalog standard (links declared without one):
    beside the indicator too, never in it.
    """

    sector: str
    agencies: int
    declared: int
    observed: int
    target: float
    g2b_declared: int = 0
    g2b_observed: int = 0
    #: units with a government–government link declared without a catalog standard in force in the period, and
    #: none under a standard that counted (not in ``declared``): exchanges a standard is still to be made for
    no_standard_declared: int = 0
    #: units that reported exchanges over such a link with their own keys, and were not observed under a common
    #: standard (not in ``observed``): ``observed + no_standard_observed`` units were seen exchanging at all
    no_standard_observed: int = 0
    #: catalog standards of the sector's observed links in the period (what is in use), sorted
    standards: tuple[str, ...] = ()

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
    def g2b_observed_rate(self) -> float | None:
        return self.g2b_observed / self.agencies if self.agencies else None

    @property
    def no_standard_observed_rate(self) -> float | None:
        return self.no_standard_observed / self.agencies if self.agencies else None

    @property
    def met(self) -> bool | None:
        rate = self.observed_rate
        return None if rate is None else rate >= self.target - 1e-12

    @property
    def counts(self) -> tuple[int, int, int]:
        """``(agencies, declared, observed)``: what a publication freezes and a revision is compared on."""
        return (self.agencies, self.declared, self.observed)


@dataclass(frozen=True, slots=True)
class Indicator16:
    period: Period
    sectors: tuple[SectorFigure, ...]
    #: private juristic persons and foreign parties with a counting link in the period
    private_parties: int = 0
    #: the counting unit in force (``agency`` or ``top-level``), see :class:`IndicatorConfig`
    unit: str = "agency"

    @property
    def national(self) -> SectorFigure:
        """All key sectors together: the national summary line (a unit counts in one sector only)."""
        fields = ("agencies", "declared", "observed", "g2b_declared", "g2b_observed", "no_standard_declared", "no_standard_observed")
        total = [sum(getattr(s, f) for s in self.sectors) for f in fields]
        target = min((s.target for s in self.sectors), default=0.8)
        standards = tuple(sorted({x for s in self.sectors for x in s.standards}))
        return SectorFigure(
            "national", *total[:3], target=target, g2b_declared=total[3], g2b_observed=total[4],
            no_standard_declared=total[5], no_standard_observed=total[6], standards=standards,
        )

    def sector(self, sector: str) -> SectorFigure:
        for figure in self.sectors:
            if figure.sector == sector:
                return figure
        raise KeyError(sector)

    @property
    def sectors_met(self) -> int:
        return sum(1 for s in self.sectors if s.met)


@dataclass(frozen=True, slots=True)
class Publication:
    """A year's figures as the office published them: frozen in the signed log (entry ``seq``).

    ``document`` is the whole published record (figures, definitions, configuration,
    provenance) as it stands in the log; the other fields are read from it.
    """

    seq: int
    published_at: dt.datetime
    actor: str
    period: Period
    indicator15: int
    #: sector (and ``national``) → ``(agencies, declared, observed)`` as published
    sectors: dict[str, tuple[int, int, int]]
    #: sector (and ``national``) → ``(g2b_declared, g2b_observed)`` as published
    g2b: dict[str, tuple[int, int]]
    log_size: int
    log_root: str | None
    document: dict[str, Any]
    #: sector (and ``national``) → ``(no_standard_declared, no_standard_observed)`` as published; publications
    #: made before these figures existed have none
    no_standard: dict[str, tuple[int, int]] = field(default_factory=dict)

    def sector(self, sector: str) -> tuple[int, int, int] | None:
        return self.sectors.get(sector)

    @classmethod
    def from_entry(cls, seq: int, created_at: dt.datetime, actor: str, payload: dict[str, Any]) -> Publication:
        """The publication a log entry of kind :data:`PUBLISHED_KIND` records."""
        doc = payload["report"]
        i16 = doc["indicator16"]
        rows = [*i16["sectors"], i16["national"]]
        period = doc["period"]
        checkpoint = doc["provenance"]["checkpoint"]
        return cls(
            seq=seq, published_at=created_at, actor=actor,
            period=Period(int(period["ce"]), period["calendar"] == "fiscal"),
            indicator15=int(doc["indicator15"]["headline"]),
            sectors={r["sector"]: (int(r["agencies"]), int(r["declared"]), int(r["observed"])) for r in rows},
            g2b={r["sector"]: (int(r["g2b_declared"]), int(r["g2b_observed"])) for r in rows},
            log_size=int(checkpoint["size"]), log_root=checkpoint["root"], document=doc,
            no_standard={
                r["sector"]: (int(r["no_standard_declared"]), int(r["no_standard_observed"]))
                for r in rows if "no_standard_declared" in r and "no_standard_observed" in r
            },
        )


@dataclass(frozen=True, slots=True)
class IndicatorReport:
    """Both indicators for one period, with provenance and the configuration used.

    ``indicator15`` / ``indicator16`` are always computed now. When the period was
    published, ``published`` holds the frozen figures: those are the year's figures, and
    the computed ones are shown beside them only where they differ (:attr:`revised`).
    """

    period: Period
    indicator15: Indicator15
    indicator16: Indicator16
    provenance: Provenance
    config: IndicatorConfig
    demo: bool = False
    published: Publication | None = None

    @property
    def headline16(self) -> Indicator16:
        """Indicator 16 as the year stands: the published counts where the year was published, else the computed ones."""
        p = self.published
        if p is None:
            return self.indicator16
        figures = tuple(
            dataclasses.replace(s, agencies=p.sectors[s.sector][0], declared=p.sectors[s.sector][1], observed=p.sectors[s.sector][2],
                                g2b_declared=p.g2b.get(s.sector, (s.g2b_declared, 0))[0], g2b_observed=p.g2b.get(s.sector, (0, s.g2b_observed))[1],
                                no_standard_declared=p.no_standard.get(s.sector, (s.no_standard_declared, 0))[0],
                                no_standard_observed=p.no_standard.get(s.sector, (0, s.no_standard_observed))[1])
            if s.sector in p.sectors else s
            for s in self.indicator16.sectors
        )
        return dataclasses.replace(self.indicator16, sectors=figures)

    @property
    def revised(self) -> bool:
        """Whether the registry changed behind a published figure (recomputed ≠ published)."""
        p = self.published
        if p is None:
            return False
        now = {s.sector: s.counts for s in (*self.indicator16.sectors, self.indicator16.national)}
        return p.indicator15 != self.indicator15.headline or any(now.get(k) != v for k, v in p.sectors.items())


@dataclass(frozen=True, slots=True)
class MissingAgency:
    code: str
    name_th: str
    name_en: str
    declared: bool  # has a link in force, but nothing was observed over it
    #: reported exchanges with another government party over a link without a catalog standard
    without_standard: bool = False


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
    #: each period's publication, if it was published (same order as ``periods``)
    published: tuple[Publication | None, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def headline16(self) -> tuple[Indicator16, ...]:
        """Indicator 16 for each period as it stands: published counts for published periods (what charts draw)."""
        return tuple(self.report(n).headline16 for n in range(len(self.periods)))

    def report(self, index: int = -1) -> IndicatorReport:
        """One period of the trend as a report (by default the last)."""
        published = self.published[index] if self.published else None
        return IndicatorReport(
            self.periods[index], self.indicator15[index], self.indicator16[index], self.provenance, self.config,
            self.demo, published,
        )


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


def publications(session: Session) -> dict[Period, Publication]:
    """Every published period, by period: the latest publication of each (a replaced one is superseded)."""
    entries = session.execute(
        select(LogEntry.seq, LogEntry.created_at, LogEntry.actor, LogEntry.payload)
        .where(LogEntry.kind == PUBLISHED_KIND)
        .order_by(LogEntry.seq)
    )
    found: dict[Period, Publication] = {}
    for seq, created_at, actor, payload in entries:
        publication = Publication.from_entry(seq, to_utc(created_at), actor, json.loads(payload))
        found[publication.period] = publication
    return found


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


def counts_until(version: StandardVersion, grace_days: int | None = None) -> dt.date | None:
    """The first day a link on ``version`` no longer counts (``None``: it still does).

    A deprecated version keeps counting — documents may still use it — until its
    sunset date (inclusive), or for ``grace_days`` after its deprecation when the office
    configures a grace period; without either, until it is retired. Retirement always
    ends it. A real version without dated history is taken at its status: deprecated
    from :attr:`StandardVersion.withdrawn_on`, retired the day after its sunset.
    """
    first = {s: min((h.date for h in version.history if h.status == s), default=None) for s in ("deprecated", "retired")}
    deprecated, retired = first["deprecated"], first["retired"]
    if deprecated is None and retired is None and version.status == "deprecated":
        deprecated = version.withdrawn_on
    elif deprecated is None and retired is None and version.status == "retired":
        retired = version.sunset + dt.timedelta(days=1) if version.sunset else version.withdrawn_on
    ends = [retired] if retired is not None else []
    if deprecated is not None:
        if grace_days is not None:
            ends.append(deprecated + dt.timedelta(days=grace_days))
        elif version.sunset is not None:
            ends.append(version.sunset + dt.timedelta(days=1))
    return min(ends) if ends else None


def standing_windows(
    catalog: Catalog, period: Period, grace_days: int | None = None
) -> list[tuple[str, str, dt.date, dt.date, dt.datetime, dt.datetime]]:
    """For each version a link could count on during ``period``: its id, version and the window ``[from, to)``.

    The window is the part of the period between the version's announcement
    (:meth:`Catalog.announced_on`) and the day it stops counting (:func:`counts_until`),
    as local dates and as UTC instants (Bangkok midnight).
    """
    rows = []
    for v in catalog.versions():
        since = catalog.announced_on(v)
        if not v.is_announced or since is None:
            continue
        start = max(since, period.start)
        end = min(counts_until(v, grace_days) or period.end, period.end)
        if start < end:
            rows.append((v.standard_id, v.version, start, end, local_midnight_utc(start), local_midnight_utc(end)))
    return rows


#: A link that counts in the period: provider id, consumer id, standard, and whether each side itself reported over it.
LinkEvidence = tuple[int, int, str, int, int]


def _link_evidence(session: Session, catalog: Catalog, period: Period, config: IndicatorConfig, *, log_size: int) -> Sequence[LinkEvidence]:
    """Every link in force during ``period`` on a version that counted then, with each side's own evidence.

    A side is observed when its own keys logged an event record with at least one
    message over the link, its window starting in the period while the version counted,
    and the record is covered by the checkpoint (``log_seq < log_size``), so the figure
    can be recomputed. One statement; each side's probe is an index seek on
    ``(link_id, reporter_id, window_start)`` that stops at the first hit.
    """
    windows = standing_windows(catalog, period, config.deprecated_grace_days)
    if not windows:
        return []
    w = values(
        column("n", Integer),
        column("standard_id", String),
        column("version", String),
        column("lo_day", Date),
        column("hi_day", Date),
        column("lo_ts", UtcTime),
        column("hi_ts", UtcTime),
        name="standing",
    ).data([(n, *row) for n, row in enumerate(windows)]).cte("standing")  # a CTE: SQLite has no column aliases on a derived VALUES table
    link = ExchangeLink.__table__
    event = ExchangeEvent.__table__

    def reported(by: Any) -> Any:
        return exists().where(
            event.c.link_id == link.c.id,
            event.c.reporter_id == by,
            event.c.window_start >= w.c.lo_ts,
            event.c.window_start < w.c.hi_ts,
            event.c.messages > 0,
            event.c.log_seq < log_size,
        )

    # narrow rows (four integers): a trend reads some 10,000 links a year
    query = (
        select(
            link.c.provider_id,
            link.c.consumer_id,
            w.c.n,
            case((reported(link.c.provider_id), 1), else_=0) + case((reported(link.c.consumer_id), 2), else_=0),
        )
        .select_from(link.join(w, and_(link.c.standard_id == w.c.standard_id, link.c.standard_version == w.c.version)))
        .where(link.c.start_date < w.c.hi_day, or_(link.c.end_date.is_(None), link.c.end_date >= w.c.lo_day))
    )
    standards = [row[0] for row in windows]
    return [(p, c, standards[n], seen & 1, seen & 2) for p, c, n, seen in session.execute(query)]


#: A link declared without a catalog standard, in force in the period: provider id, consumer id, and whether each
#: side itself reported over it (1: the provider, 2: the consumer).
StandardlessEvidence = tuple[int, int, int]


def _standardless_evidence(session: Session, period: Period, *, log_size: int) -> Sequence[StandardlessEvidence]:
    """Every link without a catalog standard in force during ``period``, with each side's own evidence.

    The same probes as :func:`_link_evidence`, over the whole period (no version's window to
    cut it to). One statement, reading only links with no standard (``standard_id IS NULL``,
    a seek on the links' standard index): a registry of links under standards pays nothing.
    """
    link = ExchangeLink.__table__
    event = ExchangeEvent.__table__
    lo_ts, hi_ts = local_midnight_utc(period.start), local_midnight_utc(period.end)

    def reported(by: Any) -> Any:
        return exists().where(
            event.c.link_id == link.c.id,
            event.c.reporter_id == by,
            event.c.window_start >= lo_ts,
            event.c.window_start < hi_ts,
            event.c.messages > 0,
            event.c.log_seq < log_size,
        )

    query = select(
        link.c.provider_id,
        link.c.consumer_id,
        case((reported(link.c.provider_id), 1), else_=0) + case((reported(link.c.consumer_id), 2), else_=0),
    ).where(
        link.c.standard_id.is_(None),
        link.c.start_date < period.end,
        or_(link.c.end_date.is_(None), link.c.end_date >= period.start),
    )
    return [(p, c, seen) for p, c, seen in session.execute(query)]


class _Party(NamedTuple):
    """A registered party as it stood in the period: its kind, its sector then, and the unit it counts in.

    A named tuple: a trend makes one per party and year, and tuples are the cheapest to make.
    """

    id: int
    code: str
    name_th: str
    name_en: str
    government: bool
    sector: str
    unit: int


@dataclass(frozen=True, slots=True)
class _Registered:
    """A party as registered: read once, then placed in each period by :meth:`Register.parties`."""

    id: int
    code: str
    name_th: str
    name_en: str
    government: bool
    parent: int | None
    registered_on: dt.date
    dissolved_on: dt.date | None
    #: its sector history, oldest first: ``(since, sector)``
    sectors: tuple[tuple[dt.date, str], ...]


@dataclass(frozen=True, slots=True)
class Register:
    """Every registered party with its dates and sector history: what indicator 16's denominator is made of.

    Read once (:func:`read_register`) and used for every period of a trend.
    """

    parties: tuple[_Registered, ...]

    def in_period(self, period: Period, unit: str) -> dict[int, _Party]:
        """Every party that existed during ``period`` (registered before its end, not dissolved before its start).

        Its sector is the one its history gave it on its last day in the period. With
        ``unit = "top-level"`` a party counts in its topmost ancestor (through ``parent``).
        """
        parent = {r.id: r.parent for r in self.parties}

        def top(agency_id: int) -> int:
            seen = {agency_id}
            while (up := parent.get(agency_id)) is not None and up not in seen:
                agency_id = up
                seen.add(up)
            return agency_id

        start, end, day = period.start, period.end, dt.timedelta(days=1)
        found: dict[int, _Party] = {}
        for r in self.parties:
            if r.registered_on >= end or (r.dissolved_on is not None and r.dissolved_on <= start):
                continue
            sector = r.sectors[-1][1] if r.sectors else ""
            if len(r.sectors) > 1:  # moved sector at some time: the one it had on its last day in the period
                last_day = (end if r.dissolved_on is None else min(end, r.dissolved_on)) - day
                sector = next((sector for since, sector in reversed(r.sectors) if since <= last_day), r.sectors[0][1])
            unit_id = top(r.id) if unit == "top-level" else r.id
            found[r.id] = _Party(r.id, r.code, r.name_th, r.name_en, r.government, sector, unit_id)
        return found


def read_register(session: Session) -> Register:
    """The registered parties and their sector histories, in two queries."""
    a = Agency.__table__
    history: dict[int, list[tuple[dt.date, str]]] = {}
    for agency_id, sector, since in session.execute(
        select(AgencySector.agency_id, AgencySector.sector, AgencySector.since).order_by(AgencySector.since)
    ):
        history.setdefault(agency_id, []).append((since, sector))
    rows = session.execute(
        select(a.c.id, a.c.code, a.c.name_th, a.c.name_en, a.c.kind, a.c.parent_id, a.c.registered_on, a.c.dissolved_on)
    )
    return Register(tuple(
        _Registered(i, code, th, en, kind in GOVERNMENT_KINDS, up, registered, dissolved, tuple(history.get(i, ())))
        for i, code, th, en, kind, up, registered, dissolved in rows
    ))


@dataclass(slots=True)
class _Tally:
    """Indicator 16's flags for the government units of one period, filled link by link."""

    units: dict[int, _Party]
    declared: set[int] = field(default_factory=set)
    observed: set[int] = field(default_factory=set)
    g2b_declared: set[int] = field(default_factory=set)
    g2b_observed: set[int] = field(default_factory=set)
    standards: dict[int, set[str]] = field(default_factory=dict)
    private: set[int] = field(default_factory=set)
    #: units party to a government–government link without a catalog standard, and observed over one
    no_standard_declared: set[int] = field(default_factory=set)
    no_standard_observed: set[int] = field(default_factory=set)


def _tally(register: Register, session: Session, catalog: Catalog, period: Period, config: IndicatorConfig, *, log_size: int) -> _Tally:
    """Each government counting unit of the period, and which of them declared and were observed (G2G and G2B)."""
    parties = register.in_period(period, config.unit_16)
    tally = _Tally({p.unit: parties[p.unit] for p in parties.values() if p.unit in parties and parties[p.unit].government})
    # per party: the unit it counts for (None: not a government unit of the period) and whether it is government
    role = {
        i: (p.unit if p.government and p.unit in tally.units else None, p.government) for i, p in parties.items()
    }
    for provider, consumer, standard, provider_observed, consumer_observed in _link_evidence(
        session, catalog, period, config, log_size=log_size
    ):
        a, b = role.get(provider), role.get(consumer)
        if a is None or b is None:
            continue  # a party that did not exist in the period
        for me, other, other_government, observed in ((a[0], consumer, b[1], provider_observed), (b[0], provider, a[1], consumer_observed)):
            if not other_government:
                tally.private.add(other)
            if me is None:
                continue
            (tally.declared if other_government else tally.g2b_declared).add(me)
            if observed:
                (tally.observed if other_government else tally.g2b_observed).add(me)
                tally.standards.setdefault(me, set()).add(standard)
    # links without a standard: never in the indicator; government–government ones are reported beside it
    for provider, consumer, seen in _standardless_evidence(session, period, log_size=log_size):
        a, b = role.get(provider), role.get(consumer)
        if a is None or b is None:
            continue
        for me, other_government, observed in ((a[0], b[1], seen & 1), (b[0], a[1], seen & 2)):
            if me is None or not other_government:
                continue
            tally.no_standard_declared.add(me)
            if observed:
                tally.no_standard_observed.add(me)
    return tally


def indicator16(
    session: Session, catalog: Catalog, period: Period, config: IndicatorConfig, *, log_size: int,
    register: Register | None = None,
) -> Indicator16:
    """Declared and observed shares of each key sector's government units, as things stood in ``period``.

    ``register``: the parties read once for several periods (:func:`read_register`).
    """
    tally = _tally(register or read_register(session), session, catalog, period, config, log_size=log_size)
    return _indicator16(tally, period, config)


def _indicator16(tally: _Tally, period: Period, config: IndicatorConfig) -> Indicator16:
    by_sector: dict[str, list[int]] = {}
    for unit, party in tally.units.items():
        by_sector.setdefault(party.sector, []).append(unit)
    figures = []
    for sector in config.key_sectors:
        mine = by_sector.get(sector, [])
        figures.append(
            SectorFigure(
                sector,
                agencies=len(mine),
                declared=sum(u in tally.declared for u in mine),
                observed=sum(u in tally.observed for u in mine),
                target=config.target_16_for(period.year, sector),
                g2b_declared=sum(u in tally.g2b_declared for u in mine),
                g2b_observed=sum(u in tally.g2b_observed for u in mine),
                # only without a standard: the units the indicator misses for want of one
                no_standard_declared=sum(u in tally.no_standard_declared and u not in tally.declared for u in mine),
                no_standard_observed=sum(u in tally.no_standard_observed and u not in tally.observed for u in mine),
                standards=tuple(sorted({x for u in mine for x in tally.standards.get(u, ())})),
            )
        )
    return Indicator16(period, tuple(figures), private_parties=len(tally.private), unit=config.unit_16)


def drill_down(
    session: Session, *, catalog: Catalog, period: Period, config: IndicatorConfig, sector: str
) -> SectorDrillDown:
    """A key sector's figure and its government units not yet observed exchanging, by code.

    :raises Invalid: ``sector`` is not a key sector.
    """
    if sector not in config.key_sectors:
        raise Invalid(
            f"{sector!r} is not a key sector (key sectors: {', '.join(config.key_sectors)})", code="not_a_key_sector"
        )
    prov = provenance(session)
    tally = _tally(read_register(session), session, catalog, period, config, log_size=prov.log_size)
    figure = _indicator16(tally, period, config).sector(sector)
    missing = tuple(
        MissingAgency(p.code, p.name_th, p.name_en, unit in tally.declared, unit in tally.no_standard_observed)
        for unit, p in sorted(tally.units.items(), key=lambda item: item[1].code)
        if p.sector == sector and unit not in tally.observed
    )
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
        published=publications(session).get(period),
    )


def trend(
    session: Session, *, catalog: Catalog, years: Iterable[int], config: IndicatorConfig, fiscal: bool = False
) -> Trend:
    """Both indicators for each of ``years`` (CE or BE), all at one checkpoint."""
    periods = tuple(Period.of(y, fiscal=fiscal) for y in years)
    if not periods:
        raise Invalid("no years to report", code="invalid_request")
    prov = provenance(session)
    published = publications(session)
    register = read_register(session)
    return Trend(
        periods=periods,
        indicator15=tuple(indicator15(catalog, p, config) for p in periods),
        indicator16=tuple(indicator16(session, catalog, p, config, log_size=prov.log_size, register=register) for p in periods),
        provenance=prov,
        config=config,
        demo=is_demo(session),
        published=tuple(published.get(p) for p in periods),
    )


def first_year(catalog: Catalog, config: IndicatorConfig | None = None) -> int | None:
    """The CE year of the first counted announcement (where a trend naturally starts)."""
    years = [ce_year(a.year_be) for a in counted_announcements(catalog, config or IndicatorConfig())]
    return min(years) if years else None

