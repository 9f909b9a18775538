"""Thai-specific value checks used by the national standards.

Each check is a pure predicate on a string. JSON Schemas use them as named
``format`` values (see :data:`THAI_FORMATS`); XML standards express the same
rules as XSD patterns plus Schematron asserts where a pattern cannot compute
a check digit.
"""

from __future__ import annotations

import datetime as _dt
import operator
import re
from collections.abc import Callable
from functools import lru_cache

from .years import BE_OFFSET, BE_YEARS

__all__ = [
    "PROVINCE_CODES",
    "THAI_FORMATS",
    "is_be_date",
    "is_juristic_id",
    "is_national_id",
    "is_postcode",
    "is_province_code",
    "is_tax_id",
    "thai_id_check_digit",
]

#: The 77 province codes of the Department of Provincial Administration (DOPA).
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{n:02d}"
    for n in [
        *range(10, 28),  # Bangkok and the central / eastern provinces
        *range(30, 50),  # north-east (38 = Bueng Kan, created 2554 BE)
        *range(50, 59),  # north
        *range(60, 68),  # lower north
        *range(70, 78),  # west
        *range(80, 87),  # south (Andaman and Gulf)
        *range(90, 97),  # deep south
    ]
)

_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")
_WEIGHTS = tuple(range(13, 1, -1))
_POSTCODE = re.compile(r"[1-9][0-9]{4}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def thai_id_check_digit(first_twelve: str) -> int:
    """Return the mod-11 check digit for the first 12 digits of a Thai ID.

    The same algorithm serves the 13-digit national ID (DOPA), the juristic
    person ID (DBD) and the tax ID (Revenue Department): digit ``i`` (1-based)
    is weighted ``14 - i``; the check digit is ``(11 - sum mod 11) mod 10``.
    """
    total = sum(map(operator.mul, map(int, first_twelve), _WEIGHTS))
    return (11 - total % 11) % 10


def _valid_thirteen(value: str) -> bool:
    return bool(_THIRTEEN_DIGITS.fullmatch(value)) and thai_id_check_digit(value[:12]) == int(value[12])


def is_national_id(value: str) -> bool:
    """A 13-digit citizen ID whose first digit (the person category, 1–8) is not 0 or 9
    and whose last digit is the mod-11 check digit."""
    return _valid_thirteen(value) and value[0] not in "09"


def is_juristic_id(value: str) -> bool:
    """A 13-digit juristic person ID (first digit 0 for DBD registrations) with a valid check digit."""
    return _valid_thirteen(value) and value[0] == "0"


def is_tax_id(value: str) -> bool:
    """A 13-digit taxpayer ID: a national ID or a juristic ID, check digit included."""
    return _valid_thirteen(value)


def is_postcode(value: str) -> bool:
    """A five-digit Thai postcode whose first two digits name a postal province (10–96)."""
    return bool(_POSTCODE.fullmatch(value)) and 10 <= int(value[:2]) <= 96


def is_province_code(value: str) -> bool:
    """One of the 77 two-digit DOPA province codes."""
    return value in PROVINCE_CODES


@lru_cache(maxsize=8192)  # dates repeat across a batch of documents; the check runs per value
def is_be_date(value: str) -> bool:
    """An ISO-shaped date ``YYYY-MM-DD`` whose year is Buddhist Era (2400–2700)
    and which exists on the calendar once 543 is subtracted (29 February included)."""
    match = _ISO_DATE.fullmatch(value)
    if not match:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if year not in BE_YEARS:
        return False
    try:
        _dt.date(year - BE_OFFSET, month, day)
    except ValueError:
        return False
    return True


#: Named formats for JSON Schema ``format`` (the name a schema writes → its check).
THAI_FORMATS: dict[str, Callable[[str], bool]] = {
    "th-national-id": is_national_id,
    "th-juristic-id": is_juristic_id,
    "th-tax-id": is_tax_id,
    "th-postcode": is_postcode,
    "th-province-code": is_province_code,
    "th-be-date": is_be_date,
}
