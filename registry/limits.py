"""Bounds on what one request may cost: its body's size, and how slowly it may arrive.

A pure ASGI middleware in front of every route. A body larger than its route allows
is refused with 413 — before it is read when ``Content-Length`` says so, as soon as
the limit is passed when it is streamed. A body that stops arriving (no bytes for
``idle`` seconds) or trickles (not complete after ``total`` seconds) is answered 408
and its connection closed, while the event loop keeps serving everyone else.
Both answers are the service's usual ``{"code", "message"}`` JSON.

Documents to validate have two allowances: a caller that sends a key header gets
:data:`MAX_DOCUMENT`; an anonymous one, and the portal's upload
form, get the smaller ``DXS_ANON_MAX_DOCUMENT`` (default 2 MiB). The header alone
chooses (no database here); the route then refuses a bad key with 401 before it reads
the body. (How often and how many at once: :mod:`registry.throttling`.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dxs.validator.validate import DEFAULT_MAX_BYTES

from .throttling import keyed

__all__ = ["BodyTooLarge", "BodyTooSlow", "RequestLimits", "anonymous_max_document", "body_limit_for"]

log = logging.getLogger("registry")

#: Any request whose route has no larger allowance (agencies, links, keys: a few KB).
DEFAULT_MAX_BODY = 1024 * 1024
#: Documents sent to the service are smaller than what the command line accepts (with a key).
MAX_DOCUMENT = min(DEFAULT_MAX_BYTES, 32 * 1024 * 1024)
#: Room for a multipart envelope around an uploaded document.
MULTIPART_HEADROOM = 64 * 1024


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int, *, keyed_limit: int | None = None) -> None:
        more = f" without an API key; with one, up to {keyed_limit:,} bytes" if keyed_limit and keyed_limit > limit else ""
        super().__init__(413, f"the request body is larger than this endpoint accepts ({limit:,} bytes{more})")


class BodyTooSlow(HTTPException):
    def __init__(self, why: str) -> None:
        super().__init__(408, why, headers={"Connection": "close"})


def anonymous_max_document() -> int:
    """The largest document an anonymous caller may send to be validated (``DXS_ANON_MAX_DOCUMENT``)."""
    try:
        value = int(os.environ.get("DXS_ANON_MAX_DOCUMENT") or 2 * 1024 * 1024)
    except ValueError:
        value = 2 * 1024 * 1024
    return min(max(value, 1024), MAX_DOCUMENT)


def body_limit_for(path: str, keyed: bool = True) -> int:
    """The most bytes a request body to ``path`` may have; ``keyed``: the request carries a key header."""
    from .api.links import MAX_BODY as MAX_EVENTS_BODY

    if path == "/api/v1/validate":
        return MAX_DOCUMENT if keyed else anonymous_max_document()
    if path == "/validate":  # the portal's upload form (always anonymous): the document inside a multipart body
        return anonymous_max_document() + MULTIPART_HEADROOM
    if path.startswith("/api/v1/links/") and path.endswith("/events"):
        return MAX_EVENTS_BODY
    return DEFAULT_MAX_BODY


def _seconds(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class RequestLimits:
    """Refuse oversized bodies (413) and time out slow ones (408).

    :param idle: seconds a body may go without a byte (``DXS_BODY_IDLE_TIMEOUT``, default 10).
    :param total: seconds a whole body may take (``DXS_BODY_TIMEOUT``, default 120).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit_for: Callable[[str, bool], int] = body_limit_for,
        idle: float | None = None,
        total: float | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.idle = idle if idle is not None else _seconds("DXS_BODY_IDLE_TIMEOUT", 10.0)
        self.total = total if total is not None else _seconds("DXS_BODY_TIMEOUT", 120.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.limit_for(path, keyed(scope))
        larger = self.limit_for(path, True)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # the server itself refuses a malformed length
            if too_large:
                await _refuse(send, BodyTooLarge(limit, keyed_limit=larger), "payload_too_large")
                return
        deadline = time.monotonic() + self.total
        received = 0

        async def guarded() -> Message:
            nonlocal received
            wait = min(self.idle, deadline - time.monotonic())
            if wait <= 0:
                raise BodyTooSlow(f"the request body did not arrive within {self.total:g} seconds")
            try:
                async with asyncio.timeout(wait):  # a timer on this task: no task of its own, as wait_for makes
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow(f"the request body stalled or trickled (limits: {self.idle:g} s idle, {self.total:g} s in all)") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, keyed_limit=larger)
            return message

        try:
            await self.app(scope, guarded, send)
        except ClientDisconnect:
            # the client hung up before its body was read: nobody is left to answer, and it
            # is no fault of ours (nothing was stored: a batch is only read whole)
            log.info("client hung up before sending the whole body of %s %s", scope.get("method"), scope.get("path"))


async def _refuse(send: Send, exc: HTTPException, code: str) -> None:
    body = json.dumps({"code": code, "message": exc.detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": exc.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
