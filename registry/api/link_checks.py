"""Impact and reality checks, for the standards office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ..api_models import LinkRead, UtcDateTime
from ..services import link_checks
from .deps import CallerDep, SessionDep
from .links import link_reads

router = APIRouter(prefix="/api/v1/checks", tags=["checks"])

ERRORS = {401: {"description": "No API key"}, 403: {"description": "Office only"}}


class ImpactRead(BaseModel):
    standard: str
    version: str | None
    links: int
    by_version: dict[str, int]
    items: list[LinkRead]


class SilentRead(BaseModel):
    link: LinkRead
    last_event: UtcDateTime | None


class OneSidedRead(BaseModel):
    link: LinkRead
    reported_by: str
    records: int
    messages: int


@router.get("/impact", response_model=ImpactRead, responses=ERRORS)
def impact(
    session: SessionDep, caller: CallerDep, standard: str, version: str | None = None
) -> ImpactRead:
    """Links not ended that use a standard (at a version): check before deprecating it."""
    found = link_checks.impact(session, caller=caller, standard=standard, version=version)
    by_version: dict[str, int] = {}
    for link in found:
        by_version[link.standard_version] = by_version.get(link.standard_version, 0) + 1
    return ImpactRead(standard=standard, version=version, links=len(found), by_version=by_version, items=link_reads(session, found))


@router.get("/silent-links", response_model=list[SilentRead], responses=ERRORS)
def silent_links(
    session: SessionDep, caller: CallerDep, days: Annotated[int, Query(ge=1, le=3650)] = 30
) -> list[SilentRead]:
    """Active links declared but with no event window ending in the last `days` days."""
    found = link_checks.silent_links(session, caller=caller, days=days)
    reads = link_reads(session, [f.link for f in found])
    return [SilentRead(link=r, last_event=f.last_event) for r, f in zip(reads, found, strict=True)]


@router.get("/one-sided", response_model=list[OneSidedRead], responses=ERRORS)
def one_sided(
    session: SessionDep,
    caller: CallerDep,
    since: Annotated[UtcDateTime | None, Query(description="Only windows ending after this time")] = None,
) -> list[OneSidedRead]:
    """Links whose events come from only one of the two parties."""
    found = link_checks.one_sided(session, caller=caller, since=since)
    reads = link_reads(session, [f.link for f in found])
    return [OneSidedRead(link=r, reported_by=f.side, records=f.records, messages=f.messages) for r, f in zip(reads, found, strict=True)]
