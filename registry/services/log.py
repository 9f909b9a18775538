"""The tamper-evident log: appending entries, Merkle roots and signed checkpoints.

Every write of the registry appends one entry in the same transaction as the rows it
writes. An entry's hash covers its sequence number, time, actor, kind, canonical JSON
payload and the previous entry's hash; the entry hashes are the leaves of an RFC 6962
Merkle tree, and after each append the new size and root are signed with the
operator's Ed25519 key (kept outside the database) as a checkpoint.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..canonical import canonical_json, iso, utcnow
from ..errors import NotFound
from ..merkle import Frontier, leaf_hash
from ..models import Checkpoint, LogEntry
from ..signing import LogSigner
from .. import statements
from ..statements import Statement, on_postgres

__all__ = ["SHARED", "append", "checkpoint_message", "entry_bytes", "latest_checkpoint", "list_entries", "lock_head", "next_seq"]

CHECKPOINT_ORIGIN = "dxs-registry-log/v1"


def entry_bytes(seq: int, created_at: str, actor: str, kind: str, payload: str, prev_hash: str) -> bytes:
    """The exact bytes an entry's hash covers: the canonical JSON of ``{"seq", "time", "actor", "kind",
    "payload", "prev"}``.

    ``payload`` is canonical JSON already (as written and stored), so it is spliced in as
    it is, not parsed and written again: the same bytes, and a stored payload rewritten
    to other bytes of the same value is a change too.
    """
    # canonical_json's key order (sorted) and spelling, written out
    return (
        f'{{"actor":{_text(actor)},"kind":{_text(kind)},"payload":{payload},"prev":{_text(prev_hash)},'
        f'"seq":{int(seq)},"time":{_text(created_at)}}}'
    ).encode()


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def checkpoint_message(size: int, root: str, created_at: str) -> bytes:
    """What a checkpoint signature covers: origin, size, root and time, one per line."""
    return f"{CHECKPOINT_ORIGIN}\n{size}\n{root}\n{created_at}\n".encode()


# Every write runs these: straight to the driver (see registry.statements).
_LOCK_HEAD = Statement("SELECT size, last_hash, frontier FROM log_head WHERE id = 1", for_update=True)
_MOVE_HEAD = Statement(
    "UPDATE log_head SET size = :size, frontier = :frontier, last_hash = :last_hash WHERE id = 1 AND size = :old_size"
)
_ADD_ENTRY = Statement(
    """INSERT INTO log_entries (seq, created_at, actor, kind, payload, prev_hash, entry_hash)
    VALUES (:seq, :created_at, :actor, :kind, :payload, :prev_hash, :entry_hash)"""
)
_ADD_CHECKPOINT = Statement(
    "INSERT INTO log_checkpoints (size, root, created_at, key_id, signature) VALUES (:size, :root, :created_at, :key_id, :signature)"
)
# The three above as one statement, one round trip while the log is locked (PostgreSQL), with
# the rows the entry records (see :func:`append`). It fails (division by zero) if the head did
# not move, so it needs no answer read back and can go in a pipeline.
_APPEND_PARTS = """entry AS (
        INSERT INTO log_entries (seq, created_at, actor, kind, payload, prev_hash, entry_hash)
        VALUES (:seq, :created_at, :actor, :kind, :payload, :prev_hash, :entry_hash)
    ), checkpoint AS (
        INSERT INTO log_checkpoints (size, root, created_at, key_id, signature) VALUES (:size, :root, :created_at, :key_id, :signature)
    ), moved AS (
        UPDATE log_head SET size = :size, frontier = :frontier, last_hash = :entry_hash WHERE id = 1 AND size = :seq RETURNING 1
    )"""

#: The rows an entry records, written with it: a statement (one ``INSERT``) and its parameters each.
Rows = Sequence[tuple[Statement, Mapping[str, Any]]]


@functools.cache
def _append_with(row_statements: tuple[Statement, ...]) -> Statement:
    """``row_statements`` and the entry's three as one PostgreSQL statement (data-modifying ``WITH`` parts,
    whose foreign keys are checked as the statement ends). Row ``i``'s parameters are renamed
    ``r{i}_<name>`` (see :func:`_params`), so that no two parts share one."""
    parts = [f"row{i} AS ({statement.renamed(f'r{i}_')})" for i, statement in enumerate(row_statements)]
    return Statement(f"WITH {', '.join([*parts, _APPEND_PARTS])} SELECT 1 / (SELECT count(*) FROM moved)", postgres_only=True)


def _params(entry: dict[str, Any], rows: Rows) -> dict[str, Any]:
    """The parameters of :func:`_append_with`'s statement: the entry's, then each row's renamed."""
    params = dict(entry)
    for i, (_, row) in enumerate(rows):
        params.update({f"r{i}_{name}": value for name, value in row.items()})
    return params


def _head(session: Session) -> tuple[int, str, str]:
    """(size, last hash, frontier JSON) of the log, locked for this transaction.

    Read once per transaction: the lock keeps everyone else out, and :func:`append`
    keeps the copy current, so a write's ``next_seq`` and ``append`` cost one read.
    """
    return _ask_head(session)()


def _ask_head(session: Session) -> Callable[[], tuple[int, str, str]]:
    """:func:`_head` in two steps (see :meth:`registry.statements.Statement.ask`)."""
    head = statements.held(session, "log_head")
    if head is not None:
        return lambda: head  # type: ignore[no-any-return]
    asked = _LOCK_HEAD.ask(session)

    def read() -> tuple[int, str, str]:
        row = asked().fetchone()
        if row is None:
            raise RuntimeError("the log has no head row: run `dxs registry migrate`")
        return statements.hold(session, "log_head", (row[0], row[1], row[2]))  # type: ignore[no-any-return]

    return read


#: In ``session.info``: the transaction holds several requests' writes (see :mod:`registry.api.writes`).
SHARED = "dxs_shared"


def next_seq(session: Session, *, alone: bool = False) -> int:
    """Lock the log for this transaction and return the sequence number the next entry gets.

    A write calls it first, so rows can carry the ``log_seq`` of the entry that records them.
    ``alone``: the write changes agencies or keys, which the writes sharing a transaction
    read as it begins, so it must have the transaction to itself.
    """
    if alone and session.info.get(SHARED):
        raise RuntimeError("a write that changes agencies or keys must be committed alone (Writer(..., alone=True))")
    return _head(session)[0]


def lock_head(session: Session) -> Callable[[], int]:
    """:func:`next_seq` for a write that sends its first reads along with the lock (see
    :func:`registry.statements.pipeline`): the lock is asked for now, the sequence number
    read by calling what this returns once the reads are answered (at once if this transaction holds it)."""
    head = _ask_head(session)
    return lambda: head()[0]


def _signer(session: Session) -> LogSigner:
    signer = session.info.get("log_signer")
    if signer is None:
        raise RuntimeError("this session has no log signer (use registry.db.Database sessions)")
    return signer


def append(
    session: Session, *, actor: str, kind: str, payload: dict[str, Any], now: dt.datetime | None = None, rows: Rows = ()
) -> int:
    """Append an entry and sign the new checkpoint, in the session's transaction; the entry's sequence number.

    ``rows``: the rows the entry records, written first; on PostgreSQL in the same
    statement as the entry. ``now``: the entry's time (by default, now). ORM changes
    pending in the session are flushed before.
    """
    signer = _signer(session)
    session.flush()  # the rows this entry records go in first, in the order they were made
    size, last_hash, frontier_json = _head(session)
    now = now or utcnow()
    created = iso(now)
    assert created is not None
    text = canonical_json(payload)
    entry_hash = leaf_hash(entry_bytes(size, created, actor, kind, text, last_hash))
    frontier = Frontier(size, json.loads(frontier_json))
    frontier.append(entry_hash)
    root = frontier.root()
    roots = json.dumps(frontier.roots)
    row = {
        "seq": size, "created_at": now, "actor": actor, "kind": kind, "payload": text, "prev_hash": last_hash,
        "entry_hash": entry_hash, "size": frontier.size, "root": root, "frontier": roots, "key_id": signer.key_id,
        "signature": signer.sign(checkpoint_message(frontier.size, root, created)),
    }
    # The lock on the head makes a moved head impossible; never write a forked log all the same.
    if on_postgres(session):
        _append_with(tuple(statement for statement, _ in rows)).run(session, _params(row, rows))  # checks for itself
    else:
        for statement, params in rows:
            statement.run(session, params)
        _ADD_ENTRY.run(session, row)
        if _MOVE_HEAD.run(session, {**row, "old_size": size, "last_hash": entry_hash}).rowcount != 1:
            raise RuntimeError(f"the log head moved under entry {size}")
        _ADD_CHECKPOINT.run(session, row)
    statements.hold(session, "log_head", (frontier.size, entry_hash, roots))
    return size


def latest_checkpoint(session: Session) -> Checkpoint | None:
    return session.execute(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1)).scalar_one_or_none()


def checkpoint_at(session: Session, size: int) -> Checkpoint:
    found = session.get(Checkpoint, size)
    if found is None:
        raise NotFound(f"no checkpoint of size {size}")
    return found


def list_entries(
    session: Session, *, kind: str | None = None, after: int | None = None, limit: int = 100
) -> tuple[list[LogEntry], int]:
    """Entries in order (``after`` a sequence number, for paging); and how many match in all."""
    query = select(LogEntry)
    if kind:
        query = query.where(LogEntry.kind == kind)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(LogEntry.seq > after)
    rows = session.execute(query.order_by(LogEntry.seq).limit(limit)).scalars().all()
    return list(rows), total


def checkpoint_dict(cp: Checkpoint, public_key: str) -> dict[str, Any]:
    """A checkpoint as published: enough for anyone to check it and keep it."""
    return {
        "origin": CHECKPOINT_ORIGIN,
        "size": cp.size,
        "root": cp.root,
        "time": iso(cp.created_at),
        "key_id": cp.key_id,
        "signature": cp.signature,
        "public_key": public_key,
    }

