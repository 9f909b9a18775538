"""The outbox of notices (an agency reads its own; the office reads all) and each agency's webhook."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ..api_models import Page, UtcDateTime
from ..models import NOTICE_KINDS, Notice, Webhook
from ..services import agencies, notices
from ..unit_of_work import WriteTx
from .deps import CallerDep, Limit, Offset, SessionDep, WriterDep

router = APIRouter(prefix="/api/v1", tags=["notices"])

ERRORS = {
    401: {"description": "No or bad API key"},
    403: {"description": "Not allowed for this caller (a webhook is an agency's own; an agency reads only its own notices)"},
    404: {"description": "No webhook registered, or no such agency"},
}


class WebhookPut(BaseModel):
    """Where the agency's notices are to be POSTed."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=notices.MAX_URL, description="https://… (plain http:// only to 127.0.0.1 or localhost, for tests)")


class WebhookRead(BaseModel):
    agency: str
    url: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
    log_seq: int


class LastAttempt(BaseModel):
    attempted_at: UtcDateTime
    url: str
    status_code: int | None
    error: str
    delivered: bool


class Delivery(BaseModel):
    """Where the notice's delivery stands (bookkeeping outside the log)."""

    delivered_at: UtcDateTime | None
    attempts: int
    next_attempt_at: UtcDateTime | None = Field(description="When it is tried next; none once delivered")
    last_attempt: LastAttempt | None


class NoticeRead(BaseModel):
    notice_id: str = Field(description="Stable across retries: de-duplicate by it")
    agency: str
    link_id: int
    kind: str = Field(description=" or ".join(NOTICE_KINDS))
    standard: str
    version: str
    deadline: dt.date
    migrate_to: str | None
    body: dict[str, Any] = Field(description="The notice exactly as it is delivered (its JSON body)")
    created_at: UtcDateTime
    log_seq: int
    delivery: Delivery


def _webhook_read(session: Session, w: Webhook) -> WebhookRead:
    code = agencies.codes_of(session, {w.agency_id})[w.agency_id]
    return WebhookRead(agency=code, url=w.url, created_at=w.created_at, updated_at=w.updated_at, log_seq=w.log_seq)


def _one_webhook(tx: WriteTx, w: Webhook) -> WebhookRead:
    return _webhook_read(tx.session, w)


def notice_reads(session: Session, rows: list[Notice]) -> list[NoticeRead]:
    codes = agencies.codes_of(session, {n.agency_id for n in rows})
    last = notices.last_attempts(session, (n.id for n in rows))
    reads = []
    for n in rows:
        attempt = last.get(n.id)
        reads.append(NoticeRead(
            notice_id=n.uid, agency=codes[n.agency_id], link_id=n.link_id, kind=n.kind, standard=n.standard_id, version=n.version,
            deadline=n.deadline, migrate_to=n.migrate_to, body=notices.body_of(n), created_at=n.created_at, log_seq=n.log_seq,
            delivery=Delivery(
                delivered_at=n.delivered_at, attempts=n.attempts, next_attempt_at=n.next_attempt_at,
                last_attempt=None if attempt is None else LastAttempt(
                    attempted_at=attempt.attempted_at, url=attempt.url, status_code=attempt.status_code, error=attempt.error,
                    delivered=attempt.delivered,
                ),
            ),
        ))
    return reads


@router.get("/notices", response_model=Page[NoticeRead], responses=ERRORS)
def list_notices(
    session: SessionDep,
    caller: CallerDep,
    agency: Annotated[str | None, Query(description="Office only: one agency's notices")] = None,
    delivered: Annotated[bool | None, Query(description="Only delivered (true) or undelivered (false) notices")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[NoticeRead]:
    """The caller's notices of deprecated and sunset versions, with where each one's delivery stands (the office: every agency's)."""
    rows, total = notices.list_notices(session, caller=caller, agency=agency, delivered=delivered, limit=limit, offset=offset)
    return Page(items=notice_reads(session, list(rows)), total=total, limit=limit, offset=offset)


@router.get("/webhook", response_model=WebhookRead, responses=ERRORS)
def get_webhook(session: SessionDep, caller: CallerDep) -> WebhookRead:
    """The webhook the caller's agency registered."""
    return _webhook_read(session, notices.get_webhook(session, caller=caller))


@router.put("/webhook", response_model=WebhookRead, responses={**ERRORS, 422: {"description": "Not an https:// address"}})
async def set_webhook(data: WebhookPut, write: WriterDep) -> WebhookRead:
    """Register or replace the caller's agency's webhook; notices waiting for it are sent at the next delivery pass."""
    return await write(notices.set_webhook, url=data.url, answer=_one_webhook)


@router.delete("/webhook", response_model=WebhookRead, responses=ERRORS)
async def remove_webhook(write: WriterDep) -> WebhookRead:
    """Remove the caller's agency's webhook (the one removed is answered); its notices wait in the outbox."""
    return await write(notices.remove_webhook, answer=_one_webhook)
