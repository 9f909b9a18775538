"""The tamper-evident log: its signed head for anyone, its entries for the office."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..times import iso
from ..merkle import EMPTY_ROOT
from ..api_models import CheckpointRead, LogEntryRead, Page
from ..services import log
from ..services.log import CHECKPOINT_ORIGIN
from .deps import CallerDep, DatabaseDep, Limit, SessionDep

router = APIRouter(prefix="/api/v1/log", tags=["log"])


@router.get("/checkpoint", response_model=CheckpointRead)
def checkpoint(session: SessionDep, database: DatabaseDep) -> CheckpointRead:
    """The log's head: its size and Merkle root, signed with the registry's Ed25519 key.

    Keep a copy: `dxs registry verify --checkpoint FILE` later proves the log still
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
