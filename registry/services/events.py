"""Exchange events: batches of what crossed a link, stored whole and counted once.

Two guards make retries safe. An ``Idempotency-Key`` sent again with the same request
returns the stored answer (with another request it is refused). Independently, each
record has a natural key (reporting agency, link, window start, window end, record
id): a record whose key is already stored, or repeats within the batch, is ignored
and counted in the answer as a duplicate, so a late retry can never count twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..canonical import canonical_json, utcnow
from ..errors import BatchTooLarge, IdempotencyKeyReused, Invalid
from ..models import Agency, ExchangeEvent, IdempotencyRecord
from ..schemas import MAX_BATCH, EventBatch
from . import links, log
from .callers import Caller
from .snapshots import event_digest, event_row

__all__ = ["IngestResult", "ingest", "list_events", "request_hash"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The answer to a batch: its status, its body, and whether it was a stored replay."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(path: str, body: bytes) -> str:
    """What an ``Idempotency-Key`` is bound to: the target and the exact body."""
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


_COLUMNS = (
    "link_id", "reporter_id", "side", "record_id", "window_start", "window_end",
    "messages", "bytes", "succeeded", "failed", "valid", "invalid", "received_at", "log_seq",
)
_STORED = "window_start, window_end, record_id, messages, bytes, succeeded, failed, valid, invalid"


_ZERO = dt.timedelta(0)


def _sqlite_time(value: dt.datetime) -> str:
    """How SQLAlchemy stores a UTC time in SQLite, so raw and ORM writes read back alike."""
    if value.tzinfo is not None and value.utcoffset() != _ZERO:
        value = value.astimezone(dt.UTC)
    return value.isoformat(sep=" ", timespec="microseconds")[:26]  # without the "+00:00"


def _store(session: Session, rows: list[tuple[Any, ...]], seq: int) -> list[list[Any]]:
    """Insert ``rows`` (in ``_COLUMNS`` order), skipping natural-key conflicts; return those stored.

    This is the hot path, so it goes straight to the driver (executemany, no ORM
    objects, no per-value type processing); what was stored is read back by the
    log entry's ``log_seq``, so the digest covers exactly the rows in the database.
    """
    connection = session.connection()
    columns = ", ".join(_COLUMNS)
    if connection.dialect.name == "postgresql":
        marks = ", ".join("%s" for _ in _COLUMNS)
        sql = f"INSERT INTO exchange_events ({columns}) VALUES ({marks}) ON CONFLICT ON CONSTRAINT uq_exchange_events_natural_key DO NOTHING"
        select_sql = f"SELECT {_STORED} FROM exchange_events WHERE log_seq = %s"
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
        sql = f"INSERT INTO exchange_events ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        select_sql = f"SELECT {_STORED} FROM exchange_events WHERE log_seq = ?"
        received = _sqlite_time(rows[0][12]) if rows else ""
        rows = [(*r[:4], _sqlite_time(r[4]), _sqlite_time(r[5]), *r[6:12], received, r[13]) for r in rows]
    inserted = connection.exec_driver_sql(sql, rows).rowcount
    if inserted == len(rows):  # the usual case: nothing was a duplicate, so no need to read back
        return [event_row(*r[4:6], r[3], *r[6:12]) for r in rows]
    return [event_row(*stored) for stored in connection.exec_driver_sql(select_sql, (seq,))]


def ingest(
    session: Session,
    *,
    caller: Caller,
    link_id: int,
    batch: EventBatch,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> IngestResult:
    """Store a batch for ``link_id`` as reported by the caller's agency, whole or not at all.

    ``fingerprint`` (see :func:`request_hash`) identifies the request an
    ``idempotency_key`` was first used with.

    :raises Forbidden: the caller is not an agency.
    :raises NotFound: the link does not exist or the caller is not a party to it.
    :raises BatchTooLarge: more than ``MAX_BATCH`` records.
    :raises IdempotencyKeyReused: the key was used with a different request.
    """
    reporter_id = caller.require_agency()
    seq = log.next_seq(session)  # locks the log: concurrent retries of one key queue here
    if idempotency_key:
        earlier = session.get(IdempotencyRecord, (reporter_id, idempotency_key))
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    f"Idempotency-Key {idempotency_key!r} was already used with a different request"
                )
            return IngestResult(earlier.status_code, json.loads(earlier.response), replayed=True)
    if len(batch.records) > MAX_BATCH:
        raise BatchTooLarge(f"a batch holds at most {MAX_BATCH:,} records, not {len(batch.records):,}")
    link = links.get(session, caller=caller, link_id=link_id)
    side = links.side_of(link, reporter_id)
    assert side is not None  # links.get admits only parties (the office was refused above)

    for i, r in enumerate(batch.records):
        if r.window_end <= r.window_start:
            raise Invalid(f"records.{i}.window_end: must be after window_start", code="invalid_request")
    now = utcnow()
    rows = [
        (
            link.id, reporter_id, side, r.record_id, r.window_start, r.window_end,
            r.messages, r.bytes, r.succeeded, r.failed, r.valid, r.invalid, now, seq,
        )
        for r in batch.records
    ]
    # a record repeated inside the batch is a duplicate like any other
    stored = _store(session, rows, seq)
    received, accepted = len(batch.records), len(stored)
    reporter = caller.agency_code or str(reporter_id)
    log.append(
        session,
        actor=caller.actor,
        kind="events.ingested",
        payload={
            "link_id": link.id,
            "reporter_id": reporter_id,
            "side": side,
            "received": received,
            "accepted": accepted,
            "digest": event_digest(stored),
            "idempotency_key": idempotency_key,
        },
    )
    body = {
        "link_id": link.id,
        "reporter": reporter,
        "side": side,
        "received": received,
        "accepted": accepted,
        "duplicates": received - accepted,
        "log_seq": seq,
    }
    if idempotency_key:
        session.add(
            IdempotencyRecord(
                agency_id=reporter_id,
                key=idempotency_key,
                request_hash=fingerprint,
                status_code=201,
                response=canonical_json(body),
                created_at=now,
            )
        )
    return IngestResult(201, body)


def list_events(
    session: Session,
    *,
    caller: Caller,
    link_id: int,
    reporter: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[tuple[ExchangeEvent, str]], int]:
    """A link's events (for its parties and the office), oldest window first, with reporter codes."""
    link = links.get(session, caller=caller, link_id=link_id)
    query = select(ExchangeEvent, Agency.code).join(Agency, Agency.id == ExchangeEvent.reporter_id).where(
        ExchangeEvent.link_id == link.id
    )
    if reporter:
        query = query.where(Agency.code == reporter)
    if since:
        query = query.where(ExchangeEvent.window_end > since)
    if until:
        query = query.where(ExchangeEvent.window_start < until)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(ExchangeEvent.window_start, ExchangeEvent.id).limit(limit).offset(offset)
    ).all()
    return rows, total



def summary(session: Session, link_ids: Sequence[int]) -> dict[int, tuple[int, dt.datetime | None]]:
    """Link id → (records stored, end of the latest window), for the links given."""
    if not link_ids:
        return {}
    query = (
        select(ExchangeEvent.link_id, func.count(), func.max(ExchangeEvent.window_end))
        .where(ExchangeEvent.link_id.in_(link_ids))
        .group_by(ExchangeEvent.link_id)
    )
    return {link_id: (count, last) for link_id, count, last in session.execute(query)}
