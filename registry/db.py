"""The registry's database: engine, sessions and the SQLite settings that make it safe.

The URL comes from ``DXS_DATABASE_URL`` (or ``dxs serve --database``): a SQLite file
by default, PostgreSQL through psycopg 3 in production. The schema is made only by
the Alembic migrations (:mod:`registry.migrate`).
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from .signing import LogSigner
from .unit_of_work import WriteTx, is_postgres, settle_pipelines

__all__ = ["DEFAULT_DATABASE_URL", "Database", "DatabaseUnavailable", "check_database", "database_url_from_env", "make_engine"]

DEFAULT_DATABASE_URL = "sqlite:///.dxs/registry.sqlite"

#: How long a SQLite writer waits for another worker's write to finish, in ms.
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: How long :func:`check_database` waits for a PostgreSQL server to answer, in seconds.
CONNECT_TIMEOUT_SECONDS = 10

#: The databases the registry runs on (its migrations and queries are written for these two).
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class DatabaseUnavailable(Exception):
    """The database at a URL cannot be used: not a URL, not a supported database, no
    driver for it, no server answering, no such database, no folder for its file.

    The message is one line naming the address (password hidden) and the cause.
    """

    exit_code = 2  # a configuration error: ``dxs`` prints the line and exits 2

    def __init__(self, url: str, cause: str, verb: str = "use") -> None:
        #: the address, its password hidden; why it cannot be used; what could not be done
        self.url, self.cause, self.verb = shown_url(url), cause, verb
        super().__init__(self.url, cause, verb)  # never the password, not even in a repr

    def __str__(self) -> str:
        return f"cannot {self.verb} database {self.url}: {self.cause}"


def database_url_from_env() -> str:
    return os.environ.get("DXS_DATABASE_URL") or DEFAULT_DATABASE_URL


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs (SQLAlchemy's default is psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def shown_url(url: str) -> str:
    """``url`` as it may be printed: the password replaced by ``***``, even in a URL that does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def parsed_url(url: str) -> URL:
    """``url`` parsed, with psycopg 3 for PostgreSQL.

    :raises DatabaseUnavailable: not a URL, or not a database the registry runs on.
    """
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(url, "not a database URL (sqlite:///FILE or postgresql://USER@HOST/DB)") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise DatabaseUnavailable(url, f"{parsed.get_backend_name()} is not supported (only sqlite and postgresql)")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or ``None`` for other databases and in-memory SQLite."""
    parsed = parsed_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, writer: WriterLock | None = None) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and explicit BEGINs.

    With ``writer``, every write transaction holds it from BEGIN to COMMIT or ROLLBACK.
    Connection failures come at first use (see :func:`check_database`).

    :raises DatabaseUnavailable: not a URL, not a supported database, or its driver is missing.
    """
    given, url = url, normalise_url(url)
    if parsed_url(given).get_backend_name() != "sqlite":
        engine = _create_engine(given, url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        settle_pipelines(engine)
        if writer is not None:

            @event.listens_for(engine, "begin")
            def _lock(conn: Connection) -> None:
                if _writes(conn):
                    writer.acquire(conn.connection.dbapi_connection)

            _release_on_end(engine, writer)
        return engine
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(given, f"cannot make folder {path.parent}: {exc.strerror or exc}") from None
    # A SQLite file's connection is a file handle: enough that no thread of the server's pool (40) queues for one.
    pool = {"pool_size": 20, "max_overflow": 40} if path is not None else {}  # in memory: one shared connection
    engine = _create_engine(given, url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool)

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
        write = _writes(conn)
        if write and writer is not None:
            writer.acquire(conn.connection.dbapi_connection)  # before SQLite's own lock: see WriterLock
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")

    if writer is not None:
        _release_on_end(engine, writer)
    return engine


def _create_engine(given: str, url: str, **options: Any) -> Engine:
    try:
        return create_engine(url, **options)
    except ImportError as exc:  # the dialect's driver (NoSuchModuleError: the dialect itself)
        raise DatabaseUnavailable(given, f"no driver for it is installed ({exc})") from None
    except ArgumentError as exc:
        raise DatabaseUnavailable(given, str(exc).splitlines()[0]) from None


def check_database(url: str) -> None:
    """Make sure the database at ``url`` can be used, before a command or the service starts on it.

    A server is connected to once (waiting at most :data:`CONNECT_TIMEOUT_SECONDS`); an
    existing SQLite file is opened; for a SQLite file not made yet, the folder it would be
    made in must be a folder that can be written (nothing is created here).

    :raises DatabaseUnavailable: with one line saying why, the password hidden.
    """
    parsed = parsed_url(url)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        _check_folder_for(url, path)
        return
    if parsed.get_backend_name() == "sqlite":
        engine = make_engine(url)
    else:
        wait = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = _create_engine(url, normalise_url(url), poolclass=NullPool, connect_args=wait)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        raise DatabaseUnavailable(url, _cause(exc.orig), "connect to" if path is None else "open") from None
    finally:
        engine.dispose()


def _check_folder_for(url: str, path: Path) -> None:
    """The nearest existing folder above ``path`` must be a folder that can be written (to make the file in)."""
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise DatabaseUnavailable(url, f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUnavailable(url, f"folder {folder} is not writable")


def _cause(error: BaseException) -> str:
    """The driver's reason in a few words: 'connection refused', 'database "x" does not exist'."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    text = text.removeprefix("connection failed: ")
    if " failed: " in text:  # psycopg: 'connection to server at "h", port 1 failed: Connection refused'
        text = text.rsplit(" failed: ", 1)[1]
    text = " ".join(text.removeprefix("FATAL:").split())
    return text[:1].lower() + text[1:] if text[1:2].islower() else text  # "Connection refused", not "SSL ..."


def _writes(conn: Connection) -> bool:
    """Whether a transaction about to begin is a write: readers' sessions say ``sqlite_begin="DEFERRED"``."""
    return conn.get_execution_options().get("sqlite_begin", "IMMEDIATE") == "IMMEDIATE"


class _FairLock:
    """A lock handed to waiting threads in the order they asked (``threading.Lock`` is not:
    under load a newcomer can take it again and again before a thread that has waited long)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the holder handing over (the lock stays held)

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


class WriterLock:
    """One writer at a time per worker, queued fairly; on a SQLite file, across workers too.

    Every write appends to the log, whose head allows one writer at a time anyway
    (``FOR UPDATE`` on PostgreSQL, the write lock on SQLite); queueing a worker's writers
    here, first come first served, keeps all but one of its threads off the database's
    lock and out of the GIL's way. On SQLite a blocking ``flock`` on a file beside the
    database extends the queue to other worker processes: SQLite's own busy handler polls
    with sleeps of up to 100 ms, which turns a queue of writers into long tails. The lock
    is held from a write transaction's ``BEGIN`` to the end of its ``COMMIT`` or
    ``ROLLBACK`` (see :func:`make_engine`), so what a request does before or after
    (parsing, checking, building the answer) runs beside other writes.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path.with_name(path.name + ".writer-lock") if path is not None else None
        self._threads = _FairLock()
        self._fd: int | None = None
        self.holder: object | None = None  # the DBAPI connection whose transaction holds it

    def acquire(self, holder: object) -> None:
        self._threads.acquire()
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self.holder = holder

    def release(self, holder: object) -> None:
        """Release if ``holder`` holds the lock (a no-op otherwise, so every way out may call it)."""
        if holder is None or self.holder is not holder:
            return
        self.holder = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


def _release_on_end(engine: Engine, writer: WriterLock) -> None:
    """Release ``writer`` once a write transaction's COMMIT or ROLLBACK has returned.

    A connection that goes back to the pool or is thrown away still holding it (an
    error mid-transaction) releases it too.
    """
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    # The dialect is handed the pool's proxy of a connection, pool events the driver's own.
    def do_commit(connection: Any) -> None:
        commit(connection)  # if it fails, the transaction is still open: the rollback that follows releases
        writer.release(getattr(connection, "dbapi_connection", connection))

    def do_rollback(connection: Any) -> None:
        try:
            rollback(connection)
        finally:
            writer.release(getattr(connection, "dbapi_connection", connection))

    # SQLAlchemy has no event after the driver's commit; the dialect's own methods are the place.
    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    for name in ("checkin", "invalidate", "close", "close_detached"):
        event.listen(engine.pool, name, lambda dbapi_connection, *_: writer.release(dbapi_connection))


class Database:
    """An engine, its session factories and the log signer every write needs.

    ``signer`` may be ``None`` for read-only use (listing, verifying).
    """

    def __init__(self, url: str, *, signer: LogSigner | None) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, writer=WriterLock(sqlite_path(self.url)))
        self.signer = signer
        #: Whether the database is PostgreSQL (else SQLite).
        self.postgres = is_postgres(self.engine)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._readers = sessionmaker(bind=self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False)

    def session(self, *, write: bool = True) -> Session:
        """A new session; ``write=False`` lets SQLite readers run beside a writer."""
        return (self._sessions if write else self._readers)()

    def begin_write(self, *, shared: bool = False) -> WriteTx:
        """A new write transaction, to be committed or rolled back by the caller (see :meth:`write`).

        ``shared``: it will hold several requests' writes (see :mod:`registry.api.writes`).
        """
        return WriteTx(self._sessions(), postgres=self.postgres, signer=self.signer, shared=shared)

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """A write transaction, committed on success and rolled back on error."""
        tx = self.begin_write()
        with tx.session, tx.session.begin():
            yield tx

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on error.

        For reads, and for writes that append nothing to the log (schema upkeep, tests'
        direct edits); writes that append use :meth:`write`.
        """
        with self.session(write=write) as session, session.begin():
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
        db.postgres = is_postgres(connection)
        db._sessions = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        db._readers = db._sessions
        return db

    def dispose(self) -> None:
        self.engine.dispose()
