"""Exchange events: batches of what crossed a link, stored whole and counted once.

Two guards make retries safe. An ``Idempotency-Key`` sent again with the same request
returns the stored answer (with another request it is refused). Independently, each
record has a natural key (reporting agency, link, window start, window end, record
id): a record whose key is already stored, or repeats within the batch, is ignored
and counted in the answer as a duplicate, so a late retry can never count twice.

A record that cannot count is refused, and with it the whole batch (nothing stored, no
log entry), each such record named by its place and id (:class:`RecordsRefused`): its
outcomes must fit in its messages (checked as the body is parsed, before any lock), and
its window must lie within the link's period (checked in the write, against the link as
it stands then): from Bangkok midnight of the link's ``start_date`` to Bangkok midnight
after its ``end_date``. A window that straddles either edge is refused too — it would
count traffic from outside the link's life; the sender splits it at the edge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, gt, itemgetter
from typing import Any

import jsonschema_rs
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session


from ..canonical import canonical_json
from ..errors import BatchTooLarge, IdempotencyKeyReused, Invalid
from ..models import Agency, ExchangeEvent
from ..api_models import EVENT_BATCH_SCHEMA, MAX_BATCH, EventBatch, count_problems
from ..statements import Statement
from ..times import UnreadableTime, iso, local_midnight_utc, stored_time, utc_column, utcnow, zulu_column
from ..unit_of_work import WriteTx, write_rule
from . import links, log
from .callers import Caller
from .logged_states import event_digest, event_row

#: Larger batches are committed alone, not with other writes waiting (which would wait for them).
SHARED_COMMIT_RECORDS = 1_000

#: The most refused records one answer names (the others are counted): a batch of 10,000 bad records is not a 1 MB message.
NAMED_REFUSALS = 50

__all__ = [
    "IngestResult", "PreparedBatch", "RecordsRefused", "RefusedRecord", "ingest", "list_events", "parse_batch", "prepare",
    "request_hash",
]


@dataclass(frozen=True, slots=True)
class RefusedRecord:
    """A record that cannot count: its place in the batch, its ``record_id``, the field at fault
    (``None``: the record as a whole) and why."""

    index: int
    record_id: str
    field: str | None
    reason: str

    @property
    def location(self) -> str:
        """Where, as validation errors say it: ``records.3.window_start``."""
        return f"records.{self.index}" + (f".{self.field}" if self.field else "")

    def __str__(self) -> str:
        return f"{self.location} (record_id {self.record_id!r}): {self.reason}"


class RecordsRefused(Invalid):
    """Records of a batch that cannot count (422): the batch is refused whole.

    ``refused`` holds every one; the message names the first :data:`NAMED_REFUSALS`, each as
    ``records.<index>[.<field>] (record_id '<id>'): <reason>``, and counts the rest.
    """

    def __init__(self, refused: Sequence[RefusedRecord], *, code: str) -> None:
        self.refused = tuple(refused)
        named = "; ".join(map(str, self.refused[:NAMED_REFUSALS]))
        if len(self.refused) > 1:
            more = len(self.refused) - NAMED_REFUSALS
            named = f"{len(self.refused):,} records cannot count: {named}" + (f"; and {more:,} more" if more > 0 else "")
        super().__init__(named, code=code)


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
    span: tuple[str, str] = ("", "")  # the earliest window start and the latest window end, as the digest spells them


_BATCH_VALIDATOR = jsonschema_rs.Draft202012Validator(EVENT_BATCH_SCHEMA, validate_formats=True)


def parse_batch(body: bytes, *, postgres: bool) -> PreparedBatch:
    """Check a request body against the published batch schema and prepare it (pure: no database).

    What the API runs on every batch, instead of building a pydantic model of each record:
    orjson parses, jsonschema-rs checks the body against the very schema the OpenAPI
    document publishes (:data:`EVENT_BATCH_SCHEMA`, times included), and one pass turns
    each record into driver values and a digest row.

    :raises Invalid: not JSON, not the schema (the first problem, with its place), a time
        Python cannot hold (a leap second, year 0), or a window that does not end after it starts.
    :raises RecordsRefused: records whose outcomes do not fit in their messages (each one named).
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
    :raises RecordsRefused: records whose outcomes do not fit in their messages (``model_construct``-ed
        records are not checked by their model).
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
    refused = _count_refusals(record_ids, counts)
    if refused:
        raise RecordsRefused(refused, code="invalid_request")
    starts_z, ends_z = zulu_column(starts), zulu_column(ends)
    params = list(zip(record_ids, starts_z, ends_z, *counts)) if postgres else list(zip(record_ids, starts, ends, *counts))
    span = (min(starts_z), max(ends_z)) if records else ("", "")
    return PreparedBatch(params, list(zip(starts_z, ends_z, record_ids, *counts)), span)


def _count_refusals(record_ids: list[str], counts: list[list[int]]) -> list[RefusedRecord]:
    """The records whose outcomes do not fit in their messages (:func:`registry.api_models.count_problems`).

    Column by column first (in C): nearly every batch is fine, and is not walked record by record.
    """
    messages, _, succeeded, failed, valid, invalid = counts
    if not (any(map(gt, map(add, succeeded, failed), messages)) or any(map(gt, map(add, valid, invalid), messages))):
        return []
    return [
        RefusedRecord(i, record_ids[i], None, "; ".join(problems))
        for i, row in enumerate(zip(messages, succeeded, failed, valid, invalid))
        if (problems := count_problems(*row))
    ]


_PERIOD_OF = Statement("SELECT start_date, end_date FROM exchange_links WHERE id = :id")


def _day(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite's driver answers text


def _bangkok_midnight(day: dt.date) -> str:
    """Midnight at the start of ``day`` in Bangkok, as the digest spells a UTC time: the edges of a link's
    period are where the indicators count it."""
    return iso(local_midnight_utc(day)) or ""


def _period_refusals(prepared: PreparedBatch, start_date: dt.date, end_date: dt.date | None) -> list[RefusedRecord]:
    """The records whose window is not wholly within the link's period ``[start_date, end_date]`` (Bangkok days).

    A window may end exactly at Bangkok midnight after ``end_date`` (windows are half-open);
    one that starts before the period, or ends after it, is refused. Texts are compared:
    the digest's UTC times are fixed-width, so text order is time order.
    """
    lo = _bangkok_midnight(start_date)
    hi = None if end_date is None else _bangkok_midnight(end_date + dt.timedelta(days=1))
    first, last = prepared.span
    if first >= lo and (hi is None or last <= hi):
        return []  # the usual case: the whole batch is inside
    started = f"starts on {start_date} (Bangkok midnight, {lo})"
    ended = f"ends with {end_date} (Bangkok midnight after it, {hi})"
    refused = []
    for i, (start, end, record_id, *_) in enumerate(prepared.digest_rows):
        if start < lo:
            refused.append(RefusedRecord(i, record_id, "window_start", f"{start} is before the link's period, which {started}"))
        elif hi is not None and start >= hi:
            refused.append(RefusedRecord(i, record_id, "window_start", f"{start} is after the link's period, which {ended}"))
        elif hi is not None and end > hi:
            refused.append(RefusedRecord(
                i, record_id, "window_end", f"{end} is after the link's period, which {ended}: split the window there"
            ))
    return refused


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
    :raises RecordsRefused: records that cannot count: outcomes that do not fit in their messages
        (``invalid_request``), or a window not within the link's period (``outside_link_period``).
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
    # Read here, not prefetched: a write before this one in its group may have changed the link's end_date.
    start_date, end_date = tx.run(_PERIOD_OF, {"id": link_id}).fetchone()
    refused = _period_refusals(prepared, _day(start_date), None if end_date is None else _day(end_date))
    if refused:  # before anything is written
        raise RecordsRefused(refused, code="outside_link_period")

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
            # what `verify` holds the stored rows' received_at and the idempotency record against
            "received_at": iso(now),
            "request_hash": fingerprint if idempotency_key else None,
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
