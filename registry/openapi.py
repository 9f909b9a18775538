"""An OpenAPI document that says what the service really answers, errors included.

FastAPI documents only the success answer and a 422 in its own shape; every error
this service sends is ``{"code", "message"}`` (:mod:`registry.handlers`). This module
post-processes the generated document once: each operation lists the error statuses
it can give, each with the one :data:`ERROR_SCHEMA`, and the file downloads declare
their real media types.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["ERROR_SCHEMA", "install_openapi"]

ERROR_REF = {"$ref": "#/components/schemas/Error"}

#: The body of every error answer.
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable reason, e.g. `invalid_key`, `link_not_found`."},
        "message": {"type": "string", "description": "What went wrong, for people."},
        "details": {
            "type": "array",
            "description": "For `invalid_request`: every problem found in the request.",
            "items": {
                "type": "object",
                "properties": {"location": {"type": "array", "items": {}}, "message": {"type": "string"}, "type": {"type": "string"}},
            },
        },
    },
}

_DESCRIPTIONS = {
    "400": "The request body could not be parsed",
    "401": "No usable API key: malformed, unknown or revoked",
    "403": "Not allowed for this caller (not a party, not the office, agency inactive)",
    "404": "Not found, or not visible to this caller",
    "408": "The request body arrived too slowly",
    "409": "Clashes with the current state",
    "413": "The request body is too large",
    "422": "The request is not acceptable: invalid parameters or body",
    "500": "Internal error; the operator has the details",
}


def _error_statuses(operation: dict[str, Any]) -> set[str]:
    """What an operation can answer besides success, from what it takes."""
    params = operation.get("parameters", [])
    where = {p.get("in") for p in params}
    names = {p.get("name", "").lower() for p in params}
    statuses = {"500"} | {s for s in operation.get("responses", {}) if s[:1] in "45"}
    if params or "requestBody" in operation:
        statuses.add("422")
    if "authorization" in names:  # the caller comes from a key: a bad one is refused, an inactive agency too
        statuses |= {"401", "403"}
    if "path" in where:
        statuses.add("404")
    if "requestBody" in operation:  # a body that cannot be read, arrives too slowly or is too large
        statuses |= {"400", "408", "413"}
    return statuses


def honest_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every error answer declared in its real shape."""
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, openapi_version=app.openapi_version
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in sorted(_error_statuses(operation)):
                declared = responses.get(status, {})
                responses[status] = {
                    "description": declared.get("description") or _DESCRIPTIONS.get(status, "Error"),
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`honest_openapi` at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = honest_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
