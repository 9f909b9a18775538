"""RFC 3339 times as the registry stores them: fixed-width UTC text.

``YYYY-MM-DD HH:MM:SS.ffffff`` is what SQLAlchemy writes to SQLite for an aware time
(its zone cut off after moving it to UTC), and, with a ``T`` and a ``Z``, what the log
hashes (:func:`registry.canonical.iso`). Being fixed-width UTC, its text order is time
order.

An event batch carries two times per record, up to 20,000 a batch, nearly always in
UTC and all in one shape. :func:`utc_column` rewrites such a column with a few string
operations over the whole column, in C, not two Python datetimes per time; anything
else goes through :func:`utc_text`, one time at a time.
"""

from __future__ import annotations

import datetime as dt

from .canonical import stored_time

__all__ = ["UnreadableTime", "utc_column", "utc_text", "zulu_column"]

_WIDTH = 26  # YYYY-MM-DD HH:MM:SS.ffffff
_UTC_OFFSETS = ("+00:00", "-00:00")


class UnreadableTime(ValueError):
    """A time with RFC 3339's shape that Python cannot hold: a leap second, year 0, or
    one that its offset moves out of years 1–9999."""

    def __init__(self, index: int, text: str) -> None:
        super().__init__(f"{text!r} is not a time this registry can read")
        self.index, self.text = index, text


def utc_text(text: str, index: int = 0) -> str:
    """One RFC 3339 time (its shape already checked, e.g. by JSON Schema's ``date-time``) as UTC text.

    Digits after the seconds' point are cut to microseconds, as Python does.

    :raises UnreadableTime: 23:59:60, year 0, or out of range once moved to UTC.
    """
    if text[-1] in "Zz":
        zone = 1
    elif text.endswith(_UTC_OFFSETS):
        zone = 6
    else:
        zone = 0
    if zone and text[17:19] != "60" and not text.startswith("0000"):
        # already UTC: rewritten as text, five times faster than through a datetime
        return f"{text[:10]} {text[11:19]}.{text[20 : len(text) - zone][:6]:0<6}"
    try:
        return stored_time(dt.datetime.fromisoformat(text.upper()))  # RFC 3339 allows "t" and "z"
    except (ValueError, OverflowError):
        raise UnreadableTime(index, text) from None


def utc_column(texts: list[str]) -> list[str]:
    """Each RFC 3339 time (shapes already checked) as UTC text, as :func:`utc_text` would give it.

    :raises UnreadableTime: for the first time that cannot be read, with its index.
    """
    fast = _uniform_utc_column(texts)
    if fast is not None:
        return fast
    return [utc_text(text, i) for i, text in enumerate(texts)]


def zulu_column(column: list[str]) -> list[str]:
    """UTC texts from :func:`utc_column` as the log spells them: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if not column:
        return []
    # each text has exactly one space, between date and time, and no newline
    return ("Z\n".join(column) + "Z").replace(" ", "T").split("\n")


def _uniform_utc_column(texts: list[str]) -> list[str] | None:
    """The column rewritten whole, if every time in it has one and the same UTC shape
    (same length, same number of second digits, ``Z`` or ``±00:00``); else None.

    Each check reads one character position of every time at once (a strided slice of
    the joined column), so the shape is proved, not assumed, before any text is rewritten.
    """
    n = len(texts)
    if n == 0:
        return []
    width = len(texts[0])
    joined = "\n".join(texts) + "\n"
    stride = width + 1

    def column(at: int) -> str:
        return joined[at::stride]

    # every time as long as the first: each newline is where the first one's is (times hold none)
    if width < 20 or len(joined) != n * stride or column(width) != "\n" * n:
        return None
    if not column(width - 1).strip("Zz"):
        zone, suffixes = 1, ("Z", "z")
    elif width >= 25 and not column(width - 6).strip("+-") and all(column(width - 5 + k) == c * n for k, c in enumerate("00:00")):
        zone, suffixes = 6, _UTC_OFFSETS
    else:
        return None
    digits = width - 19 - zone - 1  # after the point
    if digits == -1:
        padding = ".000000"
    elif 1 <= digits <= 6 and column(19) == "." * n:
        padding = "0" * (6 - digits)
    else:
        return None  # more than microseconds: cut one at a time
    if "6" in column(17) or "0" in column(0):
        return None  # a leap second (23:59:60), or a year before 1000 (year 0 cannot be held): one at a time
    signs = column(width - zone)
    for suffix in suffixes:
        if suffix[0] in signs:
            joined = joined.replace(suffix + "\n", padding + "\n")
    # "T" or "t" is the only letter left in each time
    rewritten = joined.replace("T", " ").replace("t", " ")
    assert len(rewritten) == n * (_WIDTH + 1), "every time had the one shape checked above"
    return rewritten[:-1].split("\n")
