"""Parties: the office registers them and keeps their names, kind, dates, sector history, parent and status.

A party exists on day ``d`` iff ``registered_on <= d`` and (``dissolved_on`` is null or
``d < dissolved_on``). Its sector history (:class:`AgencySector`) starts on
``registered_on`` and only grows at its end; ``Agency.sector`` is the latest sector in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxs.validator.years import BANGKOK

from ..api_models import AgencyCreate, AgencyUpdate
from ..errors import Conflict, Invalid, NotFound
from ..models import Agency, AgencySector
from ..parties import KINDS, PRIVATE_JURISTIC_PERSON, unknown_kind
from ..times import utcnow
from ..unit_of_work import WriteTx, write_rule
from . import log
from .callers import Caller
from .logged_states import agency_state

__all__ = ["by_code", "codes_of", "create", "get", "histories", "history", "list_agencies", "sector_spans", "today", "update"]

#: Fields an update may empty (null): the rest are refused as "cannot be emptied".
_EMPTIABLE = frozenset({"juristic_id", "dissolved_on", "parent"})


def today() -> dt.date:
    """Today in Bangkok: the default first day of a party and of a sector change."""
    return dt.datetime.now(BANGKOK).date()


def by_code(session: Session, code: str) -> Agency | None:
    return session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()


def get(session: Session, code: str) -> Agency:
    """The agency with ``code``; :class:`NotFound` if there is none."""
    agency = by_code(session, code)
    if agency is None:
        raise NotFound(f"no agency {code!r}", code="agency_not_found")
    return agency


def codes_of(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Agency id → code, for the ids given (to show codes, not ids, to callers)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(wanted))).all())


def _parent_id(session: Session, parent: str | None, own_id: int | None = None) -> int | None:
    if parent is None:
        return None
    found = by_code(session, parent)
    if found is None:
        raise Invalid(f"parent agency {parent!r} is not registered", code="unknown_agency")
    # walk up: an agency may not become its own ancestor
    seen, current = {own_id}, found
    while current is not None:
        if current.id in seen:
            raise Invalid(f"{parent!r} cannot be the parent: that would make a cycle", code="parent_cycle")
        seen.add(current.id)
        current = session.get(Agency, current.parent_id) if current.parent_id else None
    return found.id


def history(session: Session, agency_id: int) -> list[AgencySector]:
    """An agency's sector history, oldest first."""
    return list(session.execute(select(AgencySector).where(AgencySector.agency_id == agency_id).order_by(AgencySector.since)).scalars())


def histories(session: Session, ids: Iterable[int]) -> dict[int, list[AgencySector]]:
    """Agency id → its sector history (oldest first), for the ids given, in one query."""
    wanted = set(ids)
    found: dict[int, list[AgencySector]] = {i: [] for i in wanted}
    if wanted:
        query = select(AgencySector).where(AgencySector.agency_id.in_(wanted)).order_by(AgencySector.agency_id, AgencySector.since)
        for row in session.execute(query).scalars():
            found[row.agency_id].append(row)
    return found


def _check_party(kind: str, juristic_id: str | None) -> None:
    if kind == PRIVATE_JURISTIC_PERSON and juristic_id is None:
        raise Invalid(
            f"juristic_id: a {PRIVATE_JURISTIC_PERSON} must carry its 13-digit juristic person ID", code="juristic_id_required"
        )


def _check_dates(registered_on: dt.date, dissolved_on: dt.date | None, latest_since: dt.date | None = None) -> None:
    if dissolved_on is None:
        return
    if dissolved_on <= registered_on:
        raise Invalid(
            f"dissolved_on: {dissolved_on} is not after registered_on {registered_on} "
            "(it is the first day the party no longer exists)",
            code="invalid_dates",
        )
    if latest_since is not None and dissolved_on <= latest_since:
        raise Invalid(f"dissolved_on: {dissolved_on} is not after the sector change of {latest_since}", code="invalid_dates")


@write_rule(changes_callers=True)
def create(*, tx: WriteTx, caller: Caller, data: AgencyCreate) -> Agency:
    """Register a party (office only), with the first row of its sector history.

    :raises Conflict: the code is taken.
    :raises Invalid: no juristic ID for a private juristic person; dates out of order; an unknown parent.
    """
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    if by_code(session, data.code) is not None:
        raise Conflict(f"agency {data.code!r} is already registered", code="agency_exists")
    registered_on = data.registered_on or today()
    _check_party(data.kind, data.juristic_id)
    _check_dates(registered_on, data.dissolved_on)
    agency = Agency(
        code=data.code,
        name_th=data.name_th,
        name_en=data.name_en,
        sector=data.sector,
        kind=data.kind,
        juristic_id=data.juristic_id,
        registered_on=registered_on,
        dissolved_on=data.dissolved_on,
        parent_id=_parent_id(session, data.parent),
        status="active",
        created_at=utcnow(),
        log_seq=seq,
    )
    session.add(agency)
    session.flush()
    first = AgencySector(agency_id=agency.id, sector=data.sector, since=registered_on, log_seq=seq)
    session.add(first)
    session.flush()
    log.append(tx, actor=caller.actor, kind="agency.created", payload={"agency": agency_state(agency, [first])})
    return agency


@write_rule(changes_callers=True)
def update(*, tx: WriteTx, caller: Caller, code: str, data: AgencyUpdate) -> Agency:
    """Change a party's names, kind, juristic ID, dates, sector, parent or status (office only).

    A new ``sector`` applies from ``sector_since`` (default today in Bangkok): it is added
    to the history, or replaces the latest row when dated on its day. Everything is
    checked before anything is changed.

    :raises Invalid: a field emptied that cannot be; ``sector_since`` without ``sector``, before
        ``registered_on``, before the latest sector change or not before ``dissolved_on``;
        dates out of order; a private juristic person without a juristic ID; a parent cycle.
    """
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    agency = get(session, code)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in _EMPTIABLE and field != "sector_since":
            raise Invalid(f"{field} cannot be emptied", code="invalid_request")
    sector: str | None = changes.pop("sector", None)
    since: dt.date | None = changes.pop("sector_since", None)
    if since is not None and sector is None:
        raise Invalid("sector_since: give it with sector (it is the first day the new sector applies)", code="invalid_request")
    parent_id = _parent_id(session, changes.pop("parent"), agency.id) if "parent" in changes else agency.parent_id

    kind = changes.get("kind", agency.kind)
    juristic_id = changes.get("juristic_id", agency.juristic_id)
    registered_on = changes.get("registered_on", agency.registered_on)
    dissolved_on = changes.get("dissolved_on", agency.dissolved_on)
    _check_party(kind, juristic_id)

    rows = history(session, agency.id)
    if registered_on != agency.registered_on and len(rows) > 1 and registered_on >= rows[1].since:
        raise Invalid(
            f"registered_on: {registered_on} is not before the sector change of {rows[1].since}", code="invalid_dates"
        )
    plan = _sector_plan(rows, sector, since, registered_on, dissolved_on)
    _check_dates(registered_on, dissolved_on, plan.latest_since)

    # everything holds: change the rows
    for field, value in changes.items():
        setattr(agency, field, value)
    agency.parent_id = parent_id
    if rows and rows[0].since != registered_on:
        rows[0].since, rows[0].log_seq = registered_on, seq  # the history starts when the party does
    plan.apply(session, agency, rows, seq)
    agency.log_seq = seq
    session.flush()
    log.append(tx, actor=caller.actor, kind="agency.changed", payload={"agency": agency_state(agency, rows)})
    return agency


@dataclass(frozen=True, slots=True)
class _SectorPlan:
    """What a sector change does to the history: nothing, replace or drop the latest row, or append one.

    ``latest_since``: the day the latest sector applies from, once the plan is carried out.
    """

    action: Literal["none", "replace", "drop", "append"]
    latest_since: dt.date
    sector: str = ""
    since: dt.date | None = None

    def apply(self, session: Session, agency: Agency, rows: list[AgencySector], seq: int) -> None:
        if self.action == "replace":
            rows[-1].sector, rows[-1].log_seq = self.sector, seq
        elif self.action == "drop":  # dated on the latest change and back to the sector before it: the change is undone
            session.delete(rows.pop())
        elif self.action == "append":
            rows.append(AgencySector(agency_id=agency.id, sector=self.sector, since=self.since, log_seq=seq))
            session.add(rows[-1])
        session.flush()
        if rows:
            agency.sector = rows[-1].sector


def _sector_plan(
    rows: Sequence[AgencySector], sector: str | None, since: dt.date | None, registered_on: dt.date, dissolved_on: dt.date | None
) -> _SectorPlan:
    """How ``sector`` from ``since`` goes into the history ``rows``, whose first row starts on ``registered_on``.

    :raises Invalid: ``since`` is before ``registered_on`` or the latest change, or not before ``dissolved_on``.
    """
    latest_since = rows[-1].since if len(rows) > 1 else registered_on
    if sector is None:
        return _SectorPlan("none", latest_since)
    since = since or today()
    if since < registered_on:
        raise Invalid(f"sector_since: {since} is before registered_on {registered_on}", code="invalid_sector_since")
    if dissolved_on is not None and since >= dissolved_on:
        raise Invalid(f"sector_since: {since} is not before dissolved_on {dissolved_on}", code="invalid_sector_since")
    if not rows:  # only a party written behind the service has no history: start it
        return _SectorPlan("append", registered_on, sector, registered_on)
    if since < latest_since:
        raise Invalid(
            f"sector_since: {since} is before the latest sector change ({latest_since}); the history only grows at its end",
            code="invalid_sector_since",
        )
    if sector == rows[-1].sector:  # already the sector in force
        return _SectorPlan("none", latest_since)
    if since > latest_since:
        return _SectorPlan("append", since, sector, since)
    if len(rows) > 1 and rows[-2].sector == sector:
        return _SectorPlan("drop", rows[-2].since if len(rows) > 2 else registered_on)
    return _SectorPlan("replace", latest_since, sector, since)


def list_agencies(
    session: Session,
    *,
    sector: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Agency], int]:
    """Agencies by code, filtered; and how many match in all.

    :raises Invalid: ``kind`` is not a party kind (the message lists them).
    """
    query = select(Agency)
    if sector:
        query = query.where(Agency.sector == sector)
    if kind:
        if kind not in KINDS:
            raise Invalid(unknown_kind(kind), code="unknown_kind")
        query = query.where(Agency.kind == kind)
    if status:
        query = query.where(Agency.status == status)
    if parent:
        query = query.where(Agency.parent_id == get(session, parent).id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(Agency.code).like(like), func.lower(Agency.name_en).like(like), Agency.name_th.like(f"%{q}%"))
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Agency.code).limit(limit).offset(offset)).scalars().all()
    return rows, total


def sector_spans(rows: Sequence[AgencySector]) -> list[dict[str, Any]]:
    """A history as the API shows it: ``[{"sector", "since"}]``, oldest first."""
    return [{"sector": r.sector, "since": r.since} for r in sorted(rows, key=lambda r: r.since)]
