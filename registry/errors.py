"""Domain errors of the service and the one place that maps them to HTTP answers."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse


class ServiceError(Exception):
    """A domain error with a stable ``code`` and an HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


async def service_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse(status_code=exc.status_code, content={"code": exc.code, "message": exc.message})
