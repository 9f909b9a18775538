"""What no answer and no log line may contain: keys after creation, SQL, file paths, traces."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["key_leaks", "key_shapes", "leaks_internals"]

_INTERNALS = [
    (re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b.*\b(FROM|VALUES|WHERE|SET)\b", re.I | re.S), "SQL"),
    (re.compile(r"sqlalchemy|psycopg|sqlite3\.|IntegrityError|OperationalError", re.I), "database driver"),
    (re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+"), "stack trace"),
    (re.compile(r"(/work/|/home/|/usr/lib/|/tmp/|site-packages|\.py\b)"), "file path"),
]


def leaks_internals(text: str) -> str | None:
    """What kind of internal detail ``text`` gives away, or ``None``."""
    for pattern, what in _INTERNALS:
        if pattern.search(text):
            return what
    return None


def key_leaks(text: str, keys: Iterable[str]) -> list[str]:
    """The keys (by their public prefix only) that appear in ``text``; a key's secret part counts too."""
    found = []
    for key in keys:
        secret = key.split("_", 2)[-1]
        if key in text or (len(secret) >= 16 and secret in text):
            found.append(key.split("_", 2)[1] if key.count("_") >= 2 else "?")
    return found


#: Anything shaped like a key or a portal session token with its secret still in it (the log redacts them to ``[redacted]``).
_KEY_SHAPE = re.compile(r"\bdxs_[0-9a-f]{12}_[A-Za-z0-9_\-]{16,}|\bdxs-session\.[A-Za-z0-9_\-]{16,}")


def key_shapes(text: str) -> int:
    """How many key- or session-shaped secrets ``text`` holds, whoever's they are (a log must hold none)."""
    return len(_KEY_SHAPE.findall(text))
