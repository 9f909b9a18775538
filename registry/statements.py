"""The statements every write runs, sent straight to the database driver.

SQLAlchemy spends tens of microseconds of Python on each statement it runs (events,
compiled-cache lookups, result set-up), more than SQLite takes to run it; declaring a
link runs nine. These few are written once as plain SQL with ``:name`` parameters
(sqlite3 takes them as they are; psycopg as ``%(name)s``) and run on the DB-API
connection of the session's transaction, so they commit or roll back with it. Values
go in as SQLAlchemy would store them: on SQLite, times as UTC text
(``YYYY-MM-DD HH:MM:SS.ffffff``) and dates as ``YYYY-MM-DD``; PostgreSQL takes them
as they are. Everything else keeps using SQLAlchemy.

On PostgreSQL, each wait for an answer is a round trip while the log is locked.
Statements whose answers can wait are sent together (:func:`pipeline`), and a group of
writes (:func:`deferred`) does not even wait for those: they travel with the next
statement whose rows are needed.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .canonical import stored_time, to_utc

__all__ = [
    "Statement", "deferred", "driver_of", "from_db_time", "hold", "held", "is_database_error", "on_postgres", "pipeline",
    "settle_pipelines",
]

_PARAMETER = re.compile(r"(?<!:):(\w+)")  # ``:name``, not a ``::type`` cast

#: In a pooled connection's ``info``: a group of writes is deferring answers (:func:`deferred`) ...
_DEFERRING = "dxs_deferring"
#: ... and the pipeline left open for them.
_OPEN = "dxs_pipeline"


def held(session: Session, name: str) -> Any:
    """What :func:`hold` kept under ``name`` for the session's current transaction, else ``None``."""
    kept = session.info.get(name)
    transaction = session.get_transaction()
    return kept[1] if kept is not None and transaction is not None and kept[0] is transaction else None


def hold(session: Session, name: str, value: Any) -> Any:
    """Keep ``value`` in ``session.info`` for the rest of the session's current transaction; ``value``."""
    session.info[name] = (session.get_transaction(), value)
    return value


def on_postgres(session: Session) -> bool:
    """Whether the session's transaction (beginning it) runs on PostgreSQL."""
    return _linked(session).postgres


def driver_of(session: Session) -> tuple[Any, bool]:
    """The DB-API connection of the session's transaction (beginning it), and whether it is PostgreSQL's."""
    linked = _linked(session)
    return linked.driver, linked.postgres


class _Linked(NamedTuple):
    driver: Any  # the DB-API connection
    postgres: bool
    info: dict[Any, Any]  # the pooled connection's, which lives as long as the DB-API connection


def _linked(session: Session) -> _Linked:
    """What the session's transaction runs on.

    Kept for the transaction: asking the session for its connection costs more than
    running a statement on SQLite, and a write asks about ten times while it holds the
    one write lock.
    """
    linked = held(session, "driver")
    if linked is None:
        connection = session.connection()
        postgres = connection.dialect.name == "postgresql"
        linked = hold(session, "driver", _Linked(connection.connection.driver_connection, postgres, connection.info))
    return linked  # type: ignore[no-any-return]


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
    of them is raised as the block ends, and fails the transaction. Inside
    :func:`deferred` the block does not wait for the answers at all, and an error is
    raised wherever they are next read (see there).
    """
    driver, postgres, info = _linked(session)
    if not postgres:
        yield
        return
    if info.get(_DEFERRING):
        if _OPEN not in info:
            opened: AbstractContextManager[Any] = driver.pipeline()
            opened.__enter__()
            info[_OPEN] = opened
        yield
        return
    with driver.pipeline():
        yield


@contextmanager
def deferred(session: Session) -> Iterator[None]:
    """A group of writes in one transaction that does not wait for the answers of its :func:`pipeline` blocks.

    On PostgreSQL their statements stay queued in the connection's pipeline and are
    answered together with the next statement whose rows are read, before SQLAlchemy's
    next statement, or as the block ends; so a write waits for no answer of its own.
    The price: a statement's error surfaces wherever the answers are next read, not
    necessarily in its own write (:func:`is_database_error` tells such errors apart).
    A no-op on SQLite, whose statements answer at once.
    """
    _, postgres, info = _linked(session)
    if not postgres:
        yield
        return
    info[_DEFERRING] = True
    done = False
    try:
        yield
        done = True
    finally:
        info.pop(_DEFERRING, None)
        # the last answers: a write's error surfaces here, before any commit (ignored if the block failed)
        _settle(info, quiet=not done)


def _settle(info: dict[Any, Any], *, quiet: bool = False) -> None:
    """Read the answers still owed to a deferred group and leave pipeline mode (errors ignored if ``quiet``:
    the transaction is being rolled back)."""
    opened = info.pop(_OPEN, None)
    if opened is None:
        return
    try:
        opened.__exit__(None, None, None)
    except Exception:
        if not quiet:
            raise


def settle_pipelines(engine: Engine) -> None:
    """Make a PostgreSQL engine leave a deferred group's pipeline before it runs anything of its own.

    SQLAlchemy reads a statement's columns as soon as it has run, which a pipeline does
    not allow; a commit or rollback must not overtake the statements queued before it.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _execute(conn: Any, *_: Any) -> None:
        _settle(conn.info)

    # A connection already lost has no answers to read: asking for its ``info`` would reconnect.
    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        if not conn.invalidated:
            _settle(conn.info)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        if not conn.invalidated:
            _settle(conn.info, quiet=True)

    @event.listens_for(engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        record.info.pop(_DEFERRING, None)
        _settle(record.info, quiet=True)


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database or its driver (rather than the registry's own checks)."""
    psycopg = sys.modules.get("psycopg")  # not imported: not a PostgreSQL session, and the CLI starts faster
    return isinstance(exc, (DBAPIError, sqlite3.Error)) or (psycopg is not None and isinstance(exc, psycopg.Error))


def from_db_time(value: dt.datetime | str | None) -> dt.datetime | None:
    """A time read by a :class:`Statement`: aware UTC, whether SQLite gave text or PostgreSQL a datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return to_utc(value)


class Statement:
    """One SQL statement with ``:name`` parameters, run on the session's driver connection."""

    __slots__ = ("postgres", "source", "sqlite")

    def __init__(self, sql: str, *, for_update: bool = False, postgres: str | None = None, postgres_only: bool = False) -> None:
        """``for_update``: lock the rows read until the commit, on PostgreSQL (SQLite's write
        transaction has locked the whole database already).

        ``postgres``: other SQL for PostgreSQL; ``postgres_only``: SQL that SQLite cannot
        run (its caller has another way there).
        """
        self.sqlite = "" if postgres_only else " ".join(sql.split())
        self.source = " ".join((postgres or sql).split())  # PostgreSQL's, with ``:name`` parameters
        self.postgres = _PARAMETER.sub(r"%(\1)s", self.source) + (" FOR UPDATE" if for_update else "")

    def renamed(self, prefix: str) -> str:
        """:attr:`source` with every parameter's name prefixed, to be one part of a larger statement."""
        return _PARAMETER.sub(lambda found: f":{prefix}{found[1]}", self.source)

    def ask(self, session: Session, params: Mapping[str, Any] | None = None) -> Callable[[], Any]:
        """Ask now, read later: what this returns gives the driver's cursor.

        On PostgreSQL the statement runs now (inside a :func:`pipeline` block it is sent
        with the others, in one round trip), so it must read nothing that the writes made
        between asking and reading would change. On SQLite, where waiting costs nothing,
        it runs when its answer is read.
        """
        if on_postgres(session):
            cursor = self.run(session, params)
            return lambda: cursor
        return lambda: self.run(session, params)

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
