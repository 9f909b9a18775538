"""The sectors a standard or an agency belongs to: each sector's code and its Thai and English names.

A standard's ``sector`` in the catalog must be one of :data:`SECTORS`; pages, reports
and charts name a sector with :func:`sector_name`.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SECTORS", "SECTOR_NAMES", "SectorName", "sector_name"]


class SectorName:
    """A sector's Thai (``th``) and English (``en``) names."""

    __slots__ = ("en", "th")

    def __init__(self, th: str, en: str) -> None:
        self.th, self.en = th, en


#: Sector code → its names, in the order the catalog lists them.
SECTOR_NAMES: Mapping[str, SectorName] = {
    "finance": SectorName("การเงินการคลัง", "Finance"),
    "commerce": SectorName("การค้าและธุรกิจ", "Commerce"),
    "public-administration": SectorName("การบริหารราชการ", "Public administration"),
    "health": SectorName("สาธารณสุข", "Health"),
    "education": SectorName("การศึกษา", "Education"),
    "transport": SectorName("คมนาคมขนส่ง", "Transport"),
    "land": SectorName("ที่ดิน", "Land"),
    "social-welfare": SectorName("สวัสดิการสังคม", "Social welfare"),
    "agriculture": SectorName("เกษตร", "Agriculture"),
    "statistics": SectorName("สถิติ", "Statistics"),
}
#: Every sector code.
SECTORS: tuple[str, ...] = tuple(SECTOR_NAMES)


def sector_name(code: str) -> SectorName:
    """The Thai and English names of a sector; an unknown code is named by itself in both."""
    return SECTOR_NAMES.get(code) or SectorName(code, code)
