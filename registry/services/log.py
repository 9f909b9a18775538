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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..canonical import canonical_json
from ..errors import Conflict, Invalid, NotFound
from ..merkle import Frontier, MerkleTree, leaf_hash
from ..models import Checkpoint, LogEntry
from ..statements import Statement
from ..times import iso, utcnow
from ..unit_of_work import LockedHead, WriteTx

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "append",
    "checkpoint_message",
    "consistency",
    "entry_bytes",
    "inclusion",
    "latest_checkpoint",
    "list_entries",
    "log_size",
]

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



# --------------------------------------------------------------------------- proofs for outsiders


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 §2.1.3: entry ``seq``'s leaf hash is in the tree of the first ``size`` entries, whose hash is ``root``."""

    seq: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str]


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 §2.1.4: the tree of ``to_size`` entries extends the tree of the first ``from_size``."""

    from_size: int
    to_size: int
    from_root: str
    to_root: str
    proof: list[str]


def log_size(session: Session) -> int:
    """How many entries the log has, as its latest signed checkpoint says (0 when empty)."""
    found = session.execute(select(func.max(Checkpoint.size))).scalar_one_or_none()
    return int(found or 0)


def _leaves(session: Session, size: int) -> list[str]:
    """The stored entry hashes of entries ``0 … size - 1``, in order: the leaves of the tree of ``size``.

    The proofs are computed from these, never from the checkpoints: a changed entry hash
    makes a proof that fails against the signed roots, which is what an auditor must see.

    :raises Conflict: (``log_damaged``) entries below ``size`` are missing from the database.
    """
    query = select(LogEntry.entry_hash).where(LogEntry.seq >= 0, LogEntry.seq < size).order_by(LogEntry.seq)
    hashes = list(session.connection().execute(query).scalars())  # Core, not the ORM: twice as fast for 100,000 rows
    if len(hashes) != size:  # seq is the key: fewer rows means some are gone
        raise Conflict(
            f"the log cannot prove this: {size - len(hashes)} of its first {size} entries are missing from the database",
            code="log_damaged",
        )
    return hashes


def _size_known(size: int, current: int, what: str) -> None:
    if size > current:
        raise NotFound(f"{what} {size} is beyond the log, which has {current} entries", code="size_not_reached")


def inclusion(session: Session, *, seq: int, size: int | None = None) -> InclusionProof:
    """The proof that entry ``seq`` is in the log of ``size`` entries (default: the latest checkpoint's size).

    :raises Invalid: a negative number, ``size`` 0, or ``seq`` not below ``size``.
    :raises NotFound: ``seq`` or ``size`` beyond the log's current size.
    :raises Conflict: the stored log is missing entries (``log_damaged``).
    """
    current = log_size(session)
    if seq < 0:
        raise Invalid(f"seq: {seq} is not a sequence number (they start at 0)", code="invalid_request")
    if seq >= current:
        raise NotFound(f"no log entry {seq}: the log has {current} entries (0 … {current - 1})" if current
                       else f"no log entry {seq}: the log is empty", code="entry_not_found")
    size = current if size is None else size
    if size < 1:
        raise Invalid(f"size: {size} is not the size of a log that has entry {seq}", code="invalid_request")
    _size_known(size, current, "size")
    if seq >= size:
        raise Invalid(f"entry {seq} is not in the log of {size} entries (0 … {size - 1}): ask with size > {seq}",
                      code="invalid_request")
    leaves = _leaves(session, size)
    tree = MerkleTree(leaves)
    return InclusionProof(seq, size, leaves[seq], tree.root(), tree.inclusion_proof(seq))


def consistency(session: Session, *, first: int, second: int | None = None) -> ConsistencyProof:
    """The proof that the log of ``second`` entries (default: the latest checkpoint's size) extends its first ``first``.

    :raises Invalid: a negative number, or ``first`` > ``second``.
    :raises NotFound: ``first`` or ``second`` beyond the log's current size.
    :raises Conflict: the stored log is missing entries (``log_damaged``).
    """
    current = log_size(session)
    second = current if second is None else second
    if first < 0 or second < 0:
        raise Invalid(f"from and to are sizes of the log (0 or more), not {min(first, second)}", code="invalid_request")
    _size_known(first, current, "from")
    _size_known(second, current, "to")
    if first > second:
        raise Invalid(f"from ({first}) is larger than to ({second}): a log only grows", code="invalid_request")
    tree = MerkleTree(_leaves(session, second))
    return ConsistencyProof(first, second, tree.root(first), tree.root(), tree.consistency_proof(first))
