"""Publishing a year's indicators: the figures, definitions and configuration frozen in the signed log.

Once published, a year's figures are the published ones: :func:`indicators.report`
attaches the publication, and every rendering shows it, with the recomputed figure
beside it where the registry has changed since (a late registration, a corrected link),
never a new number in its place. Publishing a year again is refused unless asked for
(``replace``), and then the new entry names the one it supersedes; both stay in the log.
"""

from __future__ import annotations

import datetime as dt

from dxs.validator.years import BANGKOK

from ..errors import Conflict, Invalid
from ..services import log
from ..services.callers import Caller
from ..times import display_time
from ..unit_of_work import WriteTx, write_rule
from . import indicators
from .indicators import PUBLISHED_KIND, IndicatorReport, Publication

__all__ = ["publish"]


def _document(report: IndicatorReport) -> dict[str, object]:
    from .schemas import IndicatorReportRead

    document = IndicatorReportRead.of(report).model_dump(mode="json")
    document.pop("published", None)  # what is frozen is the figures themselves, not an earlier publication
    document.pop("revised", None)
    return document


@write_rule()
def publish(*, tx: WriteTx, caller: Caller, report: IndicatorReport, replace: bool = False,
            today: dt.date | None = None) -> Publication:
    """Record ``report``'s figures, definitions, configuration and provenance in the log (office only).

    :raises Invalid: the period has not ended yet (its figures can still move).
    :raises Conflict: the period was published already and ``replace`` is not set.
    """
    caller.require_office()
    period = report.period
    today = today or dt.datetime.now(BANGKOK).date()
    if period.end > today:
        raise Invalid(
            f"{period.label_en} runs until {period.end - dt.timedelta(days=1)}: publish a year once it has ended",
            code="period_not_ended",
        )
    tx.lock_log()
    earlier = indicators.publications(tx.session).get(period)
    if earlier is not None and not replace:
        raise Conflict(
            f"{period.label_en} was published on {display_time(earlier.published_at)} (log entry {earlier.seq}); "
            "its published figures stand — publish again only to replace them (--replace, replace=true)",
            code="already_published",
        )
    payload = {
        "period": {"ce": period.year, "be": period.be, "calendar": period.calendar},
        "supersedes": earlier.seq if earlier is not None else None,
        "report": _document(report),
    }
    seq = log.append(tx, actor=caller.actor, kind=PUBLISHED_KIND, payload=payload)
    publication = indicators.publications(tx.session).get(period)
    assert publication is not None and publication.seq == seq
    return publication

