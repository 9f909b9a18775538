"""The API documentation (/docs, /redoc) works without internet: everything comes from the service.

On a closed network a page that loads Swagger UI or ReDoc from a CDN stays white
(`SwaggerUIBundle is not defined`). The real-browser test opens /docs and /redoc of a
real `dxs serve` in headless Chromium and checks that they render and that no request
went anywhere but the service; the in-process test checks the pages' HTML.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.kit.browser import OUTPUT, launch, need_browser
from tests.kit.dxs import Server



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_browser()
    folder = tmp_path_factory.mktemp("api-docs")
    server = Server(f"sqlite:///{folder / 'registry.sqlite'}", folder / "log.key", log_file=folder / "serve.log",
                    env={"DXS_LOG_LEVEL": "warning"}).start()
    try:
        yield server.base
    finally:
        server.stop()


class Watched:
    """A page of ``server`` in Chromium, with what it asked of other hosts and what went wrong.

    A request that the page's Content-Security-Policy stopped in the browser did not leave it.
    """

    def __init__(self, browser, server: str) -> None:
        self.page = page = browser.new_page(viewport={"width": 1280, "height": 900})
        self._errors: list[str] = []
        self._elsewhere: list[str] = []
        self._stopped: list[str] = []
        page.on("pageerror", lambda e: self._errors.append(str(e)))
        page.on("console", lambda m: self._errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: self._errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: None if r.url.startswith((server + "/", "data:", "blob:")) else self._elsewhere.append(r.url))
        page.on("requestfailed", lambda r: self._stopped.append(r.url) if r.failure == "csp" else None)

    def left(self) -> list[str]:
        """The requests that went to another host."""
        return [url for url in self._elsewhere if url not in self._stopped]

    def errors(self) -> list[str]:
        """Script errors, failed loads and console errors (but the policy's own report of what it stopped)."""
        return [e for e in self._errors if not ("Content Security Policy" in e and any(url in e for url in self._stopped))]

    @classmethod
    def opened(cls, browser, server: str, path: str, ready: str) -> Watched:
        """``path`` of ``server`` once ``ready`` shows and the network is quiet."""
        watched = cls(browser, server)
        watched.page.goto(f"{server}{path}")
        watched.page.wait_for_selector(ready, timeout=30_000)
        watched.page.wait_for_load_state("networkidle")
        return watched

    def screenshot(self, shot: Path) -> None:
        self.page.screenshot(path=str(shot))
        OUTPUT.mkdir(exist_ok=True)
        shutil.copy(shot, OUTPUT / shot.name)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        try:
            yield chromium
        finally:
            chromium.close()


def test_swagger_ui_renders_and_runs_operations_from_the_service_alone(server, browser, tmp_path):
    watched = Watched.opened(browser, server, "/docs", ".opblock")
    page = watched.page
    text = page.inner_text("body")
    assert "DX Standards Toolkit registry" in text
    assert "/api/v1/links" in text and "/api/v1/agencies" in text  # the operations, from /openapi.json
    watched.screenshot(tmp_path / "api-docs.png")
    assert (tmp_path / "api-docs.png").stat().st_size > 30_000

    # "Try it out" calls the service from the page: the page's policy lets it
    standards = page.locator(".opblock-get", has=page.locator(".opblock-summary-path[data-path='/api/v1/standards']"))
    standards.locator(".opblock-summary").click()
    standards.locator("button.try-out__btn").click()
    standards.locator("button.execute").click()
    page.wait_for_selector(".live-responses-table tr.response .response-col_status", timeout=30_000)
    assert standards.locator(".live-responses-table tr.response .response-col_status").inner_text().strip() == "200"

    assert not watched.left(), f"/docs fetched from elsewhere: {watched.left()}"
    assert not watched.errors(), watched.errors()


def test_redoc_renders_from_the_service_alone(server, browser, tmp_path):
    watched = Watched.opened(browser, server, "/redoc", ".api-content h1")
    page = watched.page
    text = page.inner_text("body")
    assert "DX Standards Toolkit registry" in text and "/api/v1/links" in text
    watched.screenshot(tmp_path / "api-redoc.png")
    assert not watched.left(), f"/redoc fetched from elsewhere: {watched.left()}"  # its sidebar's Redocly logo is stopped
    assert not watched.errors(), watched.errors()


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_name_only_the_service_s_own_files(fixture_catalog, path):
    from fastapi.testclient import TestClient

    from dxs.registry import create_app

    client = TestClient(create_app(catalog=fixture_catalog, database_url="sqlite://"))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'self';")
    assert not re.findall(r"(?:https?:)?//[^\s'\"<>]+", page.text), "a third-party URL in the page"
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(s.endswith(".js") for s in sources), sources
    for source in sources:  # each one is served, by the service itself
        assert source.startswith("/") and client.get(source).status_code == 200, source
