"""The tamper-evident log: its signed head and proofs for anyone, its entries for the office.

The proofs are RFC 9162's: with a checkpoint kept earlier and the current one, anyone
can check, without a key and without the database, that the log only grew and that
an entry is in it (`dxs registry audit`).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..times import iso
from ..merkle import EMPTY_ROOT
from ..api_models import CheckpointRead, ConsistencyProofRead, InclusionProofRead, LogEntryRead, Page
from ..services import log
from ..services.log import CHECKPOINT_ORIGIN
from .deps import CallerDep, DatabaseDep, Limit, SessionDep

router = APIRouter(prefix="/api/v1/log", tags=["log"])


@router.get("/checkpoint", response_model=CheckpointRead)
def checkpoint(session: SessionDep, database: DatabaseDep) -> CheckpointRead:
    """The log's head: its size and Merkle root, signed with the registry's Ed25519 key.

    Keep a copy: `dxs registry audit --checkpoint FILE --server URL` (anyone) or
    `dxs registry verify --checkpoint FILE` (the operator) later proves the log still
    extends what it vouched for. The signature covers
    `dxs-registry-log/v1\\n{size}\\n{root}\\n{time}\\n`.
    """
    public_key = database.signer.public_key_b64
    head = log.latest_checkpoint(session)
    if head is None:
        return CheckpointRead(
            origin=CHECKPOINT_ORIGIN, size=0, root=EMPTY_ROOT, time=None, key_id=database.signer.key_id, signature=None, public_key=public_key
        )
    return CheckpointRead(**log.checkpoint_dict(head, public_key))


@router.get("/entries", response_model=Page[LogEntryRead], responses={401: {"description": "No API key"}, 403: {"description": "Office only"}})
def entries(
    session: SessionDep,
    caller: CallerDep,
    request: Request,
    kind: Annotated[str | None, Query(description="e.g. link.declared, events.ingested")] = None,
    after: Annotated[int | None, Query(ge=-1, le=2**62, description="Entries after this sequence number (cursor)")] = None,
    limit: Limit = 100,
) -> Page[LogEntryRead]:
    """Log entries in order (office only); page with `after` = the last `seq` seen."""
    caller.require_office()
    rows, total = log.list_entries(session, kind=kind, after=after, limit=limit)
    items = [
        LogEntryRead(
            seq=e.seq,
            time=iso(e.created_at) or "",
            actor=e.actor,
            kind=e.kind,
            payload=json.loads(e.payload),
            prev_hash=e.prev_hash,
            entry_hash=e.entry_hash,
        )
        for e in rows
    ]
    return Page(items=items, total=total, limit=limit, offset=0)


#: Sequence numbers and sizes: whole numbers that fit the database's BIGINT.
_Seq = Annotated[int, Query(ge=0, le=2**62, description="An entry's sequence number (the `log_seq` of a write's answer)")]
_PROOF_ERRORS = {
    404: {"description": "A number beyond the log's current size"},
    409: {"description": "The stored log is missing entries: it cannot prove anything (code log_damaged)"},
    422: {"description": "A malformed number, or numbers that do not go together"},
}


@router.get("/proof/inclusion", response_model=InclusionProofRead, responses=_PROOF_ERRORS)
def inclusion_proof(
    session: SessionDep,
    seq: _Seq,
    size: Annotated[int | None, Query(ge=1, le=2**62, description="A size the log has had; default: the latest checkpoint's")] = None,
) -> InclusionProofRead:
    """The proof that entry `seq` is in the log of `size` entries (public, RFC 9162 §2.1.3).

    Check it against the root of a signed checkpoint of that size, not against the
    `root` in this answer (which is computed from the stored entries).
    """
    found = log.inclusion(session, seq=seq, size=size)
    return InclusionProofRead(seq=found.seq, size=found.size, leaf_hash=found.leaf_hash, root=found.root, proof=found.proof)


@router.get("/proof/consistency", response_model=ConsistencyProofRead, responses=_PROOF_ERRORS)
def consistency_proof(
    session: SessionDep,
    first: Annotated[int, Query(alias="from", ge=0, le=2**62, description="The size of the earlier log (a kept checkpoint's size)")],
    second: Annotated[int | None, Query(alias="to", ge=0, le=2**62, description="The size of the later log; default: the latest checkpoint's")] = None,
) -> ConsistencyProofRead:
    """The proof that the log of `to` entries extends the log of its first `from` (public, RFC 9162 §2.1.4).

    Check it against the roots of two signed checkpoints: one kept from earlier, and
    the current one.
    """
    found = log.consistency(session, first=first, second=second)
    return ConsistencyProofRead(
        from_size=found.from_size, to_size=found.to_size, from_root=found.from_root, to_root=found.to_root, proof=found.proof
    )
