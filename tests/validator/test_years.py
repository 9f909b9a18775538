"""Buddhist Era, Common Era and fiscal years: the one set of rules every report and page uses."""

import datetime as dt

import pytest

from dxs.validator.years import (
    BE_YEARS,
    be_year,
    ce_year,
    current_year,
    fiscal_year,
    fiscal_year_start,
    thai_date,
    thai_datetime,
    thai_month,
)


def test_be_and_ce_years():
    assert be_year(2021) == be_year(dt.date(2021, 12, 31)) == 2564
    assert ce_year(2564) == ce_year(2021) == 2021  # a year of 2400 or more is BE
    assert 2400 in BE_YEARS and 2700 in BE_YEARS and 2399 not in BE_YEARS and 2701 not in BE_YEARS
    assert current_year(dt.date(2024, 12, 31)) == 2024


def test_a_fiscal_year_starts_in_october_of_the_year_before_the_one_it_is_named_by():
    assert fiscal_year_start(2021) == dt.date(2020, 10, 1)  # fiscal 2564 BE


def test_30_september_and_1_october_fall_in_two_fiscal_years():
    assert fiscal_year(dt.date(2021, 9, 30)) == 2021  # the last day of fiscal 2564 BE
    assert fiscal_year(dt.date(2021, 10, 1)) == 2022  # the first day of fiscal 2565 BE
    assert current_year(dt.date(2026, 12, 6), fiscal=True) == 2027 and current_year(dt.date(2026, 12, 6)) == 2026


def test_thai_dates_are_buddhist_era_with_abbreviated_months():
    assert thai_date(dt.date(2021, 6, 15)) == "15 มิ.ย. 2564"
    assert thai_date(dt.date(2017, 1, 1)) == "1 ม.ค. 2560" and thai_date(dt.date(2020, 12, 31)) == "31 ธ.ค. 2563"
    months = [thai_date(dt.date(2024, m, 1)).split()[1] for m in range(1, 13)]
    assert months == ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]


def test_a_month_without_its_day_in_either_era():
    assert thai_month(2021, 6) == thai_month(2564, 6) == "มิ.ย. 2564"
    with pytest.raises(ValueError):
        thai_month(2021, 13)


def test_a_moment_is_written_as_read_in_bangkok():
    # 17:30 UTC on 30 September is already 1 October in Bangkok: the next fiscal year's first day
    late = dt.datetime(2021, 9, 30, 17, 30, tzinfo=dt.UTC)
    assert thai_datetime(late) == "1 ต.ค. 2564 00:30 น."
    assert thai_datetime(late.replace(tzinfo=None)) == "1 ต.ค. 2564 00:30 น."  # naive: taken as UTC
