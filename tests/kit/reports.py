"""Indicator reports built by hand (no database): what the renderings of the report are tested on.

:func:`sample_report` is fiscal year 2564 BE (1 October 2020 – 30 September 2021) with three
counted announcements (known to the day, to the month, only to the year) and three key
sectors; ``published=True`` adds the office's publication, and ``revised=True`` makes the
registry differ from it afterwards (health: 7 observed published, 9 now; indicator 15: 2 → 3).
"""

from __future__ import annotations

import datetime as dt

from dxs.registry.reporting.config import IndicatorConfig
from dxs.registry.reporting.indicators import (
    CountedAnnouncement,
    Indicator15,
    Indicator16,
    IndicatorReport,
    Provenance,
    Publication,
    SectorFigure,
    Trend,
)
from dxs.registry.reporting.periods import Period

PERIOD = Period(2021, fiscal=True)
CONFIG = IndicatorConfig(key_sectors=("finance", "health", "education"))
ROOT_HASH = "ab12" * 16
PUBLISHED_ROOT = "cd34" * 16


def _announcement(n: int, announced: str, precision: str, count_as: str) -> CountedAnnouncement:
    return CountedAnnouncement(
        id=f"test-{n}-2564", label=f"ขมธอ. {n}-2564", issuer="สพธอ. (ETDA)", kind="data-structure",
        title_th=f"มาตรฐานทดสอบฉบับที่ {n}", title_en=f"Test standard no. {n}", announced=announced, year_be=2564,
        precision=precision, count_as=count_as, unverified=precision == "year", illustrative=False,
        standards=(f"th.test.standard-{n}",),
    )


ANNOUNCEMENTS = (
    _announcement(21, "", "year", "new"),
    _announcement(14, "2021-03", "month", "revision"),
    _announcement(19, "2021-06-15", "day", "new"),
)


def _sectors(health_observed: int) -> tuple[SectorFigure, ...]:
    return (
        SectorFigure("finance", 10, 9, 8, 0.8, g2b_declared=4, g2b_observed=3, standards=("th.test.e-receipt", "th.test.permit")),
        SectorFigure("health", 12, 10, health_observed, 0.9, g2b_declared=2, g2b_observed=1, standards=("th.test.referral",)),
        SectorFigure("education", 8, 3, 2, 0.8),
    )


def sample_report(*, published: bool = False, revised: bool = False, demo: bool = False) -> IndicatorReport:
    """The report of fiscal 2564 BE; see the module's docstring for what ``published`` and ``revised`` change."""
    i15 = Indicator15(PERIOD, new=2, revisions=1 if revised else 0, target=10,
                      announcements=ANNOUNCEMENTS if revised else ANNOUNCEMENTS[::2], rule=CONFIG.rule_15)
    i16 = Indicator16(PERIOD, _sectors(9 if revised else 7), private_parties=5, unit="agency")
    publication = None
    if published:
        then = Indicator16(PERIOD, _sectors(7))
        sectors = {s.sector: s.counts for s in (*then.sectors, then.national)}
        g2b = {s.sector: (s.g2b_declared, s.g2b_observed) for s in (*then.sectors, then.national)}
        publication = Publication(
            seq=412, published_at=dt.datetime(2021, 11, 15, 3, 0, tzinfo=dt.UTC), actor="office:สำนักมาตรฐาน",
            period=PERIOD, indicator15=2, sectors=sectors, g2b=g2b, log_size=3900, log_root=PUBLISHED_ROOT, document={},
        )
    provenance = Provenance(as_of=dt.datetime(2022, 1, 10, 2, 30, tzinfo=dt.UTC), log_size=5120, log_root=ROOT_HASH,
                            checkpoint_time=dt.datetime(2022, 1, 10, 2, 0, tzinfo=dt.UTC))
    return IndicatorReport(PERIOD, i15, i16, provenance, CONFIG, demo=demo, published=publication)


def sample_trend(report: IndicatorReport) -> Trend:
    """A one-year trend holding ``report`` (what the charts are drawn from)."""
    return Trend((report.period,), (report.indicator15,), (report.indicator16,), report.provenance, report.config,
                 report.demo, (report.published,))
