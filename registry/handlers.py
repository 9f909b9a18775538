"""The one place that maps errors to HTTP answers: ``{"code": ..., "message": ...}``, never a trace.

An error nothing expected is caught by :class:`ErrorBoundary`, around every other layer:
500 ``internal_error`` with a request id (in ``X-Request-ID`` and the body, and in the one
log line that holds the trace) and ``Connection: close``, so that a client never finds its
connection dropped under its next request.
"""

from __future__ import annotations

import json
import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ServiceError

__all__ = ["ErrorBoundary", "install_error_handlers", "service_error_handler"]

log = logging.getLogger("registry")

_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"code": code, "message": message, **extra}


async def service_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(status_code=exc.status_code, content=error_body(exc.code, exc.message))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = details[0] if details else {"location": [], "message": "invalid request"}
    where = ".".join(str(p) for p in first["location"])
    return JSONResponse(
        status_code=422,
        content=error_body("invalid_request", f"{where}: {first['message']}" if where else str(first["message"]), details=details),
    )


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not the API, not a program asking for JSON)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and _wants_page(request):
        import datetime as dt

        from .pages import templates

        return templates.TemplateResponse(
            request, "not_found.html", {"path": request.url.path, "today": dt.date.today(), "demo": False}, status_code=404
        )
    code = getattr(exc, "code", None) or _HTTP_CODES.get(exc.status_code, "http_error")  # a Refused names its own
    extra = {"details": exc.details} if getattr(exc, "details", None) else {}
    return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail), **extra), headers=exc.headers)


def internal_error(method: str, path: str, exc: BaseException) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Log ``exc``'s trace once, under a new request id; the 500 answer's body and headers, which name that id.

    The caller learns only that it was our fault, and the id to quote to the operator.
    """
    request_id = secrets.token_hex(8)
    log.error("unhandled error on %s %s [request id %s]", method, path, request_id, exc_info=exc)
    body = json.dumps(
        error_body("internal_error", f"internal error; the operator has the details (request id {request_id})", request_id=request_id)
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # what failed may have left the connection's state unknown
        (b"x-request-id", request_id.encode()),
    ]
    return body, headers


async def _internal_error(request: Request, exc: Exception) -> Response:
    # Only for an error outside ErrorBoundary (Starlette's outermost layer calls this, then re-raises).
    body, headers = internal_error(request.method, request.url.path, exc)
    return Response(body, status_code=500, headers={k.decode(): v.decode() for k, v in headers})


class ErrorBoundary:
    """A pure ASGI middleware, outside every other: an error no handler took becomes a 500 answer.

    The trace is logged once, here, with the request id; the exception stops here (uvicorn
    would log it again and drop the connection). If the answer had already begun, nothing
    more can be said: uvicorn closes the connection when the app returns.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            body, headers = internal_error(scope.get("method", ""), scope.get("path", ""), exc)
            if started:
                return
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, service_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
