"""An OpenAPI document that says what the service really answers, errors included.

FastAPI documents only the success answer and a 422 in its own shape; every error
this service sends is ``{"code", "message"}`` (:mod:`registry.handlers`). This module
post-processes the generated document once: each operation lists the error statuses
it can give, each with the one :data:`ERROR_SCHEMA`, and the file downloads declare
their real media types.

The document is read at ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), whose scripts
the service serves itself (from the ``fastapi-offline`` package, at :data:`DOCS_ASSETS`):
both pages work on a closed network, and their Content-Security-Policy keeps them from
fetching anything elsewhere (ReDoc's sidebar asks for a logo on Redocly's CDN).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

__all__ = ["DOCS_ASSETS", "ERROR_SCHEMA", "install_docs", "install_openapi"]

#: Where the app serves Swagger UI's and ReDoc's files (``FastAPIOffline(static_url=...)``).
DOCS_ASSETS = "/static-offline-docs"

#: The documentation pages load from this service only. Swagger UI's start-up script is
#: inline and ReDoc styles with inline CSS, compiles schemas with ``new Function`` and
#: searches in a ``blob:`` worker.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)

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


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from the files at :data:`DOCS_ASSETS`, under :data:`DOCS_POLICY`.

    The app is made with ``docs_url=None, redoc_url=None`` (FastAPI's own pages load a CDN).
    """
    headers = {"Content-Security-Policy": DOCS_POLICY}

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} – Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},  # no online validator badge
        )
        return HTMLResponse(page.body, headers=headers)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} – ReDoc",
            redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        return HTMLResponse(page.body, headers=headers)
