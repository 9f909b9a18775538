"""The registry's database: engine, sessions and the SQLite settings that make it safe.

The URL comes from ``DXS_DATABASE_URL`` (or ``dxs serve --database``): a SQLite file
by default, PostgreSQL through psycopg 3 in production. The schema is made only by
the Alembic migrations (:mod:`registry.migrate`).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .signing import LogSigner

__all__ = ["DEFAULT_DATABASE_URL", "Database", "database_url_from_env", "make_engine"]

DEFAULT_DATABASE_URL = "sqlite:///.dxs/registry.sqlite"

#: How long a SQLite writer waits for another worker's write to finish, in ms.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url_from_env() -> str:
    return os.environ.get("DXS_DATABASE_URL") or DEFAULT_DATABASE_URL


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (SQLAlchemy's default is psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or ``None`` for other databases and in-memory SQLite."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer (several workers)
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode across application crashes
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A write takes the write lock up front: a deferred transaction that reads and then
        # writes can fail at once with SQLITE_BUSY when another worker wrote in between.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class WriterLock:
    """One SQLite writer at a time across threads and worker processes, queued fairly.

    SQLite's own busy handler polls with sleeps of up to 100 ms, which turns a queue of
    writers into long tails; a blocking ``flock`` on a file beside the database wakes
    the next writer the moment the last one commits.
    """

    def __init__(self, path: Path) -> None:
        self._path = path.with_name(path.name + ".writer-lock")
        self._threads = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


class Database:
    """An engine, its session factory and the log signer every write session needs.

    ``signer`` may be ``None`` for read-only use (listing, verifying).
    """

    def __init__(self, url: str, *, signer: LogSigner | None, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self.engine = engine if engine is not None else make_engine(self.url)
        self.signer = signer
        path = sqlite_path(self.url)
        self._writer = WriterLock(path) if path is not None else None
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False, info={"log_signer": signer})
        self._readers = sessionmaker(
            bind=self.engine.execution_options(sqlite_begin="DEFERRED"),
            expire_on_commit=False,
            info={"log_signer": signer},
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool = True) -> Session:
        """A new session; ``write=False`` lets SQLite readers run beside a writer."""
        return (self._sessions if write else self._readers)()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the right to write for a whole transaction (SQLite files; a no-op elsewhere)."""
        if self._writer is None:
            yield
        else:
            with self._writer.hold():
                yield

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error."""
        with self.writing() if write else nullcontext(), self.session(write=write) as session, session.begin():
            yield session

    @classmethod
    def bound_to(cls, connection: Connection, *, signer: LogSigner) -> Database:
        """A database whose sessions run inside ``connection``'s transaction, as savepoints.

        Tests use it to roll every test back; commits then only release a savepoint.
        """
        db = cls.__new__(cls)
        db.url = str(connection.engine.url)
        db.engine = connection.engine
        db.signer = signer
        db._sessions = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False, info={"log_signer": signer}
        )
        db._readers = db._sessions
        db._writer = None
        return db

    def dispose(self) -> None:
        self.engine.dispose()
