"""Requests for standards (agencies file and read their own; the office reads all) and the office's need groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..api_models import Page
from ..api_models_needs import (
    GroupLinkAdd,
    GroupRequestAdd,
    NeedGroupBrief,
    NeedGroupCreate,
    NeedGroupRead,
    NeedGroupUpdate,
    RequestCreate,
    RequestMerge,
    RequestRead,
    RequestUpdate,
)
from ..models import NEED_STATUSES, REQUEST_STATUSES, NeedGroup, StandardRequest
from ..services import agencies, needs
from ..unit_of_work import WriteTx
from .deps import CallerDep, CatalogDep, ItemId, Limit, Offset, SessionDep, WriterDep

router = APIRouter(prefix="/api/v1", tags=["requests for standards"])

ERRORS = {
    401: {"description": "No or bad API key"},
    403: {"description": "Not allowed for this caller (only the office merges, groups and sets statuses)"},
    404: {"description": "No such request or group that the caller may see"},
}
OFFICE_ERRORS = {**ERRORS, 409: {"description": "Already merged, or in another group"}, 422: {"description": "Breaks a status rule"}}


def request_reads(session: Session, rows: list[StandardRequest]) -> list[RequestRead]:
    """Requests as the API shows them: agency codes, lists, and the group each is in."""
    codes = agencies.codes_of(session, {r.agency_id for r in rows})
    group_ids = {r.group_id for r in rows if r.group_id is not None}
    query = select(NeedGroup).where(NeedGroup.id.in_(group_ids))
    groups = {g.id: g for g in session.execute(query).scalars()} if group_ids else {}
    return [
        RequestRead(
            id=r.id,
            agency=codes[r.agency_id],
            document_type=r.document_type,
            sectors=needs.listed(r.sectors),
            partners=needs.listed(r.partners),
            yearly_volume=r.yearly_volume,
            urgency=r.urgency,
            urgency_reason=r.urgency_reason,
            legal_driver=r.legal_driver,
            status=r.status,
            status_note=r.status_note,
            announced_as=r.announced_as,
            merged_into=r.merged_into_id,
            group=_brief(groups[r.group_id]) if r.group_id in groups else None,
            revision=r.revision,
            created_at=r.created_at,
            updated_at=r.updated_at,
            log_seq=r.log_seq,
        )
        for r in rows
    ]


def _brief(g: NeedGroup) -> NeedGroupBrief:
    return NeedGroupBrief(id=g.id, name_th=g.name_th, name_en=g.name_en, status=g.status, announced_as=g.announced_as)


def group_reads(session: Session, rows: list[NeedGroup]) -> list[NeedGroupRead]:
    found = needs.members(session, (g.id for g in rows))
    return [
        NeedGroupRead(
            id=g.id,
            name_th=g.name_th,
            name_en=g.name_en,
            priority=g.priority,
            status=g.status,
            status_note=g.status_note,
            announced_as=g.announced_as,
            requests=found[g.id].requests,
            links=found[g.id].links,
            revision=g.revision,
            created_at=g.created_at,
            updated_at=g.updated_at,
            log_seq=g.log_seq,
        )
        for g in rows
    ]


def _one_request(tx: WriteTx, r: StandardRequest) -> RequestRead:
    return request_reads(tx.session, [r])[0]


def _one_group(tx: WriteTx, g: NeedGroup) -> NeedGroupRead:
    return group_reads(tx.session, [g])[0]


# --------------------------------------------------------------------------- requests


@router.get("/requests", response_model=Page[RequestRead], responses=ERRORS)
def list_requests(
    session: SessionDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern=f"^({'|'.join(REQUEST_STATUSES)})$")] = None,
    group: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Only requests in this need group")] = None,
    agency: Annotated[str | None, Query(description="Office only: one agency's requests")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RequestRead]:
    """The caller's own requests for standards (the office: every agency's), oldest first."""
    rows, total = needs.list_requests(
        session, caller=caller, status=status, group_id=group, agency=agency, limit=limit, offset=offset
    )
    return Page(items=request_reads(session, list(rows)), total=total, limit=limit, offset=offset)


@router.post(
    "/requests",
    response_model=RequestRead,
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 422: {"description": "An unknown sector or partner, an empty document type, a volume below zero"}},
)
async def file_request(data: RequestCreate, write: WriterDep) -> RequestRead:
    """File a request for a standard the catalog does not have, for the caller's own agency."""
    return await write(needs.file_request, data=data, answer=_one_request)


@router.get("/requests/{request_id}", response_model=RequestRead, responses=ERRORS)
def get_request(request_id: ItemId, session: SessionDep, caller: CallerDep) -> RequestRead:
    return request_reads(session, [needs.get_request(session, caller=caller, request_id=request_id)])[0]


@router.patch("/requests/{request_id}", response_model=RequestRead, responses=OFFICE_ERRORS)
async def change_request(request_id: ItemId, data: RequestUpdate, write: WriterDep, catalog: CatalogDep) -> RequestRead:
    """Set a request's status (office): `announced` needs `announced_as`, `declined` a `status_note`."""
    return await write(needs.change_request, catalog=catalog, request_id=request_id, data=data, answer=_one_request)


@router.post("/requests/{request_id}/merge", response_model=RequestRead, responses=OFFICE_ERRORS)
async def merge_request(request_id: ItemId, data: RequestMerge, write: WriterDep) -> RequestRead:
    """Merge a duplicate request into another (office); it leaves its group and is counted through `into`."""
    return await write(needs.merge_request, request_id=request_id, into_id=data.into, answer=_one_request)


# --------------------------------------------------------------------------- need groups


@router.get("/need-groups", response_model=Page[NeedGroupRead], responses=ERRORS)
def list_groups(
    session: SessionDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern=f"^({'|'.join(NEED_STATUSES)})$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NeedGroupRead]:
    """The office's need groups, by priority (office only)."""
    rows, total = needs.list_groups(session, caller=caller, status=status, limit=limit, offset=offset)
    return Page(items=group_reads(session, list(rows)), total=total, limit=limit, offset=offset)


@router.post("/need-groups", response_model=NeedGroupRead, status_code=status.HTTP_201_CREATED, responses=OFFICE_ERRORS)
async def create_group(data: NeedGroupCreate, write: WriterDep, catalog: CatalogDep) -> NeedGroupRead:
    """Create a need group (office)."""
    return await write(needs.create_group, catalog=catalog, data=data, answer=_one_group)


@router.get("/need-groups/{group_id}", response_model=NeedGroupRead, responses=ERRORS)
def get_group(group_id: ItemId, session: SessionDep, caller: CallerDep) -> NeedGroupRead:
    return group_reads(session, [needs.get_group(session, caller=caller, group_id=group_id)])[0]


@router.patch("/need-groups/{group_id}", response_model=NeedGroupRead, responses=OFFICE_ERRORS)
async def change_group(group_id: ItemId, data: NeedGroupUpdate, write: WriterDep, catalog: CatalogDep) -> NeedGroupRead:
    """Change a need group's names, priority or status (office): `announced` needs `announced_as`, `declined` a `status_note`."""
    return await write(needs.change_group, catalog=catalog, group_id=group_id, data=data, answer=_one_group)


@router.post("/need-groups/{group_id}/requests", response_model=RequestRead, responses=OFFICE_ERRORS)
async def group_request(group_id: ItemId, data: GroupRequestAdd, write: WriterDep) -> RequestRead:
    """Put a request in the group (office); a request is in one group at most."""
    return await write(needs.group_request, group_id=group_id, request_id=data.request, answer=_one_request)


@router.delete("/need-groups/{group_id}/requests/{request_id}", response_model=RequestRead, responses=OFFICE_ERRORS)
async def ungroup_request(group_id: ItemId, request_id: ItemId, write: WriterDep) -> RequestRead:
    """Take a request out of the group (office)."""
    return await write(needs.ungroup_request, group_id=group_id, request_id=request_id, answer=_one_request)


@router.post("/need-groups/{group_id}/links", response_model=NeedGroupRead, responses=OFFICE_ERRORS)
async def add_link(group_id: ItemId, data: GroupLinkAdd, write: WriterDep) -> NeedGroupRead:
    """Put a link declared without a catalog standard in the group (office); a link is in one group at most."""
    return await write(needs.add_link, group_id=group_id, link_id=data.link, answer=_one_group)


@router.delete("/need-groups/{group_id}/links/{link_id}", response_model=NeedGroupRead, responses=OFFICE_ERRORS)
async def remove_link(group_id: ItemId, link_id: ItemId, write: WriterDep) -> NeedGroupRead:
    """Take a link out of the group (office)."""
    return await write(needs.remove_link, group_id=group_id, link_id=link_id, answer=_one_group)
