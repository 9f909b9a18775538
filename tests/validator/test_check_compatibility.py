"""`dxs standards check` refuses a version number smaller than its changes need."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG
from dxs.validator import load_catalog
from dxs.validator.catalog_checks import check_catalog, check_compatibility

V11 = Path("th.test.permit") / "1.1.0"


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "cat")
    return tmp_path / "cat"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def relock(folder: Path) -> None:
    from dxs.validator.publish import lock_version

    for v in load_catalog([folder]).versions():
        if v.is_announced:
            lock_version(v)


def test_the_fixture_history_passes(fixture_catalog) -> None:
    assert check_compatibility(fixture_catalog, fixture_catalog.standard("th.test.permit")) == []


def test_a_minor_version_that_breaks_fails_naming_the_change(catalog_dir) -> None:
    # 1.1.0 now limits a holder's name that 1.0.0 left free: documents of 1.0.0 may fail
    edit(catalog_dir / V11 / "party.json", '"minLength": 1}', '"minLength": 1, "maxLength": 40}')
    relock(catalog_dir)
    found = [str(f) for f in check_catalog(load_catalog([catalog_dir]))]
    assert len(found) == 1, found
    assert "th.test.permit@1.1.0" in found[0] and "version.toml" in found[0]
    assert "is a minor bump from 1.0.0, but its changes need a major version" in found[0]
    assert "max-length-added at party.json#/properties/name/maxLength" in found[0]


def test_a_patch_that_adds_something_fails(catalog_dir) -> None:
    # renaming 1.1.0 to 1.0.1 turns its additions into a patch, which may only change documentation
    folder = catalog_dir / "th.test.permit"
    (folder / "1.1.0").rename(folder / "1.0.1")
    edit(folder / "1.0.1" / "version.toml", 'version = "1.1.0"', 'version = "1.0.1"')
    found = [str(f) for f in check_compatibility(load_catalog([catalog_dir]), load_catalog([catalog_dir]).standard("th.test.permit"))]
    assert len(found) == 1 and "is a patch bump from 1.0.0, but its changes need a minor version" in found[0]
    assert "property-added-to-closed-content-model at /properties/validUntil" in found[0]


def test_the_bundled_catalog_history_passes(bundled_catalog) -> None:
    for standard in bundled_catalog:
        assert check_compatibility(bundled_catalog, standard) == [], standard.id
