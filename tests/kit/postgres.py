"""Throw-away databases on the test PostgreSQL server (127.0.0.1:5432, user postgres, trust authentication)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The PostgreSQL server the project's machines and CI run (trust authentication).
PG_ADMIN_URL = os.environ.get("DXS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or ``None`` when it can."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not reachable"
        text = str(exc).strip()
        return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def create_postgres_database(tag: str = "stress") -> str:
    """A new empty database on the test server; its URL."""
    import psycopg

    name = f"dxs_{tag}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_database(tag: str = "stress") -> Iterator[str]:
    """A new empty database on the test server (its URL), dropped afterwards."""
    url = create_postgres_database(tag)
    try:
        yield url
    finally:
        drop_postgres_database(url)


@contextmanager
def scratch_database(kind: str, folder: Path, tag: str = "stress") -> Iterator[str]:
    """A fresh database of ``kind`` (``sqlite``, a file in ``folder``, or ``postgresql``), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'registry.sqlite'}"
        return
    with postgres_database(tag) as url:
        yield url
