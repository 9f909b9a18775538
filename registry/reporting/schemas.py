"""Output shapes of the indicators (pydantic): what the API answers and ``--format json`` prints.

Each is built from a result of :mod:`registry.reporting.indicators` by its
``of`` class method; the definitions travel with every figure.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from dxs.validator.sectors import sector_name

from .config import IndicatorConfig
from .definitions import definitions
from ..times import iso
from .indicators import IndicatorReport, Indicator15, Indicator16, Provenance, Publication, SectorDrillDown, SectorFigure, Trend
from .percent import shown_rate
from .periods import Period

__all__ = ["DrillDownRead", "IndicatorReportRead", "PublicationRead", "TrendRead"]


class PeriodRead(BaseModel):
    ce: int
    be: int
    calendar: str = Field(description="`calendar` (January–December) or `fiscal` (October–September, named by its end)")
    start: str
    end: str = Field(description="The last day of the period")
    label_en: str
    label_th: str

    @classmethod
    def of(cls, period: Period) -> PeriodRead:
        return cls(**period.as_dict())  # type: ignore[arg-type]


class CheckpointRef(BaseModel):
    size: int = Field(description="Log entries covered; only events logged before it are counted")
    root: str | None = Field(description="Merkle root of the log at that size")
    time: str | None


class ProvenanceRead(BaseModel):
    as_of: str
    checkpoint: CheckpointRef

    @classmethod
    def of(cls, p: Provenance) -> ProvenanceRead:
        return cls(**p.as_dict())  # type: ignore[arg-type]


class AnnouncementRead(BaseModel):
    id: str = Field(description="The register entry's id")
    label: str = Field(description="Series and number as cited, e.g. ขมธอ. 3-2560")
    issuer: str
    kind: str = Field(description="`data-structure` or `guideline`")
    title: dict[str, str]
    announced: str | None = Field(description="Day or month of announcement where the source gives it")
    year_be: int
    precision: str = Field(description="`day`, `month` or `year` (only the year is known)")
    count_as: str = Field(description="`new` (a standard's first announcement) or `revision`")
    unverified: bool = Field(description="The register's source left part of the row unconfirmed")
    illustrative: bool = Field(description="An illustrative standard counted on request: never an official figure")
    standards: list[str] = Field(description="Catalog standards (or packages) that implement it")


class Indicator15Read(BaseModel):
    headline: int = Field(description="Announcements counted: new standards + announced revisions, each announcement once")
    new: int
    revisions: int
    target: int | None
    met: bool | None
    rule: str = Field(description="The counting rule in force")
    announcements: list[AnnouncementRead]

    @classmethod
    def of(cls, i: Indicator15) -> Indicator15Read:
        return cls(
            headline=i.headline, new=i.new, revisions=i.revisions, target=i.target, met=i.met, rule=i.rule,
            announcements=[AnnouncementRead(**a.as_dict()) for a in i.announcements],
        )


class SectorRead(BaseModel):
    sector: str = Field(description="A key sector's code, or `national` for all key sectors together")
    name_th: str
    name_en: str
    agencies: int = Field(description="Government counting units of the sector that existed in the period (the denominator)")
    declared: int = Field(description="Units party to a government–government link that counted in the period")
    observed: int = Field(description="Units that reported exchanges over such a link with their own keys (the headline)")
    declared_rate: float | None = Field(description="declared / agencies, as shown (see observed_rate)")
    observed_rate: float | None = Field(
        description="The headline: observed / agencies as every output shows it, to one decimal of a percent rounded "
        "half away from zero from the exact fraction (14/17 is 0.824: 82.4%)"
    )
    target: float
    met: bool | None
    g2b_declared: int = Field(description="Units party to a counting link with a private or foreign party (government–business)")
    g2b_observed: int = Field(description="Units that reported exchanges over such a link with their own keys")
    g2b_observed_rate: float | None = Field(description="g2b_observed / agencies, as shown (see observed_rate)")
    no_standard_declared: int = Field(
        description="Units with a government–government link declared without a catalog standard in force, and none under "
        "a counting standard (beside the indicator, never in it)"
    )
    no_standard_observed: int = Field(
        description="Units that reported exchanges over such a link with their own keys and were not observed under a common "
        "standard: observed + no_standard_observed units exchanged at all"
    )
    standards: list[str] = Field(description="Catalog standards of the units' observed links (what is in use)")

    @classmethod
    def of(cls, s: SectorFigure) -> SectorRead:
        names = ("ทุกสาขาสำคัญ (ระดับประเทศ)", "All key sectors (national)") if s.sector == "national" else (s.name_th, s.name_en)
        return cls(
            sector=s.sector, name_th=names[0], name_en=names[1], agencies=s.agencies, declared=s.declared,
            observed=s.observed, declared_rate=_round(s.declared_rate), observed_rate=_round(s.observed_rate),
            target=s.target, met=s.met, g2b_declared=s.g2b_declared, g2b_observed=s.g2b_observed,
            g2b_observed_rate=_round(s.g2b_observed_rate), no_standard_declared=s.no_standard_declared,
            no_standard_observed=s.no_standard_observed, standards=list(s.standards),
        )


class Indicator16Read(BaseModel):
    sectors: list[SectorRead]
    national: SectorRead = Field(description="All key sectors together (a unit counts in one sector only)")
    sectors_met: int
    private_parties: int = Field(description="Private juristic persons and foreign parties with a counting link")
    unit: str = Field(description="The counting unit: `agency` or `top-level` (units rolled up through their parent)")

    @classmethod
    def of(cls, i: Indicator16) -> Indicator16Read:
        return cls(
            sectors=[SectorRead.of(s) for s in i.sectors], national=SectorRead.of(i.national),
            sectors_met=i.sectors_met, private_parties=i.private_parties, unit=i.unit,
        )


class PublicationRead(BaseModel):
    """A year's figures as published: frozen in the signed log."""

    log_entry: int = Field(description="The log entry that records the publication (`GET /api/v1/log/entries`)")
    published_at: str
    actor: str
    indicator15: int
    sectors: dict[str, dict[str, int]] = Field(description="Sector (and `national`) → agencies, declared, observed as published")
    checkpoint: CheckpointRef = Field(description="The log checkpoint the published figures were computed at")

    @classmethod
    def of(cls, p: Publication) -> PublicationRead:
        return cls(
            log_entry=p.seq, published_at=iso(p.published_at) or "", actor=p.actor, indicator15=p.indicator15,
            sectors={k: {"agencies": a, "declared": d, "observed": o} for k, (a, d, o) in p.sectors.items()},
            checkpoint=CheckpointRef(size=p.log_size, root=p.log_root, time=p.document["provenance"]["checkpoint"].get("time")),
        )


class IndicatorReportRead(BaseModel):
    """Both indicators for one year, with their definitions and provenance."""

    period: PeriodRead
    indicator15: Indicator15Read
    indicator16: Indicator16Read
    provenance: ProvenanceRead
    definitions: dict[str, dict[str, str]]
    config: dict[str, object]
    demo: bool = Field(description="The registry holds demo data (`dxs demo seed`), not real figures")
    published: PublicationRead | None = Field(
        default=None, description="The year's figures as the office published them; they are the year's figures"
    )
    revised: bool = Field(
        default=False, description="The registry changed since publication: indicator15/indicator16 are the revised figures, not published"
    )

    @classmethod
    def of(cls, r: IndicatorReport) -> IndicatorReportRead:
        return cls(
            period=PeriodRead.of(r.period), indicator15=Indicator15Read.of(r.indicator15),
            indicator16=Indicator16Read.of(r.indicator16), provenance=ProvenanceRead.of(r.provenance),
            definitions=definitions(), config=r.config.as_dict(), demo=r.demo,
            published=PublicationRead.of(r.published) if r.published else None, revised=r.revised,
        )


class TrendYearRead(BaseModel):
    period: PeriodRead
    indicator15: Indicator15Read
    indicator16: Indicator16Read
    published: PublicationRead | None = None
    revised: bool = False


class TrendRead(BaseModel):
    """Both indicators year by year (the dashboard's charts)."""

    years: list[TrendYearRead]
    key_sectors: list[dict[str, str]]
    provenance: ProvenanceRead
    definitions: dict[str, dict[str, str]]
    config: dict[str, object]
    demo: bool

    @classmethod
    def of(cls, t: Trend) -> TrendRead:
        return cls(
            years=[_trend_year(t.report(n)) for n in range(len(t.periods))],
            key_sectors=[{"sector": s, "name_th": sector_name(s).th, "name_en": sector_name(s).en} for s in t.config.key_sectors],
            provenance=ProvenanceRead.of(t.provenance), definitions=definitions(), config=t.config.as_dict(), demo=t.demo,
        )


class MissingAgencyRead(BaseModel):
    code: str
    name_th: str
    name_en: str
    declared: bool = Field(description="Has a link in force, but no event was logged over it in the year")
    without_standard: bool = Field(
        default=False, description="Reported exchanges with another government party over a link without a catalog standard"
    )


class DrillDownRead(BaseModel):
    """A key sector's figure and the government units that existed in the period and were not observed exchanging."""

    period: PeriodRead
    sector: SectorRead
    missing: list[MissingAgencyRead]
    provenance: ProvenanceRead
    definitions: dict[str, dict[str, str]]

    @classmethod
    def of(cls, d: SectorDrillDown, config: IndicatorConfig | None = None) -> DrillDownRead:
        sector = SectorRead.of(d.figure)
        return cls(
            period=PeriodRead.of(d.period), sector=sector,
            missing=[
                MissingAgencyRead(code=m.code, name_th=m.name_th, name_en=m.name_en, declared=m.declared, without_standard=m.without_standard)
                for m in d.missing
            ],
            provenance=ProvenanceRead.of(d.provenance), definitions={"indicator16": definitions()["indicator16"]},
        )


def _trend_year(r: IndicatorReport) -> TrendYearRead:
    return TrendYearRead(
        period=PeriodRead.of(r.period), indicator15=Indicator15Read.of(r.indicator15),
        indicator16=Indicator16Read.of(r.indicator16),
        published=PublicationRead.of(r.published) if r.published else None, revised=r.revised,
    )


def _round(rate: float | None) -> float | None:
    """The rate as every output shows it (:func:`registry.reporting.percent.shown_rate`): 0.824 for 14/17."""
    return shown_rate(rate)
