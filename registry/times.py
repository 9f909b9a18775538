"""Every text form of a UTC time in the registry, each named by what it is for.

- :func:`iso` — ``2024-05-01T03:00:00.000000Z``: what the API answers, the log hashes
  and a backup file holds (a date is ``2024-05-01``); :func:`iso_from_db` gives the same
  form from what the database gives back, :func:`zulu_column` from a column of stored texts.
- :func:`stored_time` — ``2024-05-01 03:00:00.000000``: what SQLAlchemy writes to SQLite
  for an aware time (moved to UTC, its zone cut off); :func:`stored_time_from_text` and
  :func:`utc_column` give it from RFC 3339 input. Being fixed-width UTC, its text order
  is time order.
- :func:`display_time` — ``2024-05-01 03:00:00 UTC``: a person reads it on a report or chart.

:func:`read_time` turns the first two back into an aware datetime.
"""

from __future__ import annotations

import datetime as dt

from dxs.validator.years import BANGKOK

__all__ = [
    "TimeOutOfRange",
    "UnreadableTime",
    "display_time",
    "iso",
    "iso_from_db",
    "from_db_time",
    "read_time",
    "stored_time",
    "stored_time_from_text",
    "to_utc",
    "utc_column",
    "utcnow",
    "zulu_column",
]

_WIDTH = 26  # YYYY-MM-DD HH:MM:SS.ffffff
_UTC_OFFSETS = ("+00:00", "-00:00")


class UnreadableTime(ValueError):
    """A time with RFC 3339's shape that Python cannot hold: a leap second, year 0, or
    one that its offset moves out of years 1–9999."""

    def __init__(self, index: int, text: str) -> None:
        super().__init__(f"{text!r} is not a time this registry can read")
        self.index, self.text = index, text


class TimeOutOfRange(ValueError):
    """A time whose UTC offset moves it out of years 1–9999 (``0001-01-01T00:00:00+05:00``).

    A ``ValueError``, so that a model or a query parameter holding it is refused (422)
    naming the field, rather than failing as Python's ``OverflowError``.
    """

    def __init__(self, value: dt.datetime) -> None:
        super().__init__(f"{value.isoformat()} is out of range once moved to UTC (years 1 to 9999)")
        self.value = value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (how we store them).

    :raises TimeOutOfRange: its offset moves it before year 1 or after 9999.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise TimeOutOfRange(value) from None


def from_db_time(value: dt.datetime | str | None) -> dt.datetime | None:
    """A time read straight from the driver: aware UTC, whether SQLite gave text or PostgreSQL a datetime."""
    if value is None:
        return None
    return read_time(value) if isinstance(value, str) else to_utc(value)


def read_time(text: str) -> dt.datetime:
    """An aware UTC datetime from :func:`iso`'s or :func:`stored_time`'s form (or any ISO 8601 time).

    :raises ValueError: the text is not such a time.
    """
    return to_utc(dt.datetime.fromisoformat(text))


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """``2024-05-01T03:00:00.000000Z`` for datetimes, ``2024-05-01`` for dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return to_utc(value).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return value.isoformat()


def iso_from_db(value: dt.datetime | str) -> str:
    """:func:`iso`'s form of a time as the database gives it back: SQLite's stored text, or a datetime."""
    if isinstance(value, str):
        return value.replace(" ", "T") + "Z"
    text = iso(value)
    assert text is not None
    return text


def display_time(value: dt.datetime) -> str:
    """``2024-05-01 03:00:00 UTC``: a time as a person reads it on a report or a chart."""
    return f"{to_utc(value):%Y-%m-%d %H:%M:%S} UTC"


def stored_time(value: dt.datetime) -> str:
    """``2024-05-01 03:00:00.000000``, in UTC: a time as SQLAlchemy stores it in SQLite, fixed-width."""
    return to_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def stored_time_from_text(text: str, index: int = 0) -> str:
    """One RFC 3339 time (its shape already checked, e.g. by JSON Schema's ``date-time``) in :func:`stored_time`'s form.

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
        # already UTC: rewritten as text, without a datetime
        return f"{text[:10]} {text[11:19]}.{text[20 : len(text) - zone][:6]:0<6}"
    try:
        return stored_time(dt.datetime.fromisoformat(text.upper()))  # RFC 3339 allows "t" and "z"
    except (ValueError, OverflowError):
        raise UnreadableTime(index, text) from None


def utc_column(texts: list[str]) -> list[str]:
    """Each RFC 3339 time (shapes already checked) as :func:`stored_time_from_text` gives it; a column
    of one UTC shape (an event batch's, nearly always) is rewritten whole, in a few string operations.

    :raises UnreadableTime: for the first time that cannot be read, with its index.
    """
    fast = _uniform_utc_column(texts)
    if fast is not None:
        return fast
    return [stored_time_from_text(text, i) for i, text in enumerate(texts)]


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


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Bangkok, as an aware UTC datetime: where the office's and the
    agencies' days begin (a reporting period, a link's period)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=BANGKOK).astimezone(dt.UTC)
