"""Debian's headless Chromium for the browser tests: where it is, how it is launched, where screenshots go."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import need
from tests.kit import ROOT

__all__ = ["OUTPUT", "launch", "need_browser"]

CHROMIUM = os.environ.get("DXS_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
#: Screenshots land here (gitignored) as well as in the test's tmp_path, so a person can look at them.
OUTPUT = ROOT / "test-output"


def need_browser() -> None:
    """Skip outside CI (fail in CI) without Playwright or Chromium, saying what to install."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "Playwright is not installed (pip install -e '.[dev]')")
    need(Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
         f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-thai-tlwg; .ci/run does it)")


def launch(playwright: Any) -> Any:
    """A headless Chromium from Debian's package (Playwright's own download does not work here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS)
