"""Reliability fixtures: a seeded registry (SQLite, or PostgreSQL where a test needs it); its app is :func:`tests.kit.world.app_for`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need
from tests.kit.postgres import postgres_database, postgres_problem
from tests.kit.world import World, seed


@pytest.fixture
def sqlite_world(tmp_path: Path) -> World:
    """A migrated SQLite registry with RD, CGD, DOPA, their keys, an office key, a revoked key and a link."""
    return seed(f"sqlite:///{tmp_path / 'registry.sqlite'}", tmp_path / "log.key")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on 127.0.0.1 (skips outside CI when there is none)."""
    problem = postgres_problem()
    need(problem is None, f"PostgreSQL is not reachable on 127.0.0.1:5432 ({problem}); this test needs it")
    with postgres_database("rel") as url:
        yield url


@pytest.fixture
def postgres_world(postgres_url: str, tmp_path: Path) -> World:
    return seed(postgres_url, tmp_path / "log.key")

