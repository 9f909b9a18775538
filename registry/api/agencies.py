"""Agencies and their API keys: the office administers, anyone reads the agency list.

Every write here changes who may write: the services declare it, and each is committed
alone (see :class:`registry.unit_of_work.WriteRule`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from sqlalchemy.orm import Session

from ..models import Agency, AgencySector, ApiKey
from ..api_models import AgencyCreate, AgencyRead, AgencyUpdate, KeyCreate, KeyCreated, KeyRead, Page, SectorSpan
from ..parties import KINDS, kind_name
from ..services import agencies, keys
from ..unit_of_work import WriteTx
from .deps import CallerDep, ItemId, Limit, Offset, SessionDep, WriterDep

router = APIRouter(prefix="/api/v1", tags=["agencies"])

ERRORS = {401: {"description": "No or bad API key"}, 403: {"description": "Not allowed for this caller"}}


def agency_read(agency: Agency, parent: str | None, sectors: list[AgencySector]) -> AgencyRead:
    kind = kind_name(agency.kind)
    return AgencyRead(
        code=agency.code,
        name_th=agency.name_th,
        name_en=agency.name_en,
        kind=agency.kind,
        kind_name_th=kind.th,
        kind_name_en=kind.en,
        government=kind.government,
        juristic_id=agency.juristic_id,
        sector=agency.sector,
        sectors=[SectorSpan(**span) for span in agencies.sector_spans(sectors)],
        registered_on=agency.registered_on,
        dissolved_on=agency.dissolved_on,
        parent=parent,
        status=agency.status,
        created_at=agency.created_at,
        log_seq=agency.log_seq,
    )


def one_agency_read(session: Session, agency: Agency) -> AgencyRead:
    """An agency as the API shows it, its parent's code and sector history read."""
    parent = agencies.codes_of(session, {agency.parent_id}).get(agency.parent_id or 0)
    return agency_read(agency, parent, agencies.history(session, agency.id))


def key_read(key: ApiKey, agency: str | None) -> KeyRead:
    return KeyRead(
        id=key.id,
        agency=agency,
        role=key.role,
        prefix=key.prefix,
        label=key.label,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
        log_seq=key.log_seq,
    )


@router.get("/agencies", response_model=Page[AgencyRead], responses={404: {"description": "No such parent agency"}, 422: {"description": "An unknown kind"}})
def list_agencies(
    session: SessionDep,
    sector: str | None = None,
    kind: Annotated[str | None, Query(description="A party kind: " + ", ".join(KINDS))] = None,
    status: Annotated[str | None, Query(pattern="^(active|inactive)$")] = None,
    parent: str | None = None,
    q: Annotated[str | None, Query(description="Part of the code or a name")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AgencyRead]:
    """Registered parties, by code (public)."""
    rows, total = agencies.list_agencies(
        session, sector=sector, kind=kind, status=status, parent=parent, q=q, limit=limit, offset=offset
    )
    codes = agencies.codes_of(session, {a.parent_id for a in rows})
    sectors = agencies.histories(session, (a.id for a in rows))
    items = [agency_read(a, codes.get(a.parent_id) if a.parent_id else None, sectors[a.id]) for a in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/agencies/{code}", response_model=AgencyRead, responses={404: {"description": "No such agency"}})
def get_agency(code: str, session: SessionDep) -> AgencyRead:
    return one_agency_read(session, agencies.get(session, code))


@router.post("/agencies", response_model=AgencyRead, status_code=status.HTTP_201_CREATED, responses={**ERRORS, 409: {"description": "The code is already registered"}})
async def create_agency(data: AgencyCreate, write: WriterDep) -> AgencyRead:
    """Register an agency (office only)."""
    return await write(agencies.create, data=data, answer=lambda tx, agency: one_agency_read(tx.session, agency))


@router.patch("/agencies/{code}", response_model=AgencyRead, responses=ERRORS)
async def update_agency(code: str, data: AgencyUpdate, write: WriterDep) -> AgencyRead:
    """Change an agency's names, kind, juristic ID, dates, sector (from ``sector_since``), parent or status (office only)."""
    return await write(agencies.update, code=code, data=data, answer=lambda tx, agency: one_agency_read(tx.session, agency))


@router.get("/agencies/{code}/keys", response_model=list[KeyRead], responses=ERRORS)
def list_keys(code: str, session: SessionDep, caller: CallerDep) -> list[KeyRead]:
    """An agency's keys, never their secrets (the office, or the agency itself)."""
    return [key_read(k, code) for k in keys.list_keys(session, caller=caller, agency_code=code)]


@router.post("/agencies/{code}/keys", response_model=KeyCreated, status_code=status.HTTP_201_CREATED, responses=ERRORS)
async def create_key(code: str, data: KeyCreate, write: WriterDep) -> KeyCreated:
    """Issue an API key for an agency (office only). The key is in this answer and nowhere else."""

    def answer(_tx: WriteTx, made: tuple[ApiKey, str]) -> KeyCreated:
        key, secret = made
        return KeyCreated(**key_read(key, code).model_dump(), key=secret)

    return await write(keys.create, agency_code=code, role=data.role, label=data.label, answer=answer)


@router.post("/keys/{key_id}/revoke", response_model=KeyRead, responses=ERRORS)
async def revoke_key(key_id: ItemId, write: WriterDep) -> KeyRead:
    """Revoke a key at once: the office any key, an agency its own."""

    def answer(tx: WriteTx, key: ApiKey) -> KeyRead:
        return key_read(key, agencies.codes_of(tx.session, {key.agency_id}).get(key.agency_id or 0))

    return await write(keys.revoke, key_id=key_id, answer=answer)
