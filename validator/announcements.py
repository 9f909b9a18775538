"""The register of announcements: standards an office announced, whether or not the catalog has a schema for them.

An announcement (e.g. ขมธอ. 3-2560) is the unit the standards office counts: one
announcement can cover several document types and versions, and many announced
standards are guidelines or prose specifications with no machine-readable form at
all. The register (``announcements.toml`` in a catalog folder) lists them with their
issuer, number, date (or only the year their number carries), kind and the source
each row was taken from. Rows are facts with a source or they are not there; what a
source left unverified stays marked so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CatalogError, StandardNotFound
from .years import BE_YEARS, be_year, ce_year

__all__ = ["KINDS", "REGISTER_FILE", "Announcement", "Register", "first_day", "load_register", "number_key"]

REGISTER_FILE = "announcements.toml"
#: ``data-structure``: defines an XML/JSON message or data structure; ``guideline``: everything else.
KINDS = ("data-structure", "guideline")
_PARTIAL_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_ID = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
#: the word sources use for a fact they could not confirm
UNVERIFIED = "unverified"


def number_key(text: str) -> str:
    """One spelling per announcement number: ``"ขมธอ.3-2568"`` and ``"ขมธอ. 3-2568"`` are the same."""
    return re.sub(r"\s+", "", text).casefold()


@dataclass(frozen=True, slots=True)
class Announcement:
    """One announced standard, as its source shows it."""

    id: str
    series: str
    number: str
    title_th: str
    title_en: str
    issuer: str
    kind: str
    source: str
    #: the Buddhist Era year, from the date or the year the number carries; ``None`` where neither is known
    year_be: int | None = None
    #: ``YYYY-MM-DD`` or ``YYYY-MM`` as far as the source shows it, else ``""``
    announced: str = ""
    caveat: str = ""
    #: made up for the demo registry or the illustrative catalog, never an official fact
    demo: bool = False

    @property
    def label(self) -> str:
        """``ขมธอ. 3-2560`` — the series and number as they are cited."""
        return f"{self.series} {self.number}".strip()

    @property
    def unverified(self) -> bool:
        """Whether the source left any part of the row unconfirmed."""
        return any(UNVERIFIED in f.lower() for f in (self.series, self.number, self.title_th, self.title_en, self.issuer))

    @property
    def year_ce(self) -> int | None:
        return ce_year(self.year_be) if self.year_be is not None else None

    @property
    def date(self) -> dt.date | None:
        """The day of announcement, where the source gives the day."""
        match = _PARTIAL_DATE.fullmatch(self.announced)
        if match and match.group(3):
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return None

    @property
    def earliest(self) -> dt.date | None:
        """The first day the announcement can have been made on, as far as the source pins it down."""
        if (day := first_day(self.announced)) is not None:
            return day
        return dt.date(self.year_ce, 1, 1) if self.year_ce is not None else None

    @property
    def precision(self) -> str:
        """``day``, ``month``, ``year`` (from the number or date) or ``unknown``."""
        match = _PARTIAL_DATE.fullmatch(self.announced)
        if match:
            return "day" if match.group(3) else "month"
        return "year" if self.year_be is not None else "unknown"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "series": self.series,
            "number": self.number,
            "year_be": self.year_be,
            "year_ce": self.year_ce,
            "announced": self.announced or None,
            "precision": self.precision,
            "title": {"th": self.title_th, "en": self.title_en},
            "issuer": self.issuer,
            "kind": self.kind,
            "source": self.source,
            "caveat": self.caveat,
            "unverified": self.unverified,
            "demo": self.demo,
        }


class Register:
    """The announcements of one or more catalog folders, looked up by id or by number."""

    def __init__(self, announcements: Iterable[Announcement] = (), *, notes: Iterable[str] = ()) -> None:
        self._by_id: dict[str, Announcement] = {}
        self._by_number: dict[str, Announcement] = {}
        self.notes = tuple(notes)
        for a in announcements:
            if a.id in self._by_id:
                raise CatalogError(REGISTER_FILE, f"announcement id {a.id!r} appears twice")
            self._by_id[a.id] = a
            if UNVERIFIED not in a.number.lower() and a.number:
                self._by_number.setdefault(number_key(a.label), a)

    def __iter__(self) -> Iterator[Announcement]:
        return iter(sorted(self._by_id.values(), key=lambda a: (a.year_be or 9999, a.announced, a.label)))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.find(key) is not None

    def find(self, key: str) -> Announcement | None:
        """The announcement with this id, or this series and number (spacing ignored)."""
        return self._by_id.get(key) or self._by_number.get(number_key(key))

    def get(self, key: str) -> Announcement:
        found = self.find(key)
        if found is None:
            raise StandardNotFound(f"no announcement {key!r} in the register")
        return found


def first_day(text: str) -> dt.date | None:
    """The first day of a ``YYYY-MM-DD`` or ``YYYY-MM`` date (``None``: not such a date, or no real day)."""
    match = _PARTIAL_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
    except ValueError:
        return None


def _entry(path: Path, n: int, raw: Any) -> Announcement:
    where = f"announcement[{n}]"
    if not isinstance(raw, dict):
        raise CatalogError(path, "must be a table", where)

    def text(key: str, *, required: bool = True) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise CatalogError(path, f"must be a non-empty string, got {value!r}", f"{where}.{key}")
        return value.strip()

    ident = text("id")
    if not _ID.fullmatch(ident):
        raise CatalogError(path, f"{ident!r} is not lowercase and dot/dash separated", f"{where}.id")
    kind = text("kind")
    if kind not in KINDS:
        raise CatalogError(path, f"{kind!r} is not one of {', '.join(KINDS)}", f"{where}.kind")
    year = raw.get("year_be")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or year not in BE_YEARS):
        raise CatalogError(path, f"must be a Buddhist Era year (2400-2700), got {year!r}", f"{where}.year_be")
    announced = raw.get("announced", "")
    if isinstance(announced, dt.date) and not isinstance(announced, dt.datetime):
        announced = announced.isoformat()
    if not isinstance(announced, str) or (announced and first_day(announced) is None):
        raise CatalogError(path, f"must be a date (YYYY-MM-DD), a month (\"YYYY-MM\") or absent, got {announced!r}", f"{where}.announced")
    if announced and year is not None and be_year(int(announced[:4])) != year:
        raise CatalogError(path, f"date {announced} is not in BE {year}", f"{where}.announced")
    demo = raw.get("demo", False)
    if not isinstance(demo, bool):
        raise CatalogError(path, f"must be true or false, got {demo!r}", f"{where}.demo")
    return Announcement(
        id=ident,
        series=text("series"),
        number=text("number", required=False),
        title_th=text("title_th", required=False),
        title_en=text("title_en", required=False),
        issuer=text("issuer"),
        kind=kind,
        source=text("source"),
        year_be=year if year is not None else (be_year(int(announced[:4])) if announced else None),
        announced=announced,
        caveat=text("caveat", required=False),
        demo=demo,
    )


def read_register_file(path: Path) -> tuple[list[Announcement], str]:
    """The announcements of one register file, and its note."""
    import tomllib

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise CatalogError(path, f"cannot be read: {exc.strerror}") from None
    rows = data.get("announcement", [])
    if not isinstance(rows, list):
        raise CatalogError(path, "must be an array of tables ([[announcement]])", "announcement")
    note = data.get("note", "")
    if not isinstance(note, str):
        raise CatalogError(path, "must be a string", "note")
    return [_entry(path, n, raw) for n, raw in enumerate(rows)], note


def load_register(folders: Iterable[Path]) -> Register:
    """Every ``announcements.toml`` found at the top of ``folders``."""
    found: list[Announcement] = []
    notes: list[str] = []
    for folder in folders:
        path = Path(folder) / REGISTER_FILE
        if path.is_file():
            rows, note = read_register_file(path)
            found.extend(rows)
            if note:
                notes.append(note)
    return Register(found, notes=notes)
