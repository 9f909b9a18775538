"""The portal's request form and the office's work lists in a real headless Chromium.

A real `dxs serve` over a small demo registry: an agency signs in, files a request for a
standard with the form and finds it in its list; the office signs in and reads `/needs`
and `/upkeep`. Thai must be drawn with a Thai font; screenshots are kept in test-output/.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.test_dashboard import assert_thai_is_drawn
from tests.conftest import ROOT
from tests.kit.browser import OUTPUT, launch, need_browser
from tests.kit.dxs import Server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    need_browser()
    folder = tmp_path_factory.mktemp("worklists")
    url, key = f"sqlite:///{folder / 'demo.sqlite'}", folder / "log.key"
    env = os.environ | {"DXS_LOG_LEVEL": "warning"}

    def dxs(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "dxs.cli", *args, "--database", url, "--log-key", str(key)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    dxs("demo", "seed", "--scale", "0.25")
    keys = {"agency": dxs("registry", "key", "create", "RD", "--label", "browser test"),
            "office": dxs("registry", "key", "create", "--office", "--label", "browser test")}
    server = Server(url, key, log_file=folder / "serve.log", env={"DXS_LOG_LEVEL": "warning"}).start()
    try:
        yield server.base, keys
    finally:
        server.stop()


def _sign_in(page, base: str, key: str) -> None:
    page.goto(f"{base}/my/links")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{base}/my/links*")


def test_an_agency_files_a_request_with_the_form(served, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    base, keys = served
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(locale="th-TH")
        _sign_in(page, base, keys["agency"])
        page.goto(f"{base}/my/requests")
        page.fill("input[name=document_type]", "ใบรับรองการฝึกอบรม (browser test)")
        page.check("input[name=sectors][value=finance]")
        page.select_option("select[name=urgency]", "high")
        page.fill("textarea[name=urgency_reason]", "บริการออนไลน์เปิดปีงบประมาณหน้า")
        page.click("button[type=submit]:has-text('File the request')")
        page.wait_for_load_state()
        body = page.inner_text("body")
        assert "ใบรับรองการฝึกอบรม (browser test)" in body and "open" in body
        assert_thai_is_drawn(page, "h1")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "portal-requests.png"), full_page=True)
        # a bad volume is refused on the page, and nothing is filed
        page.fill("input[name=document_type]", "ไม่ควรถูกบันทึก")
        page.check("input[name=sectors][value=finance]")
        page.fill("input[name=yearly_volume]", "-5")
        page.click("button[type=submit]:has-text('File the request')")
        page.wait_for_load_state()
        assert "ไม่ควรถูกบันทึก" not in page.inner_text("table") and "1 request." in page.inner_text("body")
        page.screenshot(path=str(OUTPUT / "portal-requests-refused.png"), full_page=True)
        browser.close()


def test_the_office_reads_its_work_lists(served) -> None:
    from playwright.sync_api import sync_playwright

    base, keys = served
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(locale="th-TH")
        refused = page.goto(f"{base}/needs")
        assert refused is not None and refused.status == 401
        _sign_in(page, base, keys["office"])
        for path, heading in (("/needs", "มาตรฐานที่ต้องการ"), ("/upkeep", "การดูแลมาตรฐาน")):
            answer = page.goto(f"{base}{path}")
            assert answer is not None and answer.status == 200
            assert heading in page.inner_text("h1")
            assert page.query_selector("table") is not None, f"{path} shows no table"
            assert_thai_is_drawn(page, "h1")
            page.screenshot(path=str(OUTPUT / f"worklist{path.replace('/', '-')}.png"), full_page=True)
        browser.close()
