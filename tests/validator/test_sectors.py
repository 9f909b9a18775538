"""One list of sectors, one set of names: the catalog checks against it, pages and reports name from it."""

from dxs.validator.sectors import SECTOR_NAMES, SECTORS, sector_name


def test_every_sector_has_one_thai_and_one_english_name(bundled_catalog):
    assert SECTORS == tuple(SECTOR_NAMES) and len(set(SECTORS)) == len(SECTORS)
    assert all(name.th and name.en for name in SECTOR_NAMES.values())
    assert len({name.th for name in SECTOR_NAMES.values()}) == len(SECTORS)  # no two codes share a name
    assert {s.sector for s in bundled_catalog} <= set(SECTORS)
    assert (sector_name("finance").th, sector_name("finance").en) == ("การเงินการคลัง", "Finance")
    assert (sector_name("space").th, sector_name("space").en) == ("space", "space")  # an unknown code is named by itself
