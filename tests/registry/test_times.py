"""RFC 3339 times to the registry's UTC text: the column rewrite agrees with Python's datetime on every shape."""

from __future__ import annotations

import datetime as dt

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxs.registry.times import UnreadableTime, _uniform_utc_column, stored_time_from_text, utc_column, zulu_column

_DATE_TIME = jsonschema_rs.Draft202012Validator({"type": "string", "format": "date-time"}, validate_formats=True)


def through_datetime(text: str) -> str | None:
    """What Python makes of the time (None: it cannot hold it): the reference."""
    try:
        value = dt.datetime.fromisoformat(text.upper()).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def spell(moment: dt.datetime, digits: int, zone: str, t: str = "T") -> str:
    """``moment`` (naive, local to ``zone``) in RFC 3339 with ``digits`` after the point (up to 9)."""
    fraction = f".{moment.microsecond:06d}{'321'[: max(0, digits - 6)]}"[: digits + 1] if digits else ""
    return f"{moment.year:04d}-{moment:%m-%d}{t}{moment:%H:%M:%S}{fraction}{zone}"


ZONES = st.sampled_from(["Z", "z", "+00:00", "-00:00", "+07:00", "-05:30", "+14:00", "-23:59"])
MOMENTS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))


@settings(max_examples=300, deadline=None)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=40), digits=st.integers(0, 9), zone=ZONES, t=st.sampled_from("Tt"))
def test_a_column_of_one_shape_is_what_datetime_makes_of_each(moments: list[dt.datetime], digits: int, zone: str, t: str) -> None:
    texts = [spell(m, digits, zone, t) for m in moments]
    assert all(_DATE_TIME.is_valid(text) for text in texts)
    assert utc_column(texts) == [through_datetime(text) for text in texts]
    if zone in ("Z", "z", "+00:00", "-00:00") and digits <= 6 and min(m.year for m in moments) >= 1000:
        assert _uniform_utc_column(texts) is not None, "rewritten as a column, not one at a time"


@settings(max_examples=300, deadline=None)
@given(times=st.lists(st.tuples(MOMENTS, st.integers(0, 9), ZONES), min_size=1, max_size=20))
def test_a_column_of_mixed_shapes_is_what_datetime_makes_of_each(times: list[tuple[dt.datetime, int, str]]) -> None:
    texts = [spell(m, digits, zone) for m, digits, zone in times]
    expected = [through_datetime(text) for text in texts]
    assert utc_column(texts) == expected
    assert [stored_time_from_text(text) for text in texts] == expected


def test_stored_time_is_fixed_width_so_text_order_is_time_order() -> None:
    texts = ["2024-05-01T00:00:00Z", "2024-05-01T00:00:00.5Z", "2024-05-01T06:59:59.999999+07:00", "2024-04-30T23:00:00-01:00"]
    column = utc_column(texts)
    assert column == [
        "2024-05-01 00:00:00.000000",
        "2024-05-01 00:00:00.500000",
        "2024-04-30 23:59:59.999999",
        "2024-05-01 00:00:00.000000",
    ]
    assert {len(text) for text in column} == {26}


def test_the_log_spells_them_with_t_and_z() -> None:
    assert zulu_column(["2024-05-01 00:00:00.000000", "1999-12-31 23:59:59.123456"]) == [
        "2024-05-01T00:00:00.000000Z",
        "1999-12-31T23:59:59.123456Z",
    ]
    assert zulu_column([]) == []


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("2016-12-31T23:59:60Z", "a leap second: RFC 3339 has them, Python does not"),
        ("0000-01-01T00:00:00Z", "year 0"),
        ("0001-01-01T00:30:00+01:00", "before year 1 once in UTC"),
        ("9999-12-31T23:30:00-01:00", "after year 9999 once in UTC"),
    ],
)
def test_a_time_python_cannot_hold_is_named_by_its_place(bad: str, why: str) -> None:
    assert _DATE_TIME.is_valid(bad), "the schema lets it through; the registry must say no itself"
    texts = ["2024-05-01T00:00:00Z"] * 3 + [bad] + ["2024-05-01T00:00:00Z"]
    with pytest.raises(UnreadableTime) as caught:
        utc_column(texts)
    assert (caught.value.index, caught.value.text) == (3, bad), why
    assert bad in str(caught.value)


def test_an_empty_column_is_empty() -> None:
    assert utc_column([]) == []
