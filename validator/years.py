"""Years as Thai offices count them: Buddhist Era (BE = CE + 543), Common Era, and the fiscal year.

A year typed by a person may be in either era; one of 2400 or more is BE (2400 BE =
1857 CE, older than anything counted here). The Thai fiscal year runs from 1 October to
30 September and is named by the year it ends in: fiscal 2564 BE is 1 October 2020 to
30 September 2021. Dates are kept in CE; BE is for showing and for numbers that carry it,
written the Thai way by :func:`thai_date` (``15 มิ.ย. 2564``), :func:`thai_month` and
:func:`thai_datetime`.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "BE_THRESHOLD",
    "BE_YEARS",
    "THAI_MONTHS",
    "be_year",
    "ce_year",
    "current_year",
    "fiscal_year",
    "fiscal_year_start",
    "thai_date",
    "thai_datetime",
    "thai_month",
]

#: Buddhist Era year = Common Era year + 543.
BE_OFFSET = 543
#: A year at or above this is Buddhist Era: how a year given in either era is told apart.
BE_THRESHOLD = 2400
#: The Buddhist Era years a date in a document or in the register of announcements may carry.
BE_YEARS = range(BE_THRESHOLD, 2701)
#: Where the office and the agencies keep their calendars (UTC+7, no daylight saving).
BANGKOK = dt.timezone(dt.timedelta(hours=7), "ICT")
#: The months as Thai documents abbreviate them, January first.
THAI_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def be_year(year: int | dt.date) -> int:
    """The Buddhist Era year of a CE year or of a day: ``2021`` → ``2564``."""
    return (year.year if isinstance(year, dt.date) else year) + BE_OFFSET


def ce_year(year: int) -> int:
    """The CE year of a year given in either era: ``2564`` → ``2021``; a CE year is returned as is."""
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def current_year(today: dt.date | None = None, *, fiscal: bool = False) -> int:
    """The current CE year in Bangkok: the calendar year, or with ``fiscal`` the fiscal year (see :func:`fiscal_year`)."""
    day = today or dt.datetime.now(BANGKOK).date()
    return fiscal_year(day) if fiscal else day.year


def fiscal_year(day: dt.date) -> int:
    """The Thai fiscal year ``day`` falls in, named by the CE year it ends in (1 October starts the next)."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_start(year: int) -> dt.date:
    """The first day of the fiscal year named by CE ``year``: 1 October of the year before."""
    return dt.date(year - 1, 10, 1)


def thai_date(day: dt.date) -> str:
    """A day written the Thai way, in the Buddhist Era: ``date(2021, 6, 15)`` → ``15 มิ.ย. 2564``.

    A datetime is written by its own calendar day; use :func:`thai_datetime` for a moment.
    """
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {be_year(day)}"


def thai_month(year: int, month: int) -> str:
    """A month known without its day: ``thai_month(2021, 6)`` → ``มิ.ย. 2564`` (``year`` CE or BE).

    :raises ValueError: ``month`` is not 1 to 12.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return f"{THAI_MONTHS[month - 1]} {be_year(ce_year(year))}"


def thai_datetime(moment: dt.datetime) -> str:
    """A moment as read in Bangkok: ``15 มิ.ย. 2564 10:30 น.`` (a naive datetime is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    local = aware.astimezone(BANGKOK)
    return f"{thai_date(local)} {local:%H:%M} น."
