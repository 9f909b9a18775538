"""The one place that maps errors to HTTP answers: ``{"code": ..., "message": ...}``, never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from .errors import ServiceError

__all__ = ["install_error_handlers", "service_error_handler"]

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
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail)), headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # Log the trace for the operator; the caller only learns that it was our fault.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(status_code=500, content=error_body("internal_error", "internal error; the operator has the details"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, service_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
