"""Real or illustrative, packages of document types, and the register of announcements, as the catalog loads them."""

from __future__ import annotations

import shutil

import pytest

from dxs.standards import BUNDLED_CATALOG
from tests.conftest import FIXTURE_CATALOG
from dxs.validator import CatalogError, StandardNotFound, load_catalog
from dxs.validator.announcements import number_key

PACKAGE = "th.etda.e-tax-invoice-receipt"
TYPES = ("tax-invoice", "receipt", "invoice", "debit-credit-note", "abbreviated-tax-invoice", "cancellation-note")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([BUNDLED_CATALOG])


# --------------------------------------------------------------------------- the bundled catalog


def test_one_announcement_six_document_types_each_nameable(catalog):
    members = catalog.package(PACKAGE)
    assert sorted(m.id for m in members) == sorted(f"{PACKAGE}.{t}" for t in TYPES)
    for member in members:
        assert [v.version for v in member.versions] == ["2.0.0", "2.1.0"]
        assert [v.announcement for v in member.versions] == ["ขมธอ. 3-2560", "ขมธอ. 3-2568"]
        assert catalog.resolve(f"{member.id}@2.0.0").xml.version_values[0] == "v2.0"
    with pytest.raises(StandardNotFound, match="a package of 6 document types: name one of"):
        catalog.resolve(PACKAGE)


def test_every_standard_is_real_or_labelled(catalog):
    for standard in catalog:
        assert standard.illustrative != (standard.source is not None), standard.id
        if standard.illustrative:
            assert not standard.announcements and standard.national_code == "", standard.id


def test_the_register_is_the_shared_list_row_for_row(catalog, sources):
    import csv

    rows = list(csv.DictReader((sources / "announcements" / "announcements.tsv").open(encoding="utf-8"), delimiter="\t"))
    register = list(catalog.register)
    assert len(register) == len(rows) == 27
    by_source = {(a.series, a.number, a.source): a for a in register}
    for row in rows:  # every row, with its source and its "unverified" marks as the list gives them
        found = by_source[(row["series"], row["number"], row["source"])]
        assert (found.title_th, found.title_en, found.issuer, found.kind) == (row["title_th"], row["title_en"], row["issuer"], row["kind"])
        assert found.announced == row["announced_date"] and (found.year_be or "") == (int(row["year_be"]) if row["year_be"] else "")
    assert catalog.register.notes and "lower bound" in catalog.register.notes[0]


def test_announcement_numbers_are_matched_whatever_the_spacing(catalog):
    assert number_key("ขมธอ.3-2568") == number_key("ขมธอ. 3-2568")
    row = catalog.register.get("ขมธอ.3-2568")
    assert (row.year_be, row.precision, row.unverified) == (2568, "year", True)
    assert catalog.register.get("ขมธอ. 22-2563").date.isoformat() == "2020-03-31"


def test_a_version_known_by_its_announcement_stands_from_its_year(catalog):
    version = catalog.resolve(f"{PACKAGE}.tax-invoice@2.0.0")
    assert version.announced is None and catalog.announced_on(version).isoformat() == "2017-01-01"


# --------------------------------------------------------------------------- what the loader refuses


@pytest.fixture
def permit(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(FIXTURE_CATALOG, folder)
    return folder


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_national_code_field_is_a_clear_error(permit):
    _edit(permit / "th.test.permit" / "standard.toml", "illustrative = true\n", 'national_code = "X 1-2567"\n')
    with pytest.raises(CatalogError, match="field 'national_code': is replaced by 'announcement'"):
        load_catalog([permit])


def test_an_illustrative_standard_cannot_be_announced(permit):
    _edit(permit / "th.test.permit" / "1.1.0" / "version.toml", 'status = "announced"\n', 'status = "announced"\nannouncement = "X 1"\n')
    with pytest.raises(CatalogError, match="illustrative standard is never announced"):
        load_catalog([permit])


def test_an_announcement_must_be_in_the_register(permit):
    _edit(permit / "th.test.permit" / "standard.toml", "illustrative = true\n",
          '[source]\nkind = "announced"\npublisher = "TEST"\nurl = "https://example.invalid"\n\n')
    text = (permit / "th.test.permit" / "standard.toml").read_text(encoding="utf-8")
    # [source] must come after the top-level keys: move it to the end
    head, _, rest = text.partition("[source]")
    body = rest.split("\n\n", 1)
    (permit / "th.test.permit" / "standard.toml").write_text(head + body[1] + "\n[source]" + body[0] + "\n", encoding="utf-8")
    _edit(permit / "th.test.permit" / "1.1.0" / "version.toml", 'status = "announced"\n', 'status = "announced"\nannouncement = "TEST 9-2567"\n')
    with pytest.raises(CatalogError, match="'TEST 9-2567' is not in the register"):
        load_catalog([permit])
    (permit / "announcements.toml").write_text(
        '[[announcement]]\nid = "test-9"\nseries = "TEST"\nnumber = "9-2567"\nyear_be = 2567\ntitle_th = "ทดสอบ"\n'
        'title_en = "Test"\nissuer = "TEST"\nkind = "data-structure"\nsource = "tests"\n', encoding="utf-8")
    loaded = load_catalog([permit])
    assert loaded.standard("th.test.permit").national_code == "TEST 9-2567"


@pytest.mark.parametrize(
    "row, message",
    [
        ('kind = "law"', "is not one of data-structure, guideline"),
        ("year_be = 2024", "must be a Buddhist Era year"),
        ('announced = "2024-13"', "must be a date"),
        ('announced = "2023-05-01"', "date 2023-05-01 is not in BE 2567"),
    ],
)
def test_a_bad_register_row_names_its_field(permit, row, message):
    base = {"id": '"t"', "series": '"T"', "number": '"1"', "year_be": "2567", "issuer": '"T"', "kind": '"guideline"', "source": '"s"'}
    key = row.split(" = ")[0]
    base[key] = row.split(" = ", 1)[1]
    (permit / "announcements.toml").write_text("[[announcement]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items()), encoding="utf-8")
    with pytest.raises(CatalogError, match=message) as caught:
        load_catalog([permit])
    assert "announcement[0]" in str(caught.value)


# --------------------------------------------------------------------------- the loaded catalog, kept


def test_a_changed_catalog_is_never_served_from_the_cache(permit):
    first = load_catalog([permit])
    again = load_catalog([permit])  # from the cache this time
    assert again.standard("th.test.permit").title_en == first.standard("th.test.permit").title_en == "Test permit"
    _edit(permit / "th.test.permit" / "standard.toml", 'title_en = "Test permit"', 'title_en = "Test permit (edited)"')
    assert load_catalog([permit]).standard("th.test.permit").title_en == "Test permit (edited)"
    (permit / "th.test.permit" / "1.1.0" / "schema.json").unlink()  # a file the loader looks for by name
    assert load_catalog([permit]).standard("th.test.permit").version("1.1.0").json_schema is None


def test_a_broken_edit_is_an_error_even_after_a_good_load(permit):
    load_catalog([permit])
    _edit(permit / "th.test.permit" / "1.1.0" / "version.toml", 'status = "announced"', 'status = "published"')
    with pytest.raises(CatalogError, match="'published' is not one of"):
        load_catalog([permit])


def test_the_cached_catalog_names_the_same_files_from_any_working_folder(permit, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(permit.parent)
    first = load_catalog(["catalog"])
    monkeypatch.chdir(elsewhere)
    again = load_catalog(["../catalog"])  # the same folder, named otherwise: the cache must not hand back "catalog/…"
    schema = again.standard("th.test.permit").version("1.1.0").json_schema
    assert schema.is_absolute() and schema.is_file() and schema == first.standard("th.test.permit").version("1.1.0").json_schema
