"""Writes: each request's whole write in one thread, and the writes waiting committed together.

Every write appends to the one hash-chained log, so writes are served one at a time
whatever the number of threads or workers. Each worker process therefore runs them on
one thread of its own, in arrival order (a crowd of pool threads queueing for the lock
would only take the interpreter from the one that holds it). When several requests'
writes are waiting, that thread does them in one transaction — one `BEGIN`, one turn
of the database's lock, one commit — and answers each only after the commit, each with
exactly the answer it would have had alone (see :func:`_finish`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, overload

from sqlalchemy.orm import Session

from .. import statements
from ..db import Database
from ..services import keys, log
from ..services.callers import Caller

__all__ = ["MAX_GROUP", "Writer"]

T = TypeVar("T")
A = TypeVar("A")
Ask = Callable[[Session], Any]

#: The most writes committed together: a bound on how long the first of them waits for the rest.
MAX_GROUP = 16


class Writer:
    """A request's write: authenticate, act, commit, all in the writes thread.

    FastAPI runs a plain ``def`` route, each of its ``def`` dependencies and their
    exits in separate hops to the thread pool; a write's locks (the log head, SQLite's
    writer) would stay held from hop to hop while the event loop serves other requests.
    Routes that write are ``async def`` and hand their work to a ``Writer`` instead:
    the transaction begins, authenticates the caller, does the work and commits in one
    hop, and the answer is built after the locks are gone.
    """

    __slots__ = ("_database", "_token")

    def __init__(self, database: Database, token: str | None) -> None:
        self._database, self._token = database, token

    @overload
    async def __call__(self, act: Callable[[Session, Caller], T], *, alone: bool = False) -> T: ...

    @overload
    async def __call__(self, act: Callable[[Session, Caller, A], T], *, ask: Callable[[Session], A], alone: bool = False) -> T: ...

    async def __call__(self, act: Callable[..., T], *, ask: Ask | None = None, alone: bool = False) -> T:
        """Run ``act(session, caller)`` in a write transaction, the caller authenticated in it; its result once committed.

        ``ask``: what the write reads, asked before any write of its group is done (see
        :meth:`registry.statements.Statement.ask`; on PostgreSQL with the group's first
        round trip); then it is ``act(session, caller, ask(session))``.

        ``alone``: in a transaction of its own. For a long write (a large event batch) that
        others must not wait for, and for every write that changes keys or agencies: a
        group reads its callers' keys and the agencies it asks for as it begins.
        """
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        _waiting.append(_Waiting(self, act, ask, done, alone))
        _thread.submit(_write_waiting)
        return await done

    def read_caller(self) -> Caller:
        """The caller, from a read (no write lock): for a route that refuses early, before heavy work.

        Call it in a worker thread. The write itself authenticates again, in its
        transaction: a key revoked meanwhile writes nothing.
        """
        with self._database.transaction(write=False) as session:
            return keys.caller_for(session, self._token)[0]


class _Waiting:
    __slots__ = ("act", "alone", "ask", "done", "writer")

    def __init__(self, writer: Writer, act: Callable[..., Any], ask: Ask | None, done: asyncio.Future[Any], alone: bool) -> None:
        self.writer, self.act, self.ask, self.done, self.alone = writer, act, ask, done, alone

    def asking(self, session: Session) -> Callable[[], Any]:
        """Ask for the caller and what the write reads (sent now on PostgreSQL); then call the result to write.

        Asking never raises: an error is this write's, raised when it is done.
        """
        try:
            found = keys.lookup(session, self.writer._token)
            asked = self.ask(session) if self.ask is not None else None
        except Exception as exc:
            failed = exc

            def refuse() -> Any:
                raise failed

            return refuse

        def write() -> Any:
            caller, due = found()
            if due:
                keys.touch(session, key_id=caller.key_id)
            return self.act(session, caller) if self.ask is None else self.act(session, caller, asked)

        return write

    def joins(self, group: list[_Waiting]) -> bool:
        """Whether this write may be committed with ``group``: same database, neither of them alone."""
        first = group[0]
        return not (self.alone or first.alone) and self.writer._database is first.writer._database

    def settle(self, ok: bool, value: Any) -> None:
        """Hand the outcome to the request, on its event loop (unless that loop has closed)."""
        try:
            self.done.get_loop().call_soon_threadsafe(_settle, self.done, ok, value)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


def _settle(done: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if done.cancelled():  # the request went away; its write stands, as any committed write
        return
    if ok:
        done.set_result(value)
    else:
        done.set_exception(value)


_waiting: deque[_Waiting] = deque()  # appended by event loops, taken by the writes thread
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxs-writes")


def _write_waiting() -> None:
    """Do the writes waiting (in order, up to :data:`MAX_GROUP` that may go together), together."""
    group: list[_Waiting] = []
    while _waiting and len(group) < MAX_GROUP and (not group or _waiting[0].joins(group)):
        group.append(_waiting.popleft())
    _finish(group)


def _finish(group: list[_Waiting]) -> None:
    """Do ``group``'s writes in one transaction and answer each.

    A write that is refused gets its error, which is the one it would have had alone: it
    ran after the writes before it, as it would have after their commits. The transaction
    is rolled back and the others are done again together without it. An error from the
    database itself may belong to an earlier write whose answer was not waited for (see
    :func:`registry.statements.deferred`): then each write is done again alone, for its own
    answer. A failed commit is every one's answer: none of them is done again, as the
    commit may have happened.
    """
    while group:
        try:
            refused, outcome = _together(group)
        except BaseException as exc:  # the commit failed (or worse): every one's answer
            for waiting in group:
                waiting.settle(False, exc)
            return
        if refused is None:
            for waiting, result in zip(group, outcome):
                waiting.settle(True, result)
            return
        if len(group) > 1 and statements.is_database_error(outcome):
            for waiting in group:
                _finish([waiting])
            return
        group.pop(refused).settle(False, outcome)


def _together(group: list[_Waiting]) -> tuple[int | None, Any]:
    """Every write of ``group`` in one transaction, in order.

    ``(None, results)`` once committed; ``(i, exception)`` with everything rolled back if
    write ``i`` was refused (or the database failed while it ran). A failed commit raises.

    The log is locked first, then every caller's key and what each write asks to read
    are read in its shadow, in one round trip on PostgreSQL (on SQLite each when it is
    needed). No write that changes keys or agencies shares a group (they go alone, see
    :func:`registry.services.log.next_seq`), so each caller and the agencies read are as
    they would be just before its own write (but for a key's last-used time: two writes
    with one key may both refresh it).
    """
    with group[0].writer._database.session() as session:
        session.info[log.SHARED] = len(group) > 1
        results: list[Any] = []
        try:
            with statements.deferred(session):
                with statements.pipeline(session):
                    locked = log.lock_head(session)
                    writes = [waiting.asking(session) for waiting in group]
                locked()
                for write in writes:
                    results.append(write())
        except Exception as exc:
            try:
                session.rollback()
            except Exception:  # the connection is lost: nothing was committed, and the pool drops it
                pass
            # the write being done, or the last if the error came as the group ended (PostgreSQL)
            return min(len(results), len(group) - 1), exc
        try:
            session.commit()  # before the answers: a failed commit is an error, never a 2xx
        except BaseException:
            session.rollback()
            raise
    return None, results
