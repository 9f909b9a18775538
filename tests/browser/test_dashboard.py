"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by Playwright).

A real `dxs serve` on a free 127.0.0.1 port over a demo-seeded SQLite file (a small
demo, the same seeding code): switch the language, click a sector, download the
CSV, and keep a screenshot in the test's output folder. Outside CI the test skips,
saying why, when Chromium or Playwright is missing; in CI it must run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.kit.browser import OUTPUT, launch, need_browser
from tests.kit.dxs import Server



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    folder = tmp_path_factory.mktemp("dashboard")
    url, key = f"sqlite:///{folder / 'demo.sqlite'}", folder / "log.key"
    env = os.environ | {"DXS_LOG_LEVEL": "warning"}
    seeded = subprocess.run([sys.executable, "-m", "dxs.cli", "demo", "seed", "--scale", "0.25", "--database", url, "--log-key", str(key)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    # fiscal 2565 and 2566 published; then an agency that existed since 1 January 2023 is registered late,
    # which revises 2566 (October 2022 – September 2023) but not 2565
    for command in (
        ["report", "indicators", "--year", "2565", "--publish"],
        ["report", "indicators", "--year", "2566", "--publish"],
        ["registry", "agency", "add", "LATE-HOSP", "--name-th", "โรงพยาบาลที่ลงทะเบียนช้า", "--name-en", "Late Hospital",
         "--sector", "health", "--kind", "ministry-department", "--registered-on", "2023-01-01"],
    ):
        done = subprocess.run([sys.executable, "-m", "dxs.cli", *command, "--database", url, "--log-key", str(key)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    server = Server(url, key, log_file=folder / "serve.log", env={"DXS_LOG_LEVEL": "warning"}).start()
    try:
        yield server.base
    finally:
        server.stop()


def _thai_fonts() -> set[str]:
    """Families of the installed fonts that cover Thai, as fontconfig sees them."""
    listed = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


def assert_thai_is_drawn(page, selector: str) -> None:
    """The text at ``selector`` is drawn with a font that has Thai glyphs, not boxes.

    Chromium says which platform fonts drew a node's text, and how many glyphs each drew
    (DevTools' CSS.getPlatformFontsForNode): every Thai letter must come from a font that
    fontconfig lists for Thai. A page that merely loaded, with tofu for Thai, fails here.
    """
    text = page.inner_text(selector)
    thai = sum(1 for ch in text if "\u0e00" <= ch <= "\u0e7f")
    assert thai, f"{selector} has no Thai text: {text!r}"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    installed = _thai_fonts()
    drawn_by_thai_fonts = sum(f["glyphCount"] for f in fonts if f["familyName"] in installed)
    assert installed, "no Thai font installed (apt-get install fonts-thai-tlwg)"
    assert drawn_by_thai_fonts >= thai, f"Thai in {selector} drawn by {fonts}, none of them a Thai font ({sorted(installed)})"


def test_dashboard_language_sector_download_screenshot(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            external: list[str] = []
            page.on("request", lambda r: external.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
            page.goto(f"{server}/dashboard")
            page.wait_for_selector("#sector-rows tr")
            assert "ข้อมูลสาธิต" in page.inner_text(".demo-banner")
            assert page.inner_text("h1") == "ตัวชี้วัดที่ 15 และ 16"
            assert_thai_is_drawn(page, "h1")
            assert_thai_is_drawn(page, "#sector-rows button[data-sector='health']")
            assert page.locator("#chart15 svg").count() == 1 and page.locator("#chart16 svg").count() == 1

            page.click("#lang-en")
            assert page.inner_text("h1") == "Indicators 15 and 16"
            assert "lang=en" in page.url

            # beside indicator 16, never in it: the units exchanging only without a catalog standard
            assert "No catalog standard" in page.inner_text("table.sectors thead")
            shown = page.get_attribute("#json-year", "href")  # the year and calendar the page shows
            national = page.request.get(f"{server}{shown}").json()["indicator16"]["national"]
            cell = page.inner_text("#sector-rows tr.national td.no-standard-cell")
            assert cell == f"{national['no_standard_observed']} / {national['no_standard_declared']}"
            assert national["no_standard_declared"] > 0  # the demo seeds links without a standard

            page.click("#sector-rows button[data-sector='agriculture']")
            page.wait_for_selector("#drill:not([hidden]) #drill-rows tr")
            assert "Agriculture: agencies not yet exchanging" in page.inner_text("#drill-title")

            with page.expect_download() as download:
                page.click("#csv-drill")
            saved = tmp_path / download.value.suggested_filename
            download.value.save_as(saved)
            lines = saved.read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith("sector,code,name_th,name_en,state") and lines[1].startswith("agriculture,")

            with page.expect_download() as year_csv:
                page.click("#csv-year")
            assert year_csv.value.suggested_filename.startswith("indicators-")

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            OUTPUT.mkdir(exist_ok=True)
            shutil.copy(shot, OUTPUT / "dashboard.png")
            assert shot.stat().st_size > 50_000
            assert not errors, errors
            assert not external, f"the dashboard fetched from elsewhere: {external}"
        finally:
            browser.close()


def test_dashboard_marks_published_and_revised_figures(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server}/dashboard?lang=en")
            page.wait_for_selector("#sector-rows tr")
            assert "2023 (BE 2566) ✓ published" in page.inner_text("#year")

            page.select_option("#year", "2023")  # fiscal 2566: published, then revised by the late registration
            page.wait_for_selector("#publication.revised")
            note = page.inner_text("#publication")
            assert "Published figures, published" in note and "recomputed figures are shown beside" in note
            assert page.is_visible("#revised-head")
            health = page.locator("#sector-rows tr[data-sector='health'] td")
            published_agencies, revised = int(health.nth(1).inner_text()), health.nth(8).inner_text()
            assert revised != "=" and f"/{published_agencies + 1} (" in revised  # one more agency, shown beside
            assert page.locator("#sector-rows tr.national").count() == 1

            page.select_option("#year", "2022")  # fiscal 2565: published, unchanged
            page.wait_for_selector("#publication.published")
            assert not page.is_visible("#revised-head")
            assert "year=2022" in page.url and "fiscal=true" in page.url  # the address keeps the view

            page.click("#lang-th")
            assert "ตัวเลขที่เผยแพร่แล้ว" in page.inner_text("#publication")
            # the publication date written the Thai way, with its Buddhist-Era year ("6 ธ.ค. 2569")
            assert str(dt.date.today().year + 543) in page.inner_text("#publication")

            page.select_option("#year", "2024")  # not published
            assert "ยังไม่เผยแพร่" in page.inner_text("#publication")
            shot = tmp_path / "dashboard-published.png"
            page.select_option("#year", "2023")
            page.screenshot(path=str(shot), full_page=True)
            OUTPUT.mkdir(exist_ok=True)
            shutil.copy(shot, OUTPUT / "dashboard-published.png")
            page.goto(f"{server}/dashboard?year=2566")  # a BE year opens the same view as CE 2023
            page.wait_for_selector("#sector-rows tr")
            assert page.eval_on_selector("#year", "s => s.value") == "2023"
            assert not errors, errors
        finally:
            browser.close()
