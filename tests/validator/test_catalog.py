import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CATALOG
from dxs.validator import CatalogError, StandardNotFound, load_catalog


def test_loads_standards_and_versions(fixture_catalog):
    standard = fixture_catalog.standard("th.test.permit")
    assert standard.title_th == "ใบอนุญาตทดสอบ" and standard.sector == "commerce"
    assert [v.version for v in standard.versions] == ["1.0.0", "1.1.0"]
    old = standard.version("1.0.0")
    assert old.status == "deprecated" and old.announced.isoformat() == "2018-03-01"
    assert [h.status for h in old.history] == ["draft", "announced", "deprecated"]
    assert old.xml.root == "Permit" and old.json.version_value == "1.0" and old.default


def test_resolves_id_id_at_version_and_latest_announced(fixture_catalog):
    assert fixture_catalog.resolve("th.test.permit").version == "1.1.0"
    assert fixture_catalog.resolve("th.test.permit@1.0.0").ref == "th.test.permit@1.0.0"
    with pytest.raises(StandardNotFound, match="no version '9.9.9'"):
        fixture_catalog.resolve("th.test.permit@9.9.9")
    with pytest.raises(StandardNotFound, match="no standard 'th.nope'"):
        fixture_catalog.resolve("th.nope")


@pytest.fixture
def editable(tmp_path) -> Path:
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "cat")
    return tmp_path / "cat"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        ("standard.toml", 'sector = "commerce"', 'sector = "space"', "sector"),
        ("standard.toml", 'title_en = "Test permit"\n', "", "title_en"),
        ("standard.toml", 'id = "th.test.permit"', 'id = "th.test.other"', "id"),
        ("1.0.0/version.toml", 'status = "deprecated"', 'status = "gone"', "status"),
        ("1.0.0/version.toml", "announced = 2018-03-01\n", "", "announced"),
        ("1.0.0/version.toml", "effective = 2018-06-01", 'effective = "soon"', "effective"),
        ("1.0.0/version.toml", 'version = "1.0.0"', 'version = "1.0"', "version"),
        ("1.0.0/version.toml", "date = 2017-10-01", "date = 17", "history[0].date"),
        ("1.0.0/version.toml", 'root_pointer = "/documentType"', 'root_pointer = "documentType"', "detection.json.root_pointer"),
    ],
)
def test_malformed_entries_name_the_file_and_the_field(editable, file, old, new, field):
    edit(editable / "th.test.permit" / file, old, new)
    with pytest.raises(CatalogError) as caught:
        load_catalog([editable])
    assert caught.value.path.endswith(file.split("/")[-1])
    assert caught.value.field == field
    assert field in str(caught.value) and file.split("/")[-1] in str(caught.value)


def test_broken_toml_names_the_file(editable):
    (editable / "th.test.permit" / "standard.toml").write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"standard\.toml: not valid TOML"):
        load_catalog([editable])


def test_a_standard_loaded_twice_is_an_error(editable):
    with pytest.raises(CatalogError, match="duplicates"):
        load_catalog([editable, editable / "th.test.permit"])


def test_missing_catalog_folder(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog([tmp_path / "nowhere"])


def test_the_bundled_catalog_ships_inside_the_package():
    from dxs.standards import BUNDLED_CATALOG

    assert BUNDLED_CATALOG.name == "standards" and BUNDLED_CATALOG.is_dir()


def test_a_versions_status_on_a_day_follows_its_dated_history(fixture_catalog):
    import dataclasses
    import datetime as dt

    old = fixture_catalog.standard("th.test.permit").version("1.0.0")
    assert [old.status_on(dt.date(*d)) for d in ((2017, 9, 30), (2017, 10, 1), (2018, 3, 1), (2021, 1, 14), (2021, 1, 15))] == [
        "draft", "draft", "announced", "announced", "deprecated"]
    assert old.withdrawn_on == dt.date(2021, 1, 15)
    assert fixture_catalog.standard("th.test.permit").version("1.1.0").withdrawn_on is None
    # no dated history (a real version dated by its announcement): its status from the announcement on
    undated = dataclasses.replace(old, history=(), status="announced")
    assert [undated.status_on(dt.date(2019, 1, d), dt.date(2019, 1, 2)) for d in (1, 2)] == ["draft", "announced"]
    assert undated.withdrawn_on is None
    withdrawn = dataclasses.replace(undated, status="retired")
    assert withdrawn.withdrawn_on == old.sunset
