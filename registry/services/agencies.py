"""Agencies: the office registers them and keeps their names, sector, parent and status."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..api_models import AgencyCreate, AgencyUpdate
from ..errors import Conflict, Invalid, NotFound
from ..models import Agency
from ..times import utcnow
from ..unit_of_work import WriteTx, write_rule
from . import log
from .callers import Caller
from .logged_states import agency_state

__all__ = ["by_code", "codes_of", "create", "get", "list_agencies", "update"]


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


@write_rule(changes_callers=True)
def create(*, tx: WriteTx, caller: Caller, data: AgencyCreate) -> Agency:
    """Register an agency (office only); :class:`Conflict` if the code is taken."""
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    if by_code(session, data.code) is not None:
        raise Conflict(f"agency {data.code!r} is already registered", code="agency_exists")
    agency = Agency(
        code=data.code,
        name_th=data.name_th,
        name_en=data.name_en,
        sector=data.sector,
        parent_id=_parent_id(session, data.parent),
        status="active",
        created_at=utcnow(),
        log_seq=seq,
    )
    session.add(agency)
    session.flush()
    log.append(tx, actor=caller.actor, kind="agency.created", payload={"agency": agency_state(agency)})
    return agency


@write_rule(changes_callers=True)
def update(*, tx: WriteTx, caller: Caller, code: str, data: AgencyUpdate) -> Agency:
    """Change an agency's names, sector, parent or status (office only)."""
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    agency = get(session, code)
    changes = data.model_dump(exclude_unset=True)
    if "parent" in changes:
        agency.parent_id = _parent_id(session, changes.pop("parent"), agency.id)
    for field, value in changes.items():
        if value is None:
            raise Invalid(f"{field} cannot be emptied", code="invalid_request")
        setattr(agency, field, value)
    agency.log_seq = seq
    session.flush()
    log.append(tx, actor=caller.actor, kind="agency.changed", payload={"agency": agency_state(agency)})
    return agency


def list_agencies(
    session: Session,
    *,
    sector: str | None = None,
    status: str | None = None,
    parent: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Agency], int]:
    """Agencies by code, filtered; and how many match in all."""
    query = select(Agency)
    if sector:
        query = query.where(Agency.sector == sector)
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
