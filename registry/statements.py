"""SQL statements written once for both databases, sent straight to the driver by a write.

SQLAlchemy spends tens of microseconds of Python on each statement it runs (events,
compiled-cache lookups, result set-up), more than SQLite takes to run it; declaring a
link runs nine. These few are written as plain SQL with ``:name`` parameters (sqlite3
takes them as they are; psycopg as ``%(name)s``) and run by a
:class:`registry.unit_of_work.WriteTx` on its DB-API connection, so they commit or roll
back with it. Everything else uses SQLAlchemy.
"""

from __future__ import annotations

import re
import sqlite3
import sys

from sqlalchemy.exc import DBAPIError

__all__ = ["Statement", "is_database_error"]

_PARAMETER = re.compile(r"(?<!:):(\w+)")  # ``:name``, not a ``::type`` cast


class Statement:
    """One SQL statement with ``:name`` parameters, in SQLite's and PostgreSQL's forms."""

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


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` came from the database or its driver (rather than the registry's own checks)."""
    psycopg = sys.modules.get("psycopg")  # not imported: not a PostgreSQL session, and the CLI starts faster
    return isinstance(exc, (DBAPIError, sqlite3.Error)) or (psycopg is not None and isinstance(exc, psycopg.Error))
