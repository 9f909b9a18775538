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
from itertools import repeat
from operator import itemgetter
from typing import Any

import jsonschema_rs
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..canonical import canonical_json
from ..errors import BatchTooLarge, IdempotencyKeyReused, Invalid
from ..models import Agency, ExchangeEvent
from ..api_models import EVENT_BATCH_SCHEMA, MAX_BATCH, EventBatch
from ..statements import Statement
from ..times import UnreadableTime, stored_time, utc_column, utcnow, zulu_column
from ..unit_of_work import WriteTx, write_rule
from . import links, log
from .callers import Caller
from .logged_states import event_digest, event_row

#: Larger batches are committed alone, not with other writes waiting (which would wait for them).
SHARED_COMMIT_RECORDS = 1_000

__all__ = ["IngestResult", "PreparedBatch", "ingest", "list_events", "parse_batch", "prepare", "request_hash"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The answer to a batch: its status, its body, and whether it was a stored replay."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(path: str, body: bytes) -> str:
    """What an ``Idempotency-Key`` is bound to: the target and the exact body."""
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


_STORED = "window_start, window_end, record_id, messages, bytes, succeeded, failed, valid, invalid"
_EARLIER = Statement("SELECT request_hash, status_code, response FROM idempotency_records WHERE agency_id = :agency_id AND key = :key")
_REMEMBER = Statement(
    """INSERT INTO idempotency_records (agency_id, key, request_hash, status_code, response, created_at)
    VALUES (:agency_id, :key, :request_hash, :status_code, :response, :created_at)"""
)


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch checked and turned into what the driver and the digest take, before any lock is held."""

    params: list[tuple[Any, ...]]  # per record: record id, window start, window end, counts
    digest_rows: list[tuple[Any, ...]]  # per record, as the batch digest sees it


_BATCH_VALIDATOR = jsonschema_rs.Draft202012Validator(EVENT_BATCH_SCHEMA, validate_formats=True)


def parse_batch(body: bytes, *, postgres: bool) -> PreparedBatch:
    """Check a request body against the published batch schema and prepare it (pure: no database).

    What the API runs on every batch, instead of building a pydantic model of each record:
    orjson parses, jsonschema-rs checks the body against the very schema the OpenAPI
    document publishes (:data:`EVENT_BATCH_SCHEMA`, times included), and one pass turns
    each record into driver values and a digest row.

    :raises Invalid: not JSON, not the schema (the first problem, with its place), a time
        Python cannot hold (a leap second, year 0), or a window that does not end after it starts.
    :raises BatchTooLarge: more than ``MAX_BATCH`` records.
    """
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"the body is not JSON: {exc}", code="invalid_request") from None
    if not _BATCH_VALIDATOR.is_valid(document):
        error = next(iter(_BATCH_VALIDATOR.iter_errors(document)))
        where = ".".join(str(step) for step in error.instance_path)
        raise Invalid(f"{where}: {error.message}" if where else error.message, code="invalid_request")
    return _prepared(document["records"], postgres=postgres)


def prepare(batch: EventBatch, *, postgres: bool) -> PreparedBatch:
    """Prepare a batch already made into a model (the demo, tests) as :func:`parse_batch` does a body.

    :raises BatchTooLarge: more than ``MAX_BATCH`` records.
    :raises Invalid: a window does not end after it starts.
    """
    return _prepared(batch.model_dump(mode="json")["records"], postgres=postgres)


_COUNTS = ("messages", "bytes", "succeeded", "failed", "valid", "invalid")


def _times(records: list[dict[str, Any]], field: str) -> list[str]:
    try:
        return utc_column(list(map(itemgetter(field), records)))
    except UnreadableTime as exc:
        raise Invalid(f"records.{exc.index}.{field}: {exc}", code="invalid_request") from None


def _prepared(records: list[dict[str, Any]], *, postgres: bool) -> PreparedBatch:
    """The records (as JSON has them, checked by the schema) as driver values and as the digest sees them.

    Column by column, not record by record: each field is gathered once, the times of a
    column are rewritten together (:mod:`registry.times`), and the rows are zipped in C.
    SQLite takes the UTC text as SQLAlchemy writes it; PostgreSQL the same instant with a
    ``Z``, which the digest also uses.
    """
    if len(records) > MAX_BATCH:
        raise BatchTooLarge(f"a batch holds at most {MAX_BATCH:,} records, not {len(records):,}")
    starts, ends = _times(records, "window_start"), _times(records, "window_end")
    if not all(map(str.__lt__, starts, ends)):  # both UTC in one fixed format: text order is time order
        i = next(i for i, (start, end) in enumerate(zip(starts, ends)) if end <= start)
        raise Invalid(f"records.{i}.window_end: must be after window_start", code="invalid_request")
    counts = [list(map(itemgetter("messages"), records))]
    counts += (list(map(dict.get, records, repeat(name), repeat(0))) for name in _COUNTS[1:])  # r.get(name, 0), in C
    # JSON's 12.0 is an integer to the schema: stored and hashed as 12 (a float anywhere makes its column's sum one)
    counts = [[int(v) for v in column] if type(sum(column)) is float else column for column in counts]
    record_ids = list(map(itemgetter("record_id"), records))
    starts_z, ends_z = zulu_column(starts), zulu_column(ends)
    params = list(zip(record_ids, starts_z, ends_z, *counts)) if postgres else list(zip(record_ids, starts, ends, *counts))
    return PreparedBatch(params, list(zip(starts_z, ends_z, record_ids, *counts)))


_STORED_BY = Statement(f"SELECT {_STORED} FROM exchange_events WHERE log_seq = :seq")


def _store(
    tx: WriteTx,
    head: tuple[int, int, str, int],
    prepared: PreparedBatch,
    received_at: dt.datetime,
) -> Sequence[Sequence[Any]]:
    """Insert the prepared records, skipping natural-key conflicts; return the stored rows as the digest sees them.

    ``head`` is (link id, reporter id, side, log seq). Straight to the driver:
    executemany, no ORM objects, no per-value type processing. What was stored is read
    back by the log entry's ``log_seq`` only when some records were duplicates.
    """
    link_id, reporter_id, side, seq = head
    params, digest_rows = prepared.params, prepared.digest_rows
    # The columns every row shares are written into the statement once (integers and a
    # side from a fixed set, never caller text), not bound 10,000 times.
    assert side in ("provider", "consumer")
    shared = f"{int(link_id)}, {int(reporter_id)}, '{side}', {int(seq)}"
    columns = "link_id, reporter_id, side, log_seq, record_id, window_start, window_end, messages, bytes, succeeded, failed, valid, invalid, received_at"
    received = stored_time(received_at)  # the time this server took
    if tx.postgres:
        # times as "...Z" text: PostgreSQL reads them as timestamptz, unambiguously UTC
        sql = (
            f"INSERT INTO exchange_events ({columns}) VALUES ({shared}, %s, %s, %s, %s, %s, %s, %s, %s, %s, '{received}Z') "
            "ON CONFLICT ON CONSTRAINT uq_exchange_events_natural_key DO NOTHING"
        )
    else:
        sql = f"INSERT INTO exchange_events ({columns}) VALUES ({shared}, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{received}') ON CONFLICT DO NOTHING"
    inserted = tx.run_many(sql, params)
    if inserted == len(params):  # the usual case: nothing was a duplicate, so no need to read back
        return digest_rows
    return [event_row(*stored) for stored in tx.run(_STORED_BY, {"seq": seq}).fetchall()]


def _long_batch(*, batch: EventBatch | PreparedBatch, **_: Any) -> bool:
    """A batch long enough that the small writes waiting around it should not wait for it too."""
    return len(batch.params if isinstance(batch, PreparedBatch) else batch.records) > SHARED_COMMIT_RECORDS


@write_rule(runs_long=_long_batch)
def ingest(
    *,
    tx: WriteTx,
    caller: Caller,
    link_id: int,
    batch: EventBatch | PreparedBatch,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> IngestResult:
    """Store a batch for ``link_id`` as reported by the caller's agency, whole or not at all.

    ``fingerprint`` (see :func:`request_hash`) identifies the request an
    ``idempotency_key`` was first used with. The API passes a batch already
    :func:`prepare`-d, outside the transaction.

    :raises Forbidden: the caller is not an agency.
    :raises NotFound: the link does not exist or the caller is not a party to it.
    :raises BatchTooLarge: more than ``MAX_BATCH`` records.
    :raises IdempotencyKeyReused: the key was used with a different request.
    """
    reporter_id = caller.require_agency()
    prepared = batch if isinstance(batch, PreparedBatch) else prepare(batch, postgres=tx.postgres)
    seq = tx.lock_log()  # begins the write: locks the log, so concurrent retries of one key queue here
    if idempotency_key:
        earlier = tx.run(_EARLIER, {"agency_id": reporter_id, "key": idempotency_key}).fetchone()
        if earlier is not None:
            request_hash, status_code, response = earlier
            if request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    f"Idempotency-Key {idempotency_key!r} was already used with a different request"
                )
            return IngestResult(status_code, json.loads(response), replayed=True)
    side = links.reporting_side(tx=tx, caller=caller, link_id=link_id)

    now = utcnow()
    # a record repeated inside the batch is a duplicate like any other
    stored = _store(tx, (link_id, reporter_id, side, seq), prepared, now)
    received, accepted = len(prepared.params), len(stored)
    reporter = caller.agency_code or str(reporter_id)
    log.append(
        tx,
        actor=caller.actor,
        kind="events.ingested",
        payload={
            "link_id": link_id,
            "reporter_id": reporter_id,
            "side": side,
            "received": received,
            "accepted": accepted,
            "digest": event_digest(stored),
            "idempotency_key": idempotency_key,
        },
    )
    body = {
        "link_id": link_id,
        "reporter": reporter,
        "side": side,
        "received": received,
        "accepted": accepted,
        "duplicates": received - accepted,
        "log_seq": seq,
    }
    if idempotency_key:
        tx.run(
            _REMEMBER,
            {
                "agency_id": reporter_id,
                "key": idempotency_key,
                "request_hash": fingerprint,
                "status_code": 201,
                "response": canonical_json(body),
                "created_at": now,
            },
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
