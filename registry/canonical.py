"""Canonical JSON: the one spelling of a value that the log hashes.

The same row must hash the same whether it was just built in Python or read back from
SQLite or PostgreSQL: keys sorted, no spaces, text kept as is, and times in
:func:`registry.times.iso`'s form.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json"]


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text kept as is: the bytes the log hashes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
