"""Limits on anonymous heavy work: how often and how many at once, and where validations run.

Validating a document and computing the indicators are open to anyone, and they cost
CPU and memory that a keyed agency's writes need too. Two things keep them in bounds:

- :class:`AnonymousLimits`, a pure ASGI middleware in front of the heavy routes
  (``POST /api/v1/validate``, the portal's ``POST /validate``, ``GET /api/v1/indicators``,
  ``/trend`` and ``/sectors/...``). A caller without a key header gets a budget per client
  address: a request rate (a token bucket: ``burst`` at once, refilled at ``rate`` a
  minute), a number in flight, and, for all anonymous clients together, a number in
  flight. Past any of them the answer is 429 with ``Retry-After`` and the usual
  ``{"code", "message"}`` body, sent before the request's body is read. A request with
  a key header is not counted here: its route authenticates the key (401 for a bad one)
  before it does any work, so a made-up header buys nothing.
- :class:`ValidationPool`, where validations run: off the event loop, on a few threads
  of their own (``DXS_VALIDATE_THREADS`` for keyed callers, ``DXS_ANON_VALIDATE_THREADS``
  for anonymous ones), so that at most that many documents are being parsed at once
  (memory: threads × the largest document, times what parsing adds) and the event loop
  and FastAPI's thread pool stay free for everyone else. Validation is Python's own work,
  which holds the GIL: an anonymous thread busy without pause would take a worker's
  whole core from the agencies' requests, so it rests between documents, busy at most
  ``DXS_ANON_VALIDATE_DUTY`` of the time (default 0.5).

The client address is the connection's, or what uvicorn's proxy headers make it
(``FORWARDED_ALLOW_IPS``). Budgets are per worker process.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["AnonymousLimits", "Budget", "ValidationPool", "has_key_header", "pool_of", "route_class"]

T = TypeVar("T")

#: Client addresses remembered at once; idle ones are forgotten first (a flood of addresses must not grow memory).
MAX_CLIENTS = 10_000


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value >= 0 else default


@dataclass(frozen=True)
class Budget:
    """What an anonymous client may ask of one kind of route (per worker process)."""

    rate: float  #: requests a minute, per client address (0: no limit)
    burst: int  #: requests at once before the rate applies
    per_client: int  #: in flight per client address
    in_flight: int  #: in flight for all anonymous clients together

    @classmethod
    def from_env(cls, prefix: str, *, rate: float, burst: int, per_client: int, in_flight: int) -> Budget:
        """``{prefix}_RATE``, ``_BURST``, ``_PER_CLIENT`` and ``_IN_FLIGHT``, else the defaults given."""
        return cls(
            rate=_number(f"{prefix}_RATE", rate),
            burst=max(1, int(_number(f"{prefix}_BURST", burst))),
            per_client=max(1, int(_number(f"{prefix}_PER_CLIENT", per_client))),
            in_flight=max(1, int(_number(f"{prefix}_IN_FLIGHT", in_flight))),
        )


def default_budgets() -> dict[str, Budget]:
    """The budgets from the environment (``DXS_ANON_VALIDATE_*``, ``DXS_ANON_INDICATORS_*``)."""
    return {
        # a person, or a script checking a folder now and then, stays well inside; a flood does not
        "validate": Budget.from_env("DXS_ANON_VALIDATE", rate=120, burst=60, per_client=2, in_flight=4),
        # the dashboard asks for the trend and a sector or two per view: room for a few views at once
        "indicators": Budget.from_env("DXS_ANON_INDICATORS", rate=60, burst=20, per_client=4, in_flight=8),
    }


def route_class(method: str, path: str) -> str | None:
    """Which budget a request draws on: ``validate``, ``indicators``, or ``None`` (not limited here)."""
    if method == "POST" and path in ("/api/v1/validate", "/validate"):
        return "validate"
    if method in ("GET", "HEAD") and (path in ("/api/v1/indicators", "/api/v1/indicators/trend") or path.startswith("/api/v1/indicators/sectors/")):
        return "indicators"
    return None


def has_key_header(scope: Scope) -> bool:
    """The request names an API key (``Authorization: Bearer ...`` or ``X-API-Key``); the route checks it."""
    for name, value in scope.get("headers") or ():
        if name == b"authorization" and value[:7].lower() == b"bearer " and value[7:].strip():
            return True
        if name == b"x-api-key" and value.strip():
            return True
    return False


def keyed(scope: Scope) -> bool:
    """The request spends a keyed budget: it has a key header, and is not the portal's upload (always anonymous)."""
    return scope.get("path") != "/validate" and has_key_header(scope)


class _Bucket:
    __slots__ = ("tokens", "seen", "busy")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens, self.seen, self.busy = tokens, now, 0


class Refused(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after, self.message = max(1, retry_after), message


class _Ledger:
    """One budget's state: a token bucket and an in-flight count per client, and the total in flight."""

    def __init__(self, budget: Budget, clock: Callable[[], float]) -> None:
        self.budget, self.clock = budget, clock
        self.clients: dict[str, _Bucket] = {}
        self.in_flight = 0
        self.lock = threading.Lock()  # the app may be driven from more than one thread (the test client)

    def enter(self, client: str, what: str) -> None:
        """Count a request in, or raise :class:`Refused` saying when to come back."""
        b = self.budget
        with self.lock:
            now = self.clock()
            bucket = self.clients.get(client)
            if bucket is None:
                if len(self.clients) >= MAX_CLIENTS:
                    self._forget(now)
                bucket = self.clients[client] = _Bucket(float(b.burst), now)
            if b.rate > 0:
                bucket.tokens = min(float(b.burst), bucket.tokens + (now - bucket.seen) * b.rate / 60.0)
            bucket.seen = now
            if bucket.busy >= b.per_client:
                raise Refused(1, f"too many {what} at once from your address (at most {b.per_client} without an API key); try again shortly")
            if self.in_flight >= b.in_flight:
                raise Refused(1, f"the service is busy with {what} for callers without an API key; try again shortly, or send your API key")
            if b.rate > 0:
                if bucket.tokens < 1.0:
                    wait = math.ceil((1.0 - bucket.tokens) * 60.0 / b.rate)
                    raise Refused(wait, f"too many {what} from your address (at most {b.rate:g} a minute without an API key); try again in {wait} s")
                bucket.tokens -= 1.0
            bucket.busy += 1
            self.in_flight += 1

    def leave(self, client: str) -> None:
        with self.lock:
            self.in_flight -= 1
            bucket = self.clients.get(client)
            if bucket is not None:
                bucket.busy -= 1

    def _forget(self, now: float) -> None:
        """Drop idle clients, longest idle first, until half the room is free."""
        idle = sorted((c for c, bk in self.clients.items() if bk.busy == 0), key=lambda c: self.clients[c].seen)
        for client in idle[: max(1, len(self.clients) - MAX_CLIENTS // 2)]:
            del self.clients[client]


_WHAT = {"validate": "validations", "indicators": "indicator queries"}


class AnonymousLimits:
    """429 for anonymous callers past their budget on the heavy routes (see the module's doc)."""

    def __init__(self, app: ASGIApp, *, budgets: dict[str, Budget] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.ledgers = {name: _Ledger(budget, clock) for name, budget in (budgets or default_budgets()).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = route_class(scope.get("method", ""), scope.get("path", ""))
        ledger = self.ledgers.get(kind) if kind else None
        if ledger is None or keyed(scope):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        try:
            ledger.enter(client, _WHAT[kind or ""])
        except Refused as exc:
            await _too_many(send, exc)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            ledger.leave(client)


async def _too_many(send: Send, exc: Refused) -> None:
    body = json.dumps({"code": "too_many_requests", "message": exc.message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(exc.retry_after).encode()),
        (b"connection", b"close"),  # the body (maybe megabytes) is not read: the connection cannot be reused
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ValidationPool:
    """Threads that validations run on: ``keyed`` for callers with a key, ``anonymous`` for the rest.

    Waiting for a thread costs no thread and no event-loop time; a request whose client
    hangs up while it waits is dropped from the queue.
    """

    def __init__(self, *, keyed: int, anonymous: int, duty: float = 1.0) -> None:
        self.keyed, self.anonymous = max(1, keyed), max(1, anonymous)
        self.duty = min(max(duty, 0.05), 1.0)
        self._pools = {
            False: ThreadPoolExecutor(self.keyed, thread_name_prefix="dxs-validate"),
            True: ThreadPoolExecutor(self.anonymous, thread_name_prefix="dxs-validate-anon"),
        }
        self._rest = threading.local()  # when each anonymous thread may work again

    @classmethod
    def from_env(cls) -> ValidationPool:
        """``DXS_VALIDATE_THREADS`` (default 2), ``DXS_ANON_VALIDATE_THREADS`` (1) and ``DXS_ANON_VALIDATE_DUTY`` (0.5)."""
        return cls(
            keyed=int(_number("DXS_VALIDATE_THREADS", 2)),
            anonymous=int(_number("DXS_ANON_VALIDATE_THREADS", 1)),
            duty=_number("DXS_ANON_VALIDATE_DUTY", 0.5),
        )

    async def run(self, fn: Callable[..., T], *args: Any, anonymous: bool, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on one of the pool's threads."""
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs)
        return await loop.run_in_executor(self._pools[anonymous], functools.partial(self._paced, call) if anonymous else call)

    def _paced(self, call: Callable[[], T]) -> T:
        """``call()``, after this thread's rest from its last one: busy at most ``duty`` of the time."""
        wait = getattr(self._rest, "until", 0.0) - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # the GIL is free meanwhile
        started = time.monotonic()
        try:
            return call()
        finally:
            worked = time.monotonic() - started
            self._rest.until = time.monotonic() + worked * (1.0 / self.duty - 1.0)


_making = threading.Lock()


def pool_of(app: Any) -> ValidationPool:
    """The app's validation pool, made on first use from the environment."""
    state = app.state
    if getattr(state, "validation_pool", None) is None:
        with _making:
            if getattr(state, "validation_pool", None) is None:
                state.validation_pool = ValidationPool.from_env()
    return state.validation_pool
