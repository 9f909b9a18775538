"""Validation as a service: the same report as `dxs validate --format json`."""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from dxs.validator import DocumentValidator, DxsError
from dxs.validator.render import JsonRenderer
from dxs.validator.validate import DEFAULT_MAX_BYTES

from ..errors import BatchTooLarge, Invalid
from .deps import CatalogDep

router = APIRouter(prefix="/api/v1", tags=["validate"])

#: Documents sent to the service are smaller than what the command line accepts.
MAX_DOCUMENT = min(DEFAULT_MAX_BYTES, 32 * 1024 * 1024)


async def _document(request: Request) -> bytes:
    if int(request.headers.get("content-length") or 0) > MAX_DOCUMENT:
        raise BatchTooLarge(f"documents sent to the service are limited to {MAX_DOCUMENT:,} bytes", code="document_too_large")
    return await request.body()


_validators = threading.local()  # lxml's compiled schemas are not shared across threads


def _validator(catalog: Any, standard: str | None) -> DocumentValidator:
    """A validator per worker thread, catalog and standard: schemas compile once, not per request."""
    cache: dict[tuple[int, str | None], DocumentValidator] = getattr(_validators, "cache", None) or {}
    _validators.cache = cache
    key = (id(catalog), standard or None)
    validator = cache.get(key)
    if validator is None:
        if len(cache) >= 64:  # bounded: unknown-standard probes must not grow it without end
            cache.clear()
        validator = cache[key] = DocumentValidator(catalog, standard=standard or None, max_bytes=MAX_DOCUMENT)
    return validator


def validate_document(catalog: Any, data: bytes, *, name: str, standard: str | None) -> dict[str, Any]:
    """Validate ``data`` and return the ``dxs validate --format json`` object.

    :raises Invalid: ``standard`` is not in the catalog, or its schemas cannot be used.
    """
    try:
        report = _validator(catalog, standard).validate_bytes(data, name)
    except DxsError as exc:
        raise Invalid(str(exc), code="unknown_standard") from None
    return json.loads(JsonRenderer().render([report]))


@router.post(
    "/validate",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The document itself (JSON or XML), as the request body.",
            "content": {"application/json": {"schema": {}}, "application/xml": {"schema": {}}, "application/octet-stream": {"schema": {}}},
        }
    },
    responses={200: {"description": "The report: `summary` and `documents`, as `dxs validate --format json`"}},
)
def validate(
    catalog: CatalogDep,
    body: Annotated[bytes, Depends(_document)],
    standard: Annotated[str | None, Query(description="ID or ID@VERSION; detected from the document when absent")] = None,
    name: Annotated[str, Query(max_length=255, description="The document's name in the report (its suffix picks JSON or XML)")] = "-",
) -> JSONResponse:
    """Validate one document against a standard, or the standard it declares.

    Answers 200 with the report whether or not the document is valid (see `summary`).
    """
    return JSONResponse(validate_document(catalog, body, name=name, standard=standard))
