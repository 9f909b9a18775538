"""Buddhist Era, Common Era and fiscal years: the one set of rules every report and page uses."""

import datetime as dt

from validator.years import BE_YEARS, be_year, ce_year, current_year, fiscal_year, fiscal_year_start


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
