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
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..canonical import canonical_json
from ..errors import NotFound
from ..merkle import Frontier, leaf_hash
from ..models import Checkpoint, LogEntry
from ..statements import Statement
from ..times import iso, utcnow
from ..unit_of_work import LockedHead, WriteTx

__all__ = ["append", "checkpoint_message", "entry_bytes", "latest_checkpoint", "list_entries"]

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


def append(
    tx: WriteTx, *, actor: str, kind: str, payload: dict[str, Any], now: dt.datetime | None = None, rows: Rows = ()
) -> int:
    """Append an entry and sign the new checkpoint, in ``tx``; the entry's sequence number.

    ``rows``: the rows the entry records, written first; on PostgreSQL in the same
    statement as the entry. ``now``: the entry's time (by default, now). ORM changes
    pending in the session are flushed before.
    """
    signer = tx.require_signer()
    tx.session.flush()  # the rows this entry records go in first, in the order they were made
    size, last_hash, frontier_json = tx.locked_head()
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
    if tx.postgres:
        tx.run(_append_with(tuple(statement for statement, _ in rows)), _params(row, rows))  # checks for itself
    else:
        for statement, params in rows:
            tx.run(statement, params)
        tx.run(_ADD_ENTRY, row)
        if tx.run(_MOVE_HEAD, {**row, "old_size": size, "last_hash": entry_hash}).rowcount != 1:
            raise RuntimeError(f"the log head moved under entry {size}")
        tx.run(_ADD_CHECKPOINT, row)
    tx.log_head = LockedHead(frontier.size, entry_hash, roots)
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

