"""Shared fixtures: the fixture catalog, the shared corpora, the CI rule for skips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.kit import ROOT
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_CATALOG = FIXTURES / "catalog"
CORPORA = ROOT.parent / "shared" / "corpora"
SOURCES = ROOT.parent / "shared" / "sources"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip with ``reason`` outside CI; in CI a missing prerequisite is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpora() -> Path:
    need(CORPORA.is_dir(), f"the shared reference corpora are absent ({CORPORA}); conformance tests need them")
    return CORPORA


@pytest.fixture(scope="session")
def sources() -> Path:
    """The published material the catalog's real standards were taken from (../shared/sources)."""
    need(SOURCES.is_dir(), f"the shared sources are absent ({SOURCES}); the tests of real standards need them")
    return SOURCES


@pytest.fixture(scope="session")
def fixture_catalog():
    from dxs.validator import load_catalog

    return load_catalog([FIXTURE_CATALOG])


@pytest.fixture(scope="session")
def bundled_catalog():
    from dxs.standards import BUNDLED_CATALOG
    from dxs.validator import load_catalog

    return load_catalog([BUNDLED_CATALOG])


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    # compiled Schematron goes to a cache of the test run's own, not the user's
    os.environ["DXS_CACHE_DIR"] = str(tmp_path_factory.mktemp("dxs-cache"))


@pytest.fixture(autouse=True)
def _no_ambient_catalog(monkeypatch):
    # a developer's DXS_CATALOG must not change what the tests see
    monkeypatch.delenv("DXS_CATALOG", raising=False)
    monkeypatch.delenv("DXS_BUNDLED_CATALOG", raising=False)


@pytest.fixture
def catalog_dir(tmp_path, monkeypatch):
    """A writable copy of the fixture catalog, and the bundled catalog switched off."""
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    shutil.copytree(FIXTURE_CATALOG, tmp_path / "cat")
    return tmp_path / "cat"
