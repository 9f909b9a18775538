"""Exchange links and the events reported over them."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from ..times import to_utc
from ..errors import BatchTooLarge
from ..models import DOCUMENT_FORMATS, ExchangeLink
from ..api_models import (
    EVENT_BATCH_SCHEMA,
    LINK_CREATE_SCHEMA,
    EventBatchResult,
    EventRead,
    LinkChangeRead,
    LinkCreate,
    LinkRead,
    LinkUpdate,
    Page,
    UtcDateTime,
)

from ..services import agencies, events, links
from ..unit_of_work import WriteTx
from .deps import (
    ApiKeyHeader,
    AuthorizationHeader,
    CallerDep,
    CatalogDep,
    DatabaseDep,
    ItemId,
    Limit,
    Offset,
    SessionDep,
    WriterDep,
    checked_caller,
    json_body,
    request_body,
    writer_for,
)

router = APIRouter(prefix="/api/v1", tags=["links"])

ERRORS = {
    401: {"description": "No or bad API key"},
    403: {"description": "Not a party to the link"},
    404: {"description": "No such link that the caller may see"},
}
#: A batch of 10,000 records is about 3 MB of JSON; refuse far larger bodies unread.
MAX_BODY = 16 * 1024 * 1024


def link_read(r: ExchangeLink, codes: dict[int, str]) -> LinkRead:
    """A link as the API shows it; ``codes`` maps its parties' ids to their codes."""
    return LinkRead(
        id=r.id,
        provider=codes[r.provider_id],
        consumer=codes[r.consumer_id],
        standard=r.standard_id,
        version=r.standard_version,
        document_name=r.document_name,
        document_format=r.document_format,
        yearly_volume=r.yearly_volume,
        followed_standard=r.followed_standard,
        purpose=r.purpose,
        legal_basis=r.legal_basis,
        status=r.status,
        start_date=r.start_date,
        end_date=r.end_date,
        revision=r.revision,
        created_at=r.created_at,
        updated_at=r.updated_at,
        log_seq=r.log_seq,
    )


def link_reads(session: Session, rows: list[ExchangeLink]) -> list[LinkRead]:
    codes = agencies.codes_of(session, {r.provider_id for r in rows} | {r.consumer_id for r in rows})
    return [link_read(r, codes) for r in rows]


@router.get("/links", response_model=Page[LinkRead], responses=ERRORS)
def list_links(
    session: SessionDep,
    caller: CallerDep,
    status: Annotated[str | None, Query(pattern="^(active|suspended|ended)$")] = None,
    standard: Annotated[
        str | None, Query(description=f"Links under this catalog standard; `{links.NO_STANDARD}`: links declared without one")
    ] = None,
    version: str | None = None,
    document_format: Annotated[
        str | None,
        Query(pattern=f"^({'|'.join(DOCUMENT_FORMATS)})$", description="Links without a standard whose documents travel so"),
    ] = None,
    agency: Annotated[str | None, Query(description="Links with this agency as a party")] = None,
    side: Annotated[str | None, Query(pattern="^(provider|consumer)$", description="With `agency`: on this side")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[LinkRead]:
    """The links the caller is a party to (the office: all links)."""
    rows, total = links.list_links(
        session, caller=caller, status=status, standard=standard, version=version, document_format=document_format,
        agency=agency, side=side, limit=limit, offset=offset,
    )
    return Page(items=link_reads(session, list(rows)), total=total, limit=limit, offset=offset)


@router.post(
    "/links",
    response_model=LinkRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        **ERRORS,
        422: {
            "description": "Unknown agency or standard, a version not announced; both a standard and document fields, or "
            "neither; an empty document name, an unknown document format or a negative volume"
        },
    },
    openapi_extra=request_body(LINK_CREATE_SCHEMA),
)
async def declare_link(request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None) -> Response:
    """Declare a link; the caller must be its provider or its consumer.

    Under a catalog standard: `standard` and `version` (announced). For an exchange no catalog standard
    covers yet: `document_name` and `document_format`, optionally `yearly_volume` and `followed_standard`
    (a foreign or proprietary standard it follows) - never both kinds at once.
    """
    write = writer_for(request, authorization, x_api_key)
    data = await json_body(request, LinkCreate)
    catalog = request.app.state.catalog

    link: ExchangeLink = await write(links.declare, catalog=catalog, data=data)
    answer = link_read(link, {link.provider_id: data.provider, link.consumer_id: data.consumer})  # codes known: no query
    return Response(answer.model_dump_json(), status_code=status.HTTP_201_CREATED, media_type="application/json")


@router.get("/links/{link_id}", response_model=LinkRead, responses=ERRORS)
def get_link(link_id: ItemId, session: SessionDep, caller: CallerDep) -> LinkRead:
    return link_reads(session, [links.get(session, caller=caller, link_id=link_id)])[0]


@router.patch("/links/{link_id}", response_model=LinkRead, responses={**ERRORS, 409: {"description": "The link has ended"}})
async def change_link(link_id: ItemId, data: LinkUpdate, write: WriterDep, catalog: CatalogDep) -> LinkRead:
    """Change a link's version (under a standard) or document fields (without one), purpose, legal basis, status
    or end date; `status: ended` ends it for good."""

    def answer(tx: WriteTx, link: ExchangeLink) -> LinkRead:
        return link_reads(tx.session, [link])[0]

    return await write(links.change, catalog=catalog, link_id=link_id, data=data, answer=answer)


@router.get("/links/{link_id}/history", response_model=list[LinkChangeRead], responses=ERRORS)
def link_history(link_id: ItemId, session: SessionDep, caller: CallerDep) -> list[LinkChangeRead]:
    """Every revision of the link, oldest first, with the log entry that recorded it."""
    return [
        LinkChangeRead(
            revision=c.revision, change=c.change, actor=c.actor, changed_at=c.changed_at, state=json.loads(c.state), log_seq=c.log_seq
        )
        for c in links.history(session, caller=caller, link_id=link_id)
    ]


async def _raw_body(request: Request) -> bytes:
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise BatchTooLarge(f"the request body is larger than {MAX_BODY:,} bytes")
    return await request.body()


@router.post(
    "/links/{link_id}/events",
    response_model=EventBatchResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        **ERRORS,
        413: {"description": "More than 10,000 records"},
        422: {"description": "Invalid records, or an Idempotency-Key reused with another body"},
    },
    openapi_extra=request_body(EVENT_BATCH_SCHEMA),
)
async def send_events(
    link_id: ItemId,
    request: Request,
    body: Annotated[bytes, Depends(_raw_body)],
    write: WriterDep,
    database: DatabaseDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="Send the same key when retrying the same batch")
    ] = None,
) -> JSONResponse:
    """Report a batch of up to 10,000 event records; 201 only once the batch is committed.

    Records whose natural key (reporter, link, window start, window end, record id) is
    already stored are ignored and counted as `duplicates`. With an `Idempotency-Key`,
    a retry returns the stored answer (header `Idempotent-Replayed: true`).
    """
    def receive() -> tuple[events.PreparedBatch, str]:
        # the caller checked (a read: no lock; done before the body was read, see deps.check_key) before it is parsed or hashed
        checked_caller(request, write).require_agency()
        return events.parse_batch(body, postgres=database.postgres), events.request_hash(request.url.path, body)

    # in a worker thread, before the write: no lock is held meanwhile, and the event loop serves others
    prepared, fingerprint = await run_in_threadpool(receive)
    result: events.IngestResult = await write(
        events.ingest, link_id=link_id, batch=prepared, idempotency_key=idempotency_key, fingerprint=fingerprint
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


@router.get("/links/{link_id}/events", response_model=Page[EventRead], responses=ERRORS)
def list_events(
    link_id: ItemId,
    session: SessionDep,
    caller: CallerDep,
    reporter: Annotated[str | None, Query(description="Only records reported by this agency")] = None,
    since: Annotated[UtcDateTime | None, Query(description="Windows ending after this time")] = None,
    until: Annotated[UtcDateTime | None, Query(description="Windows starting before this time")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[EventRead]:
    """The event records of a link, oldest window first."""
    rows, total = events.list_events(
        session, caller=caller, link_id=link_id, reporter=reporter, since=since, until=until, limit=limit, offset=offset
    )
    items = [
        EventRead(
            record_id=e.record_id,
            reporter=code,
            side=e.side,
            window_start=to_utc(e.window_start),
            window_end=to_utc(e.window_end),
            messages=e.messages,
            bytes=e.bytes,
            succeeded=e.succeeded,
            failed=e.failed,
            valid=e.valid,
            invalid=e.invalid,
            received_at=to_utc(e.received_at),
        )
        for e, code in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)
