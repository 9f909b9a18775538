"""Output shapes of the indicators (pydantic): what the API answers and ``--format json`` prints.

Each is built from a result of :mod:`registry.reporting.indicators` by its
``of`` class method; the definitions travel with every figure.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from validator.sectors import sector_name

from .config import IndicatorConfig
from .definitions import definitions
from .indicators import IndicatorReport, Indicator15, Indicator16, Provenance, SectorDrillDown, Trend
from .periods import Period

__all__ = ["DrillDownRead", "IndicatorReportRead", "TrendRead"]


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
    sector: str
    name_th: str
    name_en: str
    agencies: int = Field(description="Active agencies of the sector (the denominator)")
    declared: int
    observed: int
    declared_rate: float | None
    observed_rate: float | None = Field(description="The headline")
    target: float
    met: bool | None


class Indicator16Read(BaseModel):
    sectors: list[SectorRead]
    sectors_met: int

    @classmethod
    def of(cls, i: Indicator16) -> Indicator16Read:
        return cls(
            sectors=[
                SectorRead(
                    sector=s.sector, name_th=s.name_th, name_en=s.name_en, agencies=s.agencies, declared=s.declared,
                    observed=s.observed, declared_rate=_round(s.declared_rate), observed_rate=_round(s.observed_rate),
                    target=s.target, met=s.met,
                )
                for s in i.sectors
            ],
            sectors_met=i.sectors_met,
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

    @classmethod
    def of(cls, r: IndicatorReport) -> IndicatorReportRead:
        return cls(
            period=PeriodRead.of(r.period), indicator15=Indicator15Read.of(r.indicator15),
            indicator16=Indicator16Read.of(r.indicator16), provenance=ProvenanceRead.of(r.provenance),
            definitions=definitions(), config=r.config.as_dict(), demo=r.demo,
        )


class TrendYearRead(BaseModel):
    period: PeriodRead
    indicator15: Indicator15Read
    indicator16: Indicator16Read


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
            years=[
                TrendYearRead(period=PeriodRead.of(p), indicator15=Indicator15Read.of(a), indicator16=Indicator16Read.of(b))
                for p, a, b in zip(t.periods, t.indicator15, t.indicator16, strict=True)
            ],
            key_sectors=[{"sector": s, "name_th": sector_name(s).th, "name_en": sector_name(s).en} for s in t.config.key_sectors],
            provenance=ProvenanceRead.of(t.provenance), definitions=definitions(), config=t.config.as_dict(), demo=t.demo,
        )


class MissingAgencyRead(BaseModel):
    code: str
    name_th: str
    name_en: str
    declared: bool = Field(description="Has a link in force, but no event was logged over it in the year")


class DrillDownRead(BaseModel):
    """A key sector's figure and the active agencies not yet observed exchanging."""

    period: PeriodRead
    sector: SectorRead
    missing: list[MissingAgencyRead]
    provenance: ProvenanceRead
    definitions: dict[str, dict[str, str]]

    @classmethod
    def of(cls, d: SectorDrillDown, config: IndicatorConfig | None = None) -> DrillDownRead:
        sector = Indicator16Read.of(Indicator16(d.period, (d.figure,))).sectors[0]
        return cls(
            period=PeriodRead.of(d.period), sector=sector,
            missing=[MissingAgencyRead(code=m.code, name_th=m.name_th, name_en=m.name_en, declared=m.declared) for m in d.missing],
            provenance=ProvenanceRead.of(d.provenance), definitions={"indicator16": definitions()["indicator16"]},
        )


def _round(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)
