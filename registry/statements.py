"""The statements every write runs, sent straight to the database driver.

SQLAlchemy spends tens of microseconds of Python on each statement it runs (events,
compiled-cache lookups, result set-up), more than SQLite takes to run it; declaring a
link runs nine. These few are written once as plain SQL with ``:name`` parameters
(sqlite3 takes them as they are; psycopg as ``%(name)s``) and run on the DB-API
connection of the session's transaction, so they commit or roll back with it. Values
go in as SQLAlchemy would store them: on SQLite, times as UTC text
(``YYYY-MM-DD HH:MM:SS.ffffff``) and dates as ``YYYY-MM-DD``; PostgreSQL takes them
as they are. Everything else keeps using SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from .canonical import stored_time, to_utc

__all__ = ["Statement", "driver_of", "from_db_time", "on_postgres", "pipeline"]


def on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def driver_of(session: Session) -> tuple[Any, bool]:
    """The DB-API connection of the session's transaction (beginning it), and whether it is PostgreSQL's.

    Kept in ``session.info`` for the rest of the transaction: asking the session for its
    connection costs more than running a statement on SQLite, and a write asks about ten times
    while it holds the one write lock.
    """
    transaction = session.get_transaction()
    cached = session.info.get("driver")
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1], cached[2]
    connection = session.connection()
    driver, postgres = connection.connection.driver_connection, connection.dialect.name == "postgresql"
    session.info["driver"] = (session.get_transaction(), driver, postgres)
    return driver, postgres


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return stored_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@contextmanager
def pipeline(session: Session) -> Iterator[None]:
    """Send the statements run inside to PostgreSQL together, one round trip for all (a no-op on SQLite).

    For statements whose results nobody reads before the block ends; an error in any
    of them is raised as the block ends, and fails the transaction.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    with connection.connection.driver_connection.pipeline():
        yield


def from_db_time(value: dt.datetime | str | None) -> dt.datetime | None:
    """A time read by a :class:`Statement`: aware UTC, whether SQLite gave text or PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return to_utc(value)


class Statement:
    """One SQL statement with ``:name`` parameters, run on the session's driver connection."""

    __slots__ = ("postgres", "sqlite")

    def __init__(self, sql: str, *, for_update: bool = False, postgres: str | None = None, postgres_only: bool = False) -> None:
        """``for_update``: lock the rows read until the commit, on PostgreSQL (SQLite's write
        transaction has locked the whole database already).

        ``postgres``: other SQL for PostgreSQL; ``postgres_only``: SQL that SQLite cannot
        run (its caller has another way there).
        """
        self.sqlite = "" if postgres_only else " ".join(sql.split())
        pg = " ".join((postgres or sql).split())
        self.postgres = re.sub(r"(?<!:):(\w+)", r"%(\1)s", pg) + (" FOR UPDATE" if for_update else "")

    def run(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        """Execute in the session's transaction (beginning it, as any statement would); the driver's cursor."""
        driver, postgres = driver_of(session)
        if postgres:
            cursor = driver.cursor()
            cursor.execute(self.postgres, params or {})
            return cursor
        if not self.sqlite:
            raise RuntimeError(f"not a statement for SQLite: {self.postgres[:60]}")
        return driver.execute(self.sqlite, {k: _sqlite_value(v) for k, v in (params or {}).items()})
