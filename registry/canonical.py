"""One spelling for every value the log hashes: canonical JSON and UTC times.

The same row must hash the same whether it was just built in Python or read back
from SQLite (no time zone kept) or PostgreSQL (zone-aware), so times are always
written as UTC with microseconds and a ``Z``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

__all__ = ["canonical_json", "iso", "stored_time", "to_utc", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (how we store them)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def stored_time(value: dt.datetime) -> str:
    """``2024-05-01 03:00:00.000000``, in UTC: a time as SQLAlchemy stores it in SQLite, fixed-width."""
    # isoformat is C code and, with timespec, always writes the microseconds
    return to_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """``2024-05-01T03:00:00.000000Z`` for datetimes, ``2024-05-01`` for dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return to_utc(value).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return value.isoformat()


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text kept as is: the bytes the log hashes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
