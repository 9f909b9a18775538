"""The write transaction: everything one write of the registry needs, in one object.

Every write appends to the one hash-chained log, in the same transaction as the rows it
writes. A :class:`WriteTx` carries what that takes — the session and its DB-API
connection, whether the database is PostgreSQL, the log signer, the locked log head,
and whether the transaction holds several requests' writes (a group, see
:mod:`registry.api.writes`) — so that no service reads it from a side dictionary.

Services that write take it as a keyword argument (``links.declare(*, tx, caller, …)``)
and say how they may be grouped with :func:`write_rule`. Open one with
:meth:`registry.db.Database.write`; the API's grouped writer, the command line, the demo
seed and backup restore all do.

The busiest statements go straight to the driver (:class:`registry.statements.Statement`):
SQLAlchemy's per-statement Python costs more than SQLite takes to run one. On
PostgreSQL each wait for an answer is a round trip while the log is locked, so a
transaction can send statements together (:meth:`WriteTx.sent_together`), ask now and
read later (:meth:`WriteTx.prefetch`, a :class:`Pending` answer), and a group can leave
every answer unread until it is needed (:meth:`WriteTx.answers_deferred`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session

from .merkle import EMPTY_ROOT, Frontier
from .times import stored_time
from .statements import Statement

if TYPE_CHECKING:
    from .signing import LogSigner

__all__ = ["LockedHead", "Pending", "WriteRule", "WriteTx", "is_postgres", "run_statement", "settle_pipelines", "write_rule"]

T = TypeVar("T")
U = TypeVar("U")
P = ParamSpec("P")


class Pending(Generic[T]):
    """An answer asked for now and read later, once: :meth:`result` reads it (or raises its error)."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read

    @classmethod
    def ready(cls, value: T) -> Pending[T]:
        return cls(lambda: value)

    @classmethod
    def failed(cls, error: BaseException) -> Pending[Any]:
        def raise_it() -> Any:
            raise error

        return cls(raise_it)

    def result(self) -> T:
        return self._read()

    def then(self, step: Callable[[T], U]) -> Pending[U]:
        """A pending answer made from this one by ``step`` (run when it is read)."""
        return Pending(lambda: step(self._read()))


class LockedHead(NamedTuple):
    """The log's head row, as the transaction that locked it sees it."""

    size: int  # also the sequence number of the next entry
    last_hash: str
    frontier: str  # JSON list of the Merkle frontier's roots


class WriteRule(Generic[P, T]):
    """A service function that writes, with how it may share a transaction with other writes.

    ``changes_callers``: it changes keys or agencies, which a group reads for all its writes
    as it begins; it never shares a transaction (calling it in a shared one raises).
    ``runs_long``: given the call's keyword arguments, whether this call takes long enough that
    it should not make others wait (it is committed alone; correct either way).
    ``prefetch``: what it reads, asked for before any write of its group runs (on PostgreSQL in
    the round trip that locks the log); given ``tx`` and the call's keyword arguments, its
    :class:`Pending` answer is passed back as ``prefetched=``.
    """

    def __init__(
        self,
        function: Callable[P, T],
        *,
        changes_callers: bool,
        runs_long: Callable[..., bool] | None,
        prefetch: Callable[..., Pending[Any]] | None,
    ) -> None:
        functools.update_wrapper(self, function)  # name, docstring, signature and __wrapped__, for help() and the docs
        self.changes_callers, self.runs_long, self.prefetch = changes_callers, runs_long, prefetch

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        if self.changes_callers:
            tx = kwargs.get("tx")
            if isinstance(tx, WriteTx) and tx.shared:
                raise RuntimeError(f"{self.__name__} changes keys or agencies: it must be committed alone, not in a group")
        return self.__wrapped__(*args, **kwargs)

    def goes_alone(self, arguments: Mapping[str, Any]) -> bool:
        """Whether a call with ``arguments`` must (or should) have a transaction of its own."""
        return self.changes_callers or (self.runs_long is not None and self.runs_long(**arguments))


def write_rule(
    *,
    changes_callers: bool = False,
    runs_long: Callable[..., bool] | None = None,
    prefetch: Callable[..., Pending[Any]] | None = None,
) -> Callable[[Callable[P, T]], WriteRule[P, T]]:
    """Declare a service function a write, and how it may be grouped (see :class:`WriteRule`)."""

    def declare(function: Callable[P, T]) -> WriteRule[P, T]:
        return WriteRule(function, changes_callers=changes_callers, runs_long=runs_long, prefetch=prefetch)

    return declare


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return stored_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _execute(driver: Any, postgres: bool, statement: Statement, params: Mapping[str, Any] | None) -> Any:
    if postgres:
        cursor = driver.cursor()
        cursor.execute(statement.postgres, params or {})
        return cursor
    if not statement.sqlite:
        raise RuntimeError(f"not a statement for SQLite: {statement.postgres[:60]}")
    return driver.execute(statement.sqlite, {k: _sqlite_value(v) for k, v in (params or {}).items()})


def is_postgres(bind: Engine | Connection) -> bool:
    """Whether an engine or connection speaks to PostgreSQL (else SQLite): the one way the registry asks."""
    return bind.dialect.name == "postgresql"


def run_statement(session: Session, statement: Statement, params: Mapping[str, Any] | None = None) -> Any:
    """Run ``statement`` in a (read) session's transaction, beginning it; the driver's cursor.

    Writes use :meth:`WriteTx.run`, which keeps the connection for the transaction.
    """
    connection = session.connection()
    return _execute(connection.connection.driver_connection, is_postgres(connection), statement, params)


# The lock on the log head: every write takes it first (FOR UPDATE on PostgreSQL; SQLite's
# write transaction holds the whole database already).
_LOCK_HEAD = Statement("SELECT size, last_hash, frontier FROM log_head WHERE id = 1", for_update=True)
# Then the root the head's checkpoint signed, which its frontier must still give (:func:`_vouched_head`). A
# statement of its own, run once the lock is held: on PostgreSQL it then sees the checkpoint the write
# before committed (a subquery of the locking statement would not, when that statement waited for the lock).
# With it, the hash of the last entry, which the head's ``last_hash`` must be (the next entry chains from it).
_SIGNED_ROOT = Statement(
    "SELECT root, (SELECT entry_hash FROM log_entries WHERE seq = log_checkpoints.size - 1) FROM log_checkpoints "
    "WHERE size = (SELECT size FROM log_head WHERE id = 1)"
)


def _vouched_head(size: int, last_hash: str, frontier: str, signed_root: str | None, last_entry_hash: str | None = None) -> LockedHead:
    """The head as read, if its frontier gives the root the latest checkpoint signed and its
    ``last_hash`` is the last entry's hash.

    A frontier or ``last_hash`` changed behind the service would make the next append sign a
    wrong root or chain from a wrong hash, and ``verify`` would then find an honest entry at
    fault: no write goes on top of it.

    :raises RuntimeError: the head does not agree with the signed checkpoint and the last entry.
    """
    try:
        root: str | None = Frontier(size, json.loads(frontier)).root()
    except (TypeError, ValueError):
        root = None
    if root != (signed_root if size else EMPTY_ROOT):
        problem = f"there is no signed checkpoint {size}" if size and signed_root is None else (
            f"the log head's frontier does not give the root of signed checkpoint {size}"
        )
        raise RuntimeError(
            f"{problem}: the log was changed outside the service; no entry is appended to it (run `dxs registry verify`)"
        )
    if last_hash != (last_entry_hash if size else EMPTY_ROOT):
        raise RuntimeError(
            f"the log head's last_hash is not the hash of entry {size - 1}: the log was changed outside the service; "
            "no entry is appended to it (run `dxs registry verify`)"
        )
    return LockedHead(size, last_hash, frontier)


#: In a pooled connection's ``info``: a group of writes is deferring answers ...
_DEFERRING = "dxs_deferring"
#: ... and the pipeline left open for them.
_OPEN = "dxs_pipeline"


class WriteTx:
    """One write transaction (a unit of work): see the module's docstring.

    ``shared``: it holds several requests' writes. ``log_head``: the log's head once
    :meth:`lock_log` has locked it, kept current by :func:`registry.services.log.append`.
    """

    __slots__ = ("_connection", "log_head", "postgres", "session", "shared", "signer")

    def __init__(self, session: Session, *, postgres: bool, signer: LogSigner | None, shared: bool = False) -> None:
        self.session, self.postgres, self.signer, self.shared = session, postgres, signer, shared
        self.log_head: LockedHead | None = None
        self._connection: tuple[Any, dict[Any, Any]] | None = None  # the DB-API connection, the pooled one's info

    def _connected(self) -> tuple[Any, dict[Any, Any]]:
        """The DB-API connection of the transaction (beginning it), and its pool record's ``info``.

        Kept: asking the session for its connection costs more than running a statement on
        SQLite, and a write asks about ten times while it holds the one write lock.
        """
        if self._connection is None:
            connection = self.session.connection()
            self._connection = (connection.connection.driver_connection, connection.info)
        return self._connection

    # -- statements ----------------------------------------------------------------------

    def run(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Any:
        """Execute ``statement`` in this transaction; the driver's cursor."""
        return _execute(self._connected()[0], self.postgres, statement, params)

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        """Execute driver-level ``sql`` (``%s`` placeholders on PostgreSQL, ``?`` on SQLite) once per row
        (the driver's ``executemany``, through SQLAlchemy so that a deferred group's answers are read
        first); how many rows it wrote."""
        return int(self.session.connection().exec_driver_sql(sql, rows).rowcount)

    def prefetch(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Pending[Any]:
        """Ask now, read later: the cursor, pending.

        On PostgreSQL the statement runs now (inside :meth:`sent_together` it goes with the
        others, in one round trip), so it must read nothing that the writes between asking
        and reading would change. On SQLite, where waiting costs nothing, it runs when read.
        """
        if self.postgres:
            cursor = self.run(statement, params)
            return Pending.ready(cursor)
        return Pending(lambda: self.run(statement, params))

    @contextmanager
    def sent_together(self) -> Iterator[None]:
        """Send the statements run inside to PostgreSQL together, one round trip for all (a no-op on SQLite).

        For statements whose results nobody reads before the block ends; an error in any of
        them is raised as the block ends, and fails the transaction. Inside
        :meth:`answers_deferred` the block does not wait for the answers at all.
        """
        if not self.postgres:
            yield
            return
        driver, info = self._connected()
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
    def answers_deferred(self) -> Iterator[None]:
        """A group of writes that does not wait for the answers of its :meth:`sent_together` blocks.

        On PostgreSQL their statements stay queued in the connection's pipeline and are
        answered with the next statement whose rows are read, before SQLAlchemy's next
        statement, or as the block ends; so a write waits for no answer of its own. The
        price: a statement's error surfaces wherever the answers are next read, not
        necessarily in its own write (:func:`registry.statements.is_database_error` tells
        such errors apart). A no-op on SQLite, whose statements answer at once.
        """
        if not self.postgres:
            yield
            return
        info = self._connected()[1]
        info[_DEFERRING] = True
        done = False
        try:
            yield
            done = True
        finally:
            info.pop(_DEFERRING, None)
            # the last answers: a write's error surfaces here, before any commit (ignored if the block failed)
            _read_owed_answers(info, quiet=not done)

    # -- the log --------------------------------------------------------------------------

    def lock_log(self) -> int:
        """Lock the log for this transaction (once); the sequence number its next entry gets.

        A write calls it first: rows can then carry the ``log_seq`` of the entry that records
        them, and no two writes take their locks in another order.
        """
        return self.locked_head().size

    def locked_head(self) -> LockedHead:
        """The log's head, locked for this transaction (locking it first if need be)."""
        return self.log_head if self.log_head is not None else self.prefetch_log_head().result()

    def prefetch_log_head(self) -> Pending[LockedHead]:
        """:meth:`locked_head` asked now (with the statements sent together with it), read later."""
        if self.log_head is not None:
            return Pending.ready(self.log_head)
        asked = self.prefetch(_LOCK_HEAD)
        signed = self.prefetch(_SIGNED_ROOT)

        def read() -> LockedHead:
            row = asked.result().fetchone()
            if row is None:
                raise RuntimeError("the log has no head row: run `dxs registry migrate`")
            signed_row = signed.result().fetchone()
            root, last_entry = (signed_row[0], signed_row[1]) if signed_row else (None, None)
            self.log_head = _vouched_head(*row, root, last_entry)
            return self.log_head

        return Pending(read)

    def require_signer(self) -> LogSigner:
        if self.signer is None:
            raise RuntimeError("this database was opened without a log signer: it cannot write")
        return self.signer

    # -- the end ---------------------------------------------------------------------------

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def _read_owed_answers(info: dict[Any, Any], *, quiet: bool = False) -> None:
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
        _read_owed_answers(conn.info)

    # A connection already lost has no answers to read: asking for its ``info`` would reconnect.
    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        if not conn.invalidated:
            _read_owed_answers(conn.info)

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        if not conn.invalidated:
            _read_owed_answers(conn.info, quiet=True)

    @event.listens_for(engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        record.info.pop(_DEFERRING, None)
        _read_owed_answers(record.info, quiet=True)
