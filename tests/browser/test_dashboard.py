"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by Playwright).

A real `dxs serve` on a free 127.0.0.1 port over a demo-seeded SQLite file (a small
demo, the same seeding code): switch the language, click a sector, download the
CSV, and keep a screenshot in the test's output folder. Outside CI the test skips,
saying why, when Chromium or Playwright is missing; in CI it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, need
from tests.kit.dxs import Server

CHROMIUM = os.environ.get("DXS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
#: Screenshots land here (gitignored) as well as in the test's tmp_path, so a person can look at them.
OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "Playwright is not installed (pip install -e '.[dev]')")
    need(Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
         f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-thai-tlwg; .ci/run does it)")
    folder = tmp_path_factory.mktemp("dashboard")
    url, key = f"sqlite:///{folder / 'demo.sqlite'}", folder / "log.key"
    env = os.environ | {"DXS_LOG_LEVEL": "warning"}
    seeded = subprocess.run([sys.executable, "-m", "cli", "demo", "seed", "--scale", "0.25", "--database", url, "--log-key", str(key)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    server = Server(url, key, log_file=folder / "serve.log", env={"DXS_LOG_LEVEL": "warning"}).start()
    try:
        yield server.base
    finally:
        server.stop()


def test_dashboard_language_sector_download_screenshot(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS)
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
            assert page.locator("#chart15 svg").count() == 1 and page.locator("#chart16 svg").count() == 1

            page.click("#lang-en")
            assert page.inner_text("h1") == "Indicators 15 and 16"
            assert "lang=en" in page.url

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
