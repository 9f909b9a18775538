"""Reliability fixtures: a seeded registry (SQLite, or PostgreSQL where a test needs it) and its app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stress._world import World, create_postgres_database, drop_postgres_database, postgres_problem, seed
from tests.conftest import need


@pytest.fixture
def sqlite_world(tmp_path: Path) -> World:
    """A migrated SQLite registry with RD, CGD, DOPA, their keys, an office key, a revoked key and a link."""
    return seed(f"sqlite:///{tmp_path / 'registry.sqlite'}", tmp_path / "log.key")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on 127.0.0.1 (skips outside CI when there is none)."""
    problem = postgres_problem()
    need(problem is None, f"PostgreSQL is not reachable on 127.0.0.1:5432 ({problem}); this test needs it")
    url = create_postgres_database("rel")
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def postgres_world(postgres_url: str, tmp_path: Path) -> World:
    return seed(postgres_url, tmp_path / "log.key")


def app_for(world: World):
    """The service in process over ``world``'s database (the bundled catalog)."""
    from registry import create_app
    from registry.db import Database
    from registry.signing import load_or_create_signer
    from validator import catalog_folders, load_catalog

    return create_app(catalog=load_catalog(catalog_folders()), database=Database(world.url, signer=load_or_create_signer(world.log_key)))
