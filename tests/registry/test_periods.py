"""Reporting periods: a calendar or fiscal year as Bangkok dates and UTC instants."""

import datetime as dt

from dxs.registry.reporting.periods import Period
from dxs.registry.times import local_midnight_utc


def test_a_fiscal_year_runs_october_to_september_named_by_its_end():
    fiscal = Period.of(2564, fiscal=True)
    assert (fiscal.year, fiscal.be, fiscal.start, fiscal.end) == (2021, 2564, dt.date(2020, 10, 1), dt.date(2021, 10, 1))
    assert fiscal.contains(dt.date(2020, 10, 1)) and not fiscal.contains(dt.date(2021, 10, 1))
    assert fiscal.as_dict()["end"] == "2021-09-30" and fiscal.label_th == "ปีงบประมาณ พ.ศ. 2564 (ค.ศ. 2021)"
    assert (Period(2021).start, Period(2021).end) == (dt.date(2021, 1, 1), dt.date(2022, 1, 1))


def test_a_periods_boundaries_are_bangkok_midnight():
    assert local_midnight_utc(dt.date(2021, 1, 1)) == dt.datetime(2020, 12, 31, 17, tzinfo=dt.UTC)
    assert Period(2021).start_utc == local_midnight_utc(dt.date(2021, 1, 1))
