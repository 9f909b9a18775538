"""Reporting periods: a calendar or fiscal year as a span of Bangkok dates, and its UTC instants.

The year arithmetic (BE and CE, where a fiscal year starts) is :mod:`validator.years`';
a period adds the boundaries: a half-open span of local dates ``[start, end)`` whose
edges are midnight in Bangkok, because that is where the office and the agencies keep
their calendars. Events are stored in UTC and compared with :attr:`Period.start_utc` /
:attr:`Period.end_utc`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dxs.validator.years import be_year, ce_year, fiscal_year_start

from ..times import local_midnight_utc

__all__ = ["FIRST_YEAR", "LAST_YEAR", "Period"]

#: The years a report may be asked for (CE), wherever it is asked.
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar year, or a Thai fiscal year (October–September) named by the CE year it ends in.

    ``Period(2021, fiscal=True)`` is fiscal year 2564 BE: 1 October 2020 to 30 September 2021.
    """

    year: int
    fiscal: bool = False

    @classmethod
    def of(cls, year: int, *, fiscal: bool = False) -> Period:
        """A period from a CE or BE year (≥ 2400 is BE).

        :raises ValueError: a year outside CE 1900–2200 (BE 2443–2743): the one range the
            command line, the API and the dashboard all accept.
        """
        ce = ce_year(year)
        if not FIRST_YEAR <= ce <= LAST_YEAR:
            raise ValueError(
                f"year {year} is out of range: give a CE year {FIRST_YEAR}–{LAST_YEAR} or a BE year "
                f"{be_year(FIRST_YEAR)}–{be_year(LAST_YEAR)}"
            )
        return cls(ce, fiscal)

    @property
    def be(self) -> int:
        return be_year(self.year)

    @property
    def start(self) -> dt.date:
        return fiscal_year_start(self.year) if self.fiscal else dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return fiscal_year_start(self.year + 1) if self.fiscal else dt.date(self.year + 1, 1, 1)

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight_utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        return local_midnight_utc(self.end)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    @property
    def calendar(self) -> str:
        return "fiscal" if self.fiscal else "calendar"

    @property
    def label_en(self) -> str:
        kind = "fiscal year" if self.fiscal else "year"
        return f"{kind} {self.year} (BE {self.be})"

    @property
    def label_th(self) -> str:
        kind = "ปีงบประมาณ" if self.fiscal else "ปี"
        return f"{kind} พ.ศ. {self.be} (ค.ศ. {self.year})"

    def as_dict(self) -> dict[str, object]:
        return {
            "ce": self.year,
            "be": self.be,
            "calendar": self.calendar,
            "start": self.start.isoformat(),
            "end": (self.end - dt.timedelta(days=1)).isoformat(),  # inclusive, as people read it
            "label_en": self.label_en,
            "label_th": self.label_th,
        }
