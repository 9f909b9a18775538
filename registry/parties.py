"""The kinds of party the registry knows: government agencies and the parties they exchange with.

Government kinds make indicator 16's denominator; private juristic persons and foreign
parties take part in links but are counted apart (government–business). The Thai and
English names are the registry's vocabulary labels, not legal definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from dxs.validator.formats import thai_id_check_digit

__all__ = [
    "GOVERNMENT_KINDS",
    "KINDS",
    "PARTY_KINDS",
    "PRIVATE_JURISTIC_PERSON",
    "PartyKind",
    "juristic_id_problem",
    "kind_name",
    "unknown_kind",
]


class PartyKind(NamedTuple):
    """A kind of party: its Thai (``th``) and English (``en``) names, and whether it is government."""

    th: str
    en: str
    government: bool


#: The kind whose parties must carry a 13-digit juristic person ID.
PRIVATE_JURISTIC_PERSON = "private-juristic-person"

#: Kind code → its names, government kinds first.
PARTY_KINDS: Mapping[str, PartyKind] = {
    "ministry-department": PartyKind("ส่วนราชการ: กระทรวง กรม", "Ministry or department", True),
    "local-administration": PartyKind("ราชการส่วนภูมิภาคหรือส่วนท้องถิ่น", "Provincial or local administration", True),
    "state-enterprise": PartyKind("รัฐวิสาหกิจ", "State enterprise", True),
    "public-organisation": PartyKind("องค์การมหาชน", "Public organisation", True),
    "independent-body": PartyKind("องค์กรอิสระ / หน่วยงานอิสระของรัฐ", "Independent state body", True),
    PRIVATE_JURISTIC_PERSON: PartyKind("นิติบุคคลเอกชน", "Private juristic person", False),
    "foreign-party": PartyKind("หน่วยงานหรือนิติบุคคลต่างประเทศ", "Foreign agency or juristic person", False),
}
#: Every kind code, in the order above.
KINDS: tuple[str, ...] = tuple(PARTY_KINDS)
#: The kinds whose parties count as government (indicator 16's denominator).
GOVERNMENT_KINDS: frozenset[str] = frozenset(code for code, kind in PARTY_KINDS.items() if kind.government)


def kind_name(code: str) -> PartyKind:
    """The names of a kind; an unknown code is named by itself and is not government."""
    return PARTY_KINDS.get(code) or PartyKind(code, code, False)


def unknown_kind(code: str | None) -> str:
    """Why ``code`` is refused as a kind, naming the valid ones."""
    what = "no kind given" if code is None else f"unknown kind {code!r}"
    return f"{what}: use one of {', '.join(KINDS)}"


def juristic_id_problem(value: str) -> str | None:
    """Why ``value`` is not a juristic person ID, or ``None`` if it is one.

    A juristic person ID (DBD; also the party's tax ID) is 13 digits, starts with 0,
    and its last digit is the mod-11 check digit of the first twelve.
    """
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return f"a juristic person ID is 13 digits, not {value!r}"
    if value[0] != "0":
        return f"a juristic person ID starts with 0 ({value!r} starts with {value[0]}, as a person's ID does)"
    expected = thai_id_check_digit(value[:12])
    if int(value[12]) != expected:
        return f"the check digit of {value!r} is wrong: the 13th digit should be {expected}, not {value[12]}"
    return None
