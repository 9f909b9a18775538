"""Documentation pages of the standards: served by the app and written as a static site."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from dxs.registry import create_app, pages
from dxs.standards import BUNDLED_CATALOG
from dxs.validator import load_catalog


def make_client(catalog) -> TestClient:
    app = create_app(catalog=catalog)
    app.include_router(pages.router)  # the lead wires this into create_app
    return TestClient(app)


@pytest.fixture(scope="module")
def client(fixture_catalog):
    return make_client(fixture_catalog)


@pytest.fixture(scope="module")
def citizen_catalog():
    return load_catalog([BUNDLED_CATALOG / "th.dopa.citizen-profile", BUNDLED_CATALOG / "th.dopa.thai-address"])


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_row(page: str, path: str) -> str:
    """The text of the fields-table row whose path is exactly ``path``."""
    for row in re.findall(r"<tr class=\"depth-\d+[^\"]*\">(.*?)</tr>", page, re.S):
        shown = re.search(r'<span class="path mono">(.*?)</span>', row, re.S)
        if shown and text_of(shown.group(1)).replace(" ", "") == path.replace(" ", ""):
            return text_of(row)
    raise AssertionError(f"no fields row for {path}")


def test_page_shows_header_versions_with_be_years(client):
    got = client.get("/standards/th.test.permit")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    page = got.text
    for text in ("ใบอนุญาตทดสอบ", "Test permit", "CC0-1.0", "tests@example.invalid", "commerce"):
        assert text in page
    # the fixture is made up, and the page says so where a number would be
    assert "ตัวอย่าง · illustrative" in page and "ไม่มี (ตัวอย่างสมมติ)" in page
    # the default is the latest announced version; every version is in the history table
    assert "<strong>1.1.0</strong>" in page and "?version=1.0.0" in page
    assert "2021-01-15" in page and "พ.ศ. 2564" in page  # 1.1.0 announced
    assert "2021-12-31" in page and "พ.ศ. 2564" in page  # 1.0.0 sunset
    assert "2017-10-01" in page and "พ.ศ. 2560" in page  # 1.0.0 history: draft
    assert "Adds an optional expiry date" in page


def test_fields_tables_for_both_forms(client):
    page = client.get("/standards/th.test.permit").text
    assert 'id="fields-json"' in page and 'id="fields-xml"' in page
    holder = field_row(page, "/holder/nationalId")
    assert "1..1" in holder and "th-national-id" in holder
    assert "0..1" in field_row(page, "/fee") and "≥ 0" in field_row(page, "/fee")
    assert "0..1" in field_row(page, "/validUntil")
    assert "pattern: [1-8][0-9]{12}" in field_row(page, "Permit/p:Holder/p:NationalID")
    assert "0..1" in field_row(page, "Permit/@version")


def test_older_version_on_request(client):
    page = client.get("/standards/th.test.permit", params={"version": "1.0.0"}).text
    assert "the current version is" in page
    assert "0..1" in field_row(page, "/fee")
    with pytest.raises(AssertionError, match="no fields row"):
        field_row(page, "/validUntil")  # added in 1.1.0
    assert "/api/v1/standards/th.test.permit/versions/1.0.0/schema.json" in page


def test_examples_valid_in_full_invalid_with_why(client):
    page = client.get("/standards/th.test.permit").text
    assert "somchai.json" in page and "malee.xml" in page
    assert "สมชาย ใจดี" in page and "P-654321" in page  # the valid examples, in full
    assert "negative-fee.json" in page and "A fee is never negative." in page
    assert "Permit numbers are P- and six digits." in page


def test_schema_download_links_work(client):
    page = client.get("/standards/th.test.permit").text
    links = re.findall(r'href="(/api/v1/[^"]+)"', page)
    assert "/api/v1/standards/th.test.permit/versions/1.1.0/schema.json" in links
    assert "/api/v1/standards/th.test.permit/versions/1.1.0/schema.xsd" in links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_unknown_standard_or_version_is_an_html_404(client):
    for url in ("/standards/th.nope", "/standards/th.test.permit?version=9.9.9"):
        got = client.get(url)
        assert got.status_code == 404 and got.headers["content-type"].startswith("text/html")
        assert "ไม่พบมาตรฐาน" in got.text and "Traceback" not in got.text
    assert "9.9.9" in client.get("/standards/th.test.permit?version=9.9.9").text


def test_thai_descriptions_of_a_bundled_standard(citizen_catalog):
    page = make_client(citizen_catalog).get("/standards/th.dopa.citizen-profile").text
    assert "กรมการปกครอง" in page and "ตัวอย่างสมมติ" in page and "มท. ปค." not in page
    row = field_row(page, "/nationalId")
    assert "เลขประจำตัวประชาชน 13 หลัก" in row and "National ID number" in row and "1..1" in row
    assert "ชื่อกลาง (ถ้ามี)" in field_row(page, "/nameTh/middleName")
    assert "0..1" in field_row(page, "/nameTh/middleName")
    assert "ข้อมูลบัตรประจำตัวประชาชนใบปัจจุบัน" in field_row(page, "cp:CitizenProfile/cp:IdentityCard")
    assert "Since 2.0 the English name is mandatory." in page


def test_a_real_standard_names_its_announcement_and_source(bundled_catalog):
    client = make_client(bundled_catalog)
    page = client.get("/standards/th.etda.e-tax-invoice-receipt.receipt?version=2.0.0").text
    assert "ขมธอ. 3-2560" in page and "สพธอ. (ETDA)" in page and "พ.ศ. 2560" in page
    assert "ETDA/XMLValidation" in page and "5220c21021ea" in page  # the files as published
    assert "ตัวอย่าง · illustrative" not in page
    index = client.get("/").text
    assert "ตัวอย่าง · illustrative" in index and "ขมธอ. 3-2568" in index


def test_page_is_self_contained_and_thai_ready(client):
    page = client.get("/standards/th.test.permit").text
    assert '<meta charset="utf-8">' in page and '"Noto Sans Thai"' in page and "@media print" in page
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)  # no CDN, no web fonts


def test_a_broken_schema_is_reported_on_the_page(tmp_path, fixture_catalog):
    src = fixture_catalog.standard("th.test.permit").folder
    folder = tmp_path / "th.test.permit"
    import shutil

    shutil.copytree(src, folder)
    (folder / "1.1.0" / "schema.json").write_text('{"properties": {"x": {"$ref": "missing.json"}}}')
    page = make_client(load_catalog([folder])).get("/standards/th.test.permit")
    assert page.status_code == 200 and "missing.json" in page.text
    assert "Permit/p:Holder/p:NationalID" in page.text  # the XML form still documented


# --------------------------------------------------------------------------- static site


@pytest.fixture(scope="module")
def site(tmp_path_factory, citizen_catalog, fixture_catalog):
    from dxs.validator import Catalog

    catalog = Catalog([*citizen_catalog, *fixture_catalog])
    out = tmp_path_factory.mktemp("site")
    return out, pages.build_static_site(catalog, out)


def test_static_site_files(site):
    out, written = site
    expected = [
        "index.html",
        "standards/th.test.permit/index.html",
        "standards/th.test.permit/1.0.0.html",
        "standards/th.test.permit/1.1.0.html",
        "standards/th.test.permit/1.1.0/schema.json",
        "standards/th.test.permit/1.1.0/party.xsd",
        "standards/th.dopa.citizen-profile/index.html",
        "standards/th.dopa.citizen-profile/2.0.0.html",
        "standards/th.dopa.thai-address/index.html",
    ]
    for name in expected:
        assert (out / name).is_file(), name
        assert out / name in written
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "มาตรฐานข้อมูลบุคคล" in index and 'href="standards/th.test.permit/index.html"' in index
    latest = (out / "standards/th.dopa.citizen-profile/index.html").read_text(encoding="utf-8")
    assert latest == (out / "standards/th.dopa.citizen-profile/2.0.0.html").read_text(encoding="utf-8")
    assert "เลขประจำตัวประชาชน 13 หลัก" in latest and "พ.ศ. 2563" in latest


def test_static_links_resolve_on_disk(site):
    out, written = site
    checked = 0
    for page in (p for p in written if p.suffix == ".html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("#"):
                continue  # mailto: and in-page anchors
            assert not href.startswith("/"), f"{page}: absolute link {href} breaks on disk"
            assert (page.parent / unquote(parts.path)).resolve().is_file(), f"{page}: {href}"
            checked += 1
    assert checked > 20


def test_static_download_is_the_published_schema(site, fixture_catalog):
    out, _ = site
    version = fixture_catalog.resolve("th.test.permit@1.0.0")
    copied = out / "standards/th.test.permit/1.0.0/schema.xsd"
    assert copied.read_bytes() == version.xml_schema.read_bytes()
    page = (out / "standards/th.test.permit/1.0.0.html").read_text(encoding="utf-8")
    assert 'href="1.0.0/schema.xsd"' in page and 'href="../../index.html"' in page


def test_an_unknown_page_is_a_page_for_a_browser_and_json_for_a_program(client):
    page = client.get("/no/such/page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "ไม่พบหน้านี้ · Not found" in page.text and 'href="/"' in page.text and "/no/such/page" in page.text
    api = client.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get("/no/such/page").json()["code"] == "not_found"


def test_every_page_has_a_favicon(client):
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_dashboard_takes_a_be_year_as_its_ce_year(client):
    import json

    config = lambda url: json.loads(re.search(r'id="dashboard-config"[^>]*>(.*?)</script>', client.get(url).text).group(1))  # noqa: E731
    assert config("/dashboard?year=2567")["year"] == 2024 == config("/dashboard?year=2024")["year"]


def test_a_served_standard_page_has_the_menu_and_the_static_site_does_not(client, site):
    page = client.get("/standards/th.test.permit").text
    assert '<nav class="top">' in page and 'href="/dashboard"' in page
    out, written = site
    static = next(p for p in written if p.suffix == ".html" and "standards" in p.parts)
    assert '<nav class="top">' not in static.read_text(encoding="utf-8")


def test_a_served_standard_page_shows_the_demo_banner_on_demo_data(client):
    client.app.state.demo = True  # as after `dxs demo seed` (kept for good once seen)
    try:
        assert "ข้อมูลสาธิต · DEMO DATA" in client.get("/standards/th.test.permit").text
    finally:
        client.app.state.demo = False
