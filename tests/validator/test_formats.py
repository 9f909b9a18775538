import pytest

from dxs.validator.formats import (
    PROVINCE_CODES,
    is_be_date,
    is_juristic_id,
    is_national_id,
    is_postcode,
    is_province_code,
    is_tax_id,
    thai_id_check_digit,
)


def with_check(first_twelve: str) -> str:
    return first_twelve + str(thai_id_check_digit(first_twelve))


def test_check_digit_matches_the_published_algorithm():
    # 1-1017-00123-45-? : digits × weights 13..2 = 13+12+0+10+63+0+0+6+10+12+12+10 = 148
    # 148 mod 11 = 5; (11 - 5) mod 10 = 6 (computed by hand)
    assert thai_id_check_digit("110170012345") == 6
    # 3-1015-00987-65-? : 39+12+0+10+45+0+0+54+40+28+18+10 = 256; 256 mod 11 = 3; 11 - 3 = 8
    assert thai_id_check_digit("310150098765") == 8


@pytest.mark.parametrize("twelve", ["110170012345", "310150098765", "570990000001", "999999999999"])
def test_every_wrong_check_digit_is_refused(twelve):
    good = with_check(twelve)
    assert is_tax_id(good)
    for digit in "0123456789":
        if digit != good[-1]:
            assert not is_tax_id(twelve + digit)


def test_national_and_juristic_ids_differ_by_first_digit():
    person, company = with_check("110170012345"), with_check("010555301234")
    assert is_national_id(person) and not is_juristic_id(person)
    assert is_juristic_id(company) and not is_national_id(company)
    assert not is_national_id(with_check("910170012345"))


@pytest.mark.parametrize("value", ["", "123", "11017001234567", "1101700a23456", " 1101700123456"])
def test_malformed_ids(value):
    assert not is_tax_id(value)


def test_postcodes_and_provinces():
    assert is_postcode("10200") and is_postcode("96000")
    assert not is_postcode("01234") and not is_postcode("9700") and not is_postcode("97000")
    assert len(PROVINCE_CODES) == 77
    assert is_province_code("10") and is_province_code("38") and not is_province_code("28")


@pytest.mark.parametrize(
    "value, ok",
    [("2567-02-29", True), ("2566-02-29", False), ("2024-01-01", False), ("2561-13-01", False), ("2561-1-01", False)],
)
def test_buddhist_era_dates(value, ok):
    # 2567 BE = 2024 CE, a leap year; 2566 BE = 2023 CE is not
    assert is_be_date(value) is ok
