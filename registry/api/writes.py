"""Writes: each request's whole write in one thread, and the writes waiting committed together.

Every write appends to the one hash-chained log, so writes are served one at a time
whatever the number of threads or workers. Each worker process therefore runs them on
one thread of its own, in arrival order (a crowd of pool threads queueing for the lock
would only take the interpreter from the one that holds it). When several requests'
writes are waiting, that thread does them in one transaction — one `BEGIN`, one turn
of the database's lock, one commit — and answers each only after the commit, each with
exactly the answer it would have had alone (see :func:`_answer_group`).

A route hands the writer a service function (declared with
:func:`registry.unit_of_work.write_rule`, which says whether it may share a transaction
and what it reads first) and its keyword arguments.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, overload

from .. import statements
from ..db import Database
from ..services import keys
from ..services.callers import Caller
from ..unit_of_work import Pending, WriteRule, WriteTx

__all__ = ["MAX_GROUP", "Writer"]

T = TypeVar("T")
R = TypeVar("R")

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
    async def __call__(self, service: Callable[..., T], /, *, answer: None = None, **arguments: Any) -> T: ...

    @overload
    async def __call__(self, service: Callable[..., T], /, *, answer: Callable[[WriteTx, T], R], **arguments: Any) -> R: ...

    async def __call__(self, service: Callable[..., Any], /, *, answer: Callable[[WriteTx, Any], Any] | None = None, **arguments: Any) -> Any:
        """Run ``service(tx=…, caller=…, **arguments)`` in a write transaction, the caller authenticated
        in it; its result once committed (or ``answer(tx, result)``, built in the transaction).

        How the write may be grouped comes from the service's :class:`~registry.unit_of_work.WriteRule`
        (a plain function shares any group and reads nothing first).
        """
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        _queue.append(_QueuedWrite(self, service, arguments, answer, done))
        _thread.submit(_write_queued)
        return await done

    def read_caller(self) -> Caller:
        """The caller, from a read (no write lock): for a route that refuses early, before heavy work.

        Call it in a worker thread. The write itself authenticates again, in its
        transaction: a key revoked meanwhile writes nothing.
        """
        with self._database.transaction(write=False) as session:
            return keys.caller_for(session, self._token)[0]


class _QueuedWrite:
    """A request's write waiting for the writes thread."""

    __slots__ = ("alone", "answer", "arguments", "done", "service", "writer")

    def __init__(
        self,
        writer: Writer,
        service: Callable[..., Any],
        arguments: dict[str, Any],
        answer: Callable[[WriteTx, Any], Any] | None,
        done: asyncio.Future[Any],
    ) -> None:
        self.writer, self.service, self.arguments, self.answer, self.done = writer, service, arguments, answer, done
        self.alone = isinstance(service, WriteRule) and service.goes_alone(arguments)

    def prefetch(self, tx: WriteTx) -> Callable[[], Any]:
        """Ask for the caller and what the write reads (sent now on PostgreSQL); then call the result to write.

        Asking never raises: an error is this write's, raised when it is done.
        """
        rule = self.service.prefetch if isinstance(self.service, WriteRule) else None
        try:
            found = keys.prefetch_caller(tx, self.writer._token)
            prefetched = None if rule is None else rule(tx=tx, **self.arguments)
        except Exception as exc:
            return Pending.failed(exc).result  # this write's error, raised when it is done

        def write() -> Any:
            caller, due = found.result()
            if due:
                keys.touch(tx=tx, key_id=caller.key_id)
            extra = {} if prefetched is None else {"prefetched": prefetched}
            result = self.service(tx=tx, caller=caller, **self.arguments, **extra)
            return result if self.answer is None else self.answer(tx, result)

        return write

    def joins(self, group: list[_QueuedWrite]) -> bool:
        """Whether this write may be committed with ``group``: same database, neither of them alone."""
        first = group[0]
        return not (self.alone or first.alone) and self.writer._database is first.writer._database

    def settle(self, ok: bool, value: Any) -> None:
        """Hand the outcome to the request, on its event loop (unless that loop has closed)."""
        try:
            self.done.get_loop().call_soon_threadsafe(_resolve, self.done, ok, value)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


def _resolve(done: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if done.cancelled():  # the request went away; its write stands, as any committed write
        return
    if ok:
        done.set_result(value)
    else:
        done.set_exception(value)


_queue: deque[_QueuedWrite] = deque()  # appended by event loops, taken by the writes thread
_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dxs-writes")


def _write_queued() -> None:
    """Do the writes waiting (in order, up to :data:`MAX_GROUP` that may go together), together."""
    group: list[_QueuedWrite] = []
    while _queue and len(group) < MAX_GROUP and (not group or _queue[0].joins(group)):
        group.append(_queue.popleft())
    _answer_group(group)


def _answer_group(group: list[_QueuedWrite]) -> None:
    """Do ``group``'s writes in one transaction and answer each.

    A write that is refused gets its error, which is the one it would have had alone: it
    ran after the writes before it, as it would have after their commits. The transaction
    is rolled back and the others are done again together without it. An error from the
    database itself may belong to an earlier write whose answer was not waited for (see
    :meth:`registry.unit_of_work.WriteTx.answers_deferred`): then each write is done again alone, for its own
    answer. A failed commit is every one's answer: none of them is done again, as the
    commit may have happened.
    """
    while group:
        try:
            refused, outcome = _commit_group(group)
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
                _answer_group([waiting])
            return
        group.pop(refused).settle(False, outcome)


def _commit_group(group: list[_QueuedWrite]) -> tuple[int | None, Any]:
    """Every write of ``group`` in one transaction, in order.

    ``(None, results)`` once committed; ``(i, exception)`` with everything rolled back if
    write ``i`` was refused (or the database failed while it ran). A failed commit raises.

    The log is locked first, then every caller's key and what each write reads are asked
    for in its shadow, in one round trip on PostgreSQL (on SQLite each when it is needed).
    No write that changes keys or agencies shares a group (see
    :class:`registry.unit_of_work.WriteRule`), so each caller and the agencies read are as
    they would be just before its own write (but for a key's last-used time: two writes
    with one key may both refresh it).
    """
    tx = group[0].writer._database.begin_write(shared=len(group) > 1)
    with tx.session:
        results: list[Any] = []
        try:
            with tx.answers_deferred():
                with tx.sent_together():
                    locked = tx.prefetch_log_head()
                    writes = [waiting.prefetch(tx) for waiting in group]
                locked.result()
                for write in writes:
                    results.append(write())
        except Exception as exc:
            try:
                tx.rollback()
            except Exception:  # the connection is lost: nothing was committed, and the pool drops it
                pass
            # the write being done, or the last if the error came as the group ended (PostgreSQL)
            return min(len(results), len(group) - 1), exc
        try:
            tx.commit()  # before the answers: a failed commit is an error, never a 2xx
        except BaseException:
            tx.rollback()
            raise
    return None, results
