"""Code lists: the versioned lists of codes a standard ships (currencies, countries, provinces, document names).

A version declares its code lists in ``version.toml`` (``[code_lists.<id>]``: the
file, who maintains the list, the list's own version, a title). The codes are read
from the file only when asked for (the lists can be large: 8,940 Thai sub-districts),
so loading the catalog stays cheap. The XML engine uses them to say which list, and
which version of it, a rejected code is missing from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["CodeList", "describe_file"]

_XSD = "http://www.w3.org/2001/XMLSchema"
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

# What a code list file's name says: UN/CEFACT writes AGENCY_ListName_Version.xsd.
_AGENCY_FILE = re.compile(r"(?P<agency>ISO|UNECE|EDIFICAS-EU|ETDA)_(?P<name>.+)_(?P<version>[^_]+)\.xsd")
_PLAIN_FILE = re.compile(r"_*(?P<name>.+?)_(?P<version>\d+p\d+|\d{4}(?:-\d{2}-\d{2})?|D\d{2}[A-Z]|\d+)\.xsd")
# the few lists whose international name a reader looks for
_WELL_KNOWN = {
    "ISO3AlphaCurrencyCode": "ISO 4217 currency codes",
    "ISOTwo-letterCountryCode": "ISO 3166-1 alpha-2 country codes",
    "ISO2AlphaLanguageCode": "ISO 639-1 language codes",
    "LanguageCode": "ISO 639 language codes",
    "MeasurementUnitCommonCode": "UN/ECE Recommendation 20 units of measure",
}


@dataclass(frozen=True)
class CodeList:
    """One code list of a version: where it is, who maintains it, which version of it."""

    id: str
    file: Path
    agency: str
    version: str
    title_en: str
    title_th: str = ""
    #: the relative path of ``file`` inside the version folder, as reports show it
    path: str = ""

    @cached_property
    def codes(self) -> frozenset[str]:
        """Every code the list allows (its XSD enumerations)."""
        from lxml import etree  # only when a list is read: loading the catalog stays light

        doc = etree.parse(str(self.file), etree.XMLParser(**_SAFE))
        return frozenset(e.get("value", "") for e in doc.iter(f"{{{_XSD}}}enumeration"))

    @property
    def label(self) -> str:
        """``ISO 4217 currency codes (ISO3AlphaCurrencyCode, version 2012-08-31)``."""
        return f"{self.title_en} ({self.id}, version {self.version})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": {"en": self.title_en, "th": self.title_th},
            "agency": self.agency,
            "version": self.version,
            "file": self.path,
        }


def describe_file(path: Path) -> dict[str, str]:
    """What a code list file's name and target namespace say about it: id, agency, version, title.

    Used by ``dxs standards import`` to declare a package's lists; a reviewer checks the result.
    """
    name = path.name
    match = _AGENCY_FILE.fullmatch(name)
    if match:
        agency, ident, version = match["agency"], match["name"], match["version"]
    else:
        plain = _PLAIN_FILE.fullmatch(name)
        ident, version = (plain["name"], plain["version"]) if plain else (path.stem, "")
        agency = "TISI" if ident.startswith("TISI") else "ETDA" if "ETDA" in path.parts else ""
    version = re.sub(r"^(\d+)p(\d+)$", r"\1.\2", version)
    base = re.sub(r"_.*$", "", ident)
    title = _WELL_KNOWN.get(base) or _WELL_KNOWN.get(ident) or re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", ident).replace("_", " ")
    return {"id": ident, "agency": agency, "version": version, "title_en": title}
