"""Impact and reality checks: what declared links say against what is reported over them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxs.validator.years import BANGKOK

from ..models import ExchangeEvent, ExchangeLink
from ..times import to_utc, utcnow
from .callers import Caller

__all__ = ["OneSided", "SilentLink", "impact", "one_sided", "silent_links"]

IN_USE = ("active", "suspended")


def impact(session: Session, *, caller: Caller, standard: str, version: str | None = None) -> list[ExchangeLink]:
    """Links not ended that use ``standard`` (at ``version``): who is hit if it is deprecated."""
    caller.require_office()
    query = select(ExchangeLink).where(ExchangeLink.standard_id == standard, ExchangeLink.status.in_(IN_USE))
    if version:
        query = query.where(ExchangeLink.standard_version == version)
    return list(session.execute(query.order_by(ExchangeLink.standard_version, ExchangeLink.id)).scalars())


@dataclass(frozen=True, slots=True)
class SilentLink:
    link: ExchangeLink
    last_event: dt.datetime | None  # end of the latest reported window, by either side


def silent_links(session: Session, *, caller: Caller, days: int, now: dt.datetime | None = None) -> list[SilentLink]:
    """Active links in force for over ``days`` (by their ``start_date``) with no event window ending in the last ``days``.

    The start date, not the row's creation time: a link declared today for an exchange
    that started last year (or loaded by ``dxs demo seed``) is due to report all the same.
    """
    caller.require_office()
    cutoff = to_utc(now or utcnow()) - dt.timedelta(days=days)
    cutoff_day = cutoff.astimezone(BANGKOK).date()
    last = (
        select(ExchangeEvent.link_id, func.max(ExchangeEvent.window_end).label("last_end"))
        .group_by(ExchangeEvent.link_id)
        .subquery()
    )
    query = (
        select(ExchangeLink, last.c.last_end)
        .outerjoin(last, last.c.link_id == ExchangeLink.id)
        .where(ExchangeLink.status == "active", ExchangeLink.start_date < cutoff_day)
        .where((last.c.last_end.is_(None)) | (last.c.last_end < cutoff))
        .order_by(ExchangeLink.id)
    )
    return [SilentLink(link, last_end) for link, last_end in session.execute(query)]


@dataclass(frozen=True, slots=True)
class OneSided:
    link: ExchangeLink
    side: str  # the only side that reported
    records: int
    messages: int


def one_sided(session: Session, *, caller: Caller, since: dt.datetime | None = None) -> list[OneSided]:
    """Links whose events (windows ending after ``since``) come from only one of the two parties."""
    caller.require_office()
    query = select(
        ExchangeEvent.link_id,
        func.min(ExchangeEvent.side),
        func.count(func.distinct(ExchangeEvent.side)),
        func.count(),
        func.coalesce(func.sum(ExchangeEvent.messages), 0),
    ).group_by(ExchangeEvent.link_id)
    if since is not None:
        query = query.where(ExchangeEvent.window_end > to_utc(since))
    found = []
    for link_id, side, sides, records, messages in session.execute(query):
        if sides == 1:
            link = session.get(ExchangeLink, link_id)
            assert link is not None
            found.append(OneSided(link, side, records, int(messages)))
    return sorted(found, key=lambda f: f.link.id)
