"""What the log records of each row, and how a row is read back for ``verify``.

One function per kind of row, used both when writing (the entry's payload) and when
verifying (the row as it is now), so the two can only differ if the data changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from dxs.validator.years import BANGKOK

from ..models import Agency, AgencySector, ApiKey, ExchangeLink
from ..models import NeedGroup, NeedGroupLink, StandardRequest
from ..models import Notice, Webhook
from ..times import iso, iso_from_db, read_time

__all__ = ["agency_state", "event_digest", "event_row", "key_state", "link_state", "upgraded_agency_state", "upgraded_link_state",
           "need_group_link_state", "need_group_state", "request_state", "notice_state", "webhook_state"]

#: What revision 0002 gave the agencies registered before it (see its migration).
_BACKFILL_KIND = "ministry-department"


def agency_state(a: Agency, sectors: Sequence[AgencySector]) -> dict[str, Any]:
    """An agency with its whole sector history, each row with the log entry that wrote it."""
    return {
        "id": a.id,
        "code": a.code,
        "name_th": a.name_th,
        "name_en": a.name_en,
        "kind": a.kind,
        "juristic_id": a.juristic_id,
        "registered_on": iso(a.registered_on),
        "dissolved_on": iso(a.dissolved_on),
        "sector": a.sector,
        "sectors": [
            {"since": iso(s.since), "sector": s.sector, "log_seq": s.log_seq} for s in sorted(sectors, key=lambda s: s.since)
        ],
        "parent_id": a.parent_id,
        "status": a.status,
        "created_at": iso(a.created_at),
    }


def upgraded_agency_state(state: dict[str, Any], seq: int) -> dict[str, Any]:
    """An agency's state as entry ``seq`` recorded it, with what revision 0002 filled in if the entry is older.

    Such an entry has no kind, dates or sector history: the migration made the agency a
    ``ministry-department`` registered on the Bangkok date it was created, with one sector
    row from that day written by the agency's latest entry (this one, when it is the latest).
    """
    if "kind" in state or "created_at" not in state:
        return state
    day = read_time(state["created_at"]).astimezone(BANGKOK).date().isoformat()
    return {
        **state,
        "kind": _BACKFILL_KIND,
        "juristic_id": None,
        "registered_on": day,
        "dissolved_on": None,
        "sectors": [{"since": day, "sector": state.get("sector"), "log_seq": seq}],
    }


def key_state(k: ApiKey) -> dict[str, Any]:
    # The hash is logged so that swapping in a key the intruder knows is detected.
    return {
        "id": k.id,
        "agency_id": k.agency_id,
        "role": k.role,
        "prefix": k.prefix,
        "secret_hash": k.secret_hash,
        "label": k.label,
        "created_at": iso(k.created_at),
        "revoked_at": iso(k.revoked_at),
    }


def link_state(link: ExchangeLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "provider_id": link.provider_id,
        "consumer_id": link.consumer_id,
        "standard_id": link.standard_id,
        "standard_version": link.standard_version,
        "document_name": link.document_name,
        "document_format": link.document_format,
        "yearly_volume": link.yearly_volume,
        "followed_standard": link.followed_standard,
        "purpose": link.purpose,
        "legal_basis": link.legal_basis,
        "status": link.status,
        "start_date": iso(link.start_date),
        "end_date": iso(link.end_date),
        "revision": link.revision,
        "created_at": iso(link.created_at),
        "updated_at": iso(link.updated_at),
    }


#: What revision 0004 gave the links declared before it: no document fields (every such link has a standard).
_LINK_BACKFILL = {"document_name": "", "document_format": None, "yearly_volume": None, "followed_standard": ""}


def upgraded_link_state(state: dict[str, Any]) -> dict[str, Any]:
    """A link's state as a ``link.*`` entry recorded it, with what revision 0004 filled in if the entry is older.

    Entries written before links could be declared without a standard have no document
    fields: read them as the migration's defaults (empty name and followed standard, no format or volume).
    """
    missing = {k: v for k, v in _LINK_BACKFILL.items() if k not in state}
    return {**state, **missing} if missing else state


def event_row(
    window_start: dt.datetime | str,
    window_end: dt.datetime | str,
    record_id: str,
    messages: int,
    bytes_: int,
    succeeded: int,
    failed: int,
    valid: int,
    invalid: int,
) -> list[Any]:
    """One stored event record as the batch digest sees it (times in canonical UTC)."""
    return [iso_from_db(window_start), iso_from_db(window_end), record_id, messages, bytes_, succeeded, failed, valid, invalid]


def event_digest(rows: Iterable[Sequence[Any]]) -> str:
    """SHA-256 of the canonical JSON of the sorted rows a batch stored.

    Rows are lists or tuples (not both: they would not sort together), each a JSON array.
    orjson writes a list of strings and integers byte for byte as :func:`canonical_json`
    does (a test holds it to that), and a batch has thousands of rows.
    """
    return hashlib.sha256(orjson.dumps(sorted(rows))).hexdigest()


def request_state(r: StandardRequest) -> dict[str, Any]:
    """A request for a standard. ``sectors`` and ``partners`` as stored (JSON text): any change to them shows."""
    return {
        "id": r.id,
        "agency_id": r.agency_id,
        "document_type": r.document_type,
        "sectors": r.sectors,
        "partners": r.partners,
        "yearly_volume": r.yearly_volume,
        "urgency": r.urgency,
        "urgency_reason": r.urgency_reason,
        "legal_driver": r.legal_driver,
        "status": r.status,
        "status_note": r.status_note,
        "announced_as": r.announced_as,
        "merged_into_id": r.merged_into_id,
        "group_id": r.group_id,
        "revision": r.revision,
        "created_at": iso(r.created_at),
        "updated_at": iso(r.updated_at),
    }


def need_group_state(g: NeedGroup) -> dict[str, Any]:
    """One of the office's need groups (its members are recorded by their own entries)."""
    return {
        "id": g.id,
        "name_th": g.name_th,
        "name_en": g.name_en,
        "priority": g.priority,
        "status": g.status,
        "status_note": g.status_note,
        "announced_as": g.announced_as,
        "revision": g.revision,
        "created_at": iso(g.created_at),
        "updated_at": iso(g.updated_at),
    }


def need_group_link_state(row: NeedGroupLink) -> dict[str, Any]:
    """A standard-less link in a need group."""
    return {"group_id": row.group_id, "link_id": row.link_id}


def webhook_state(w: Webhook) -> dict[str, Any]:
    """An agency's webhook (where its notices are POSTed)."""
    return {"id": w.id, "agency_id": w.agency_id, "url": w.url, "created_at": iso(w.created_at), "updated_at": iso(w.updated_at)}


def notice_state(n: Notice) -> dict[str, Any]:
    """A notice as made; not its delivery state (bookkeeping outside the log). The body by its SHA-256:
    any change to the bytes sent shows, and the log does not carry every diff summary twice."""
    return {
        "id": n.id,
        "uid": n.uid,
        "agency_id": n.agency_id,
        "link_id": n.link_id,
        "kind": n.kind,
        "standard_id": n.standard_id,
        "version": n.version,
        "deadline": iso(n.deadline),
        "migrate_to": n.migrate_to,
        "body_sha256": hashlib.sha256(n.body.encode("utf-8")).hexdigest(),
        "created_at": iso(n.created_at),
    }
