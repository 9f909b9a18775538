"""Validation as a service: the same report as `dxs validate --format json`.

Anyone may validate; a caller that sends an API key gets the larger document
allowance and its own threads (see :mod:`registry.throttling`, :mod:`registry.limits`).
A key that is sent is checked before the body is read: a bad one is 401.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from dxs.validator import DocumentValidator, DxsError
from dxs.validator.errors import SchemaLoadError, TrustListError
from dxs.validator.render import JsonRenderer

from ..errors import BatchTooLarge, Invalid
from ..services.callers import ANONYMOUS, Caller
from ..limits import MAX_DOCUMENT, anonymous_max_document
from ..throttling import pool_of
from .deps import ApiKeyHeader, AuthorizationHeader, CatalogDep, database_of, get_caller, token_from

router = APIRouter(prefix="/api/v1", tags=["validate"])



log = logging.getLogger("registry")


async def validating_caller(request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None) -> Caller:
    """Anonymous without a key header (no database is touched); else the key's caller, or 401/403."""
    if not token_from(authorization, x_api_key):
        return ANONYMOUS

    def check() -> Caller:
        database = database_of(request)
        with database.transaction(write=False) as session:
            return get_caller(session, database, authorization, x_api_key)

    return await run_in_threadpool(check)


async def _document(request: Request, caller: Annotated[Caller, Depends(validating_caller)]) -> bytes:
    """The body, once the caller is known (its key checked first: a bad key costs no upload)."""

    anonymous = caller.role == "anonymous"
    limit = anonymous_max_document() if anonymous else MAX_DOCUMENT
    if int(request.headers.get("content-length") or 0) > limit:
        more = f" without an API key (with one, up to {MAX_DOCUMENT:,} bytes)" if anonymous and limit < MAX_DOCUMENT else ""
        raise BatchTooLarge(f"documents sent to the service are limited to {limit:,} bytes{more}", code="document_too_large")
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
    return json.loads(validate_to_json(catalog, data, name=name, standard=standard))


def validate_to_json(catalog: Any, data: bytes, *, name: str, standard: str | None) -> str:
    """:func:`validate_document`'s report as JSON text (rendered here, off the event loop)."""
    try:
        report = _validator(catalog, standard).validate_bytes(data, name)
    except SchemaLoadError as exc:
        # The catalog's own file is broken or needs what this server lacks: the operator's
        # problem, and the message names a path on this server. The caller learns which
        # file of which standard; the log has the rest.
        log.error("validation could not use a schema: %s", exc)
        what = f"{standard}: " if standard else ""
        raise Invalid(
            f"{what}the standard's {'trust list' if isinstance(exc, TrustListError) else 'schema or rules file'} "
            f"{PurePath(exc.path).name!r} cannot be used on this server; the operator has the details",
            code="standard_unusable",
        ) from None
    except DxsError as exc:
        raise Invalid(str(exc), code="unknown_standard") from None
    return JsonRenderer().render([report])


@router.post(
    "/validate",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The document itself (JSON or XML), as the request body.",
            "content": {"application/json": {"schema": {}}, "application/xml": {"schema": {}}, "application/octet-stream": {"schema": {}}},
        }
    },
    responses={
        200: {"description": "The report: `summary` and `documents`, as `dxs validate --format json`"},
        429: {"description": "Too many requests without an API key: try again after `Retry-After` seconds"},
    },
)
async def validate(
    request: Request,
    catalog: CatalogDep,
    caller: Annotated[Caller, Depends(validating_caller)],
    body: Annotated[bytes, Depends(_document)],
    standard: Annotated[str | None, Query(description="ID or ID@VERSION; detected from the document when absent")] = None,
    name: Annotated[str, Query(max_length=255, description="The document's name in the report (its suffix picks JSON or XML)")] = "-",
) -> Response:
    """Validate one document against a standard, or the standard it declares.

    Answers 200 with the report whether or not the document is valid (see `summary`).
    Without an API key, documents are smaller and requests fewer (429 with `Retry-After` past the limit).
    """
    anonymous = caller.role == "anonymous"
    text = await pool_of(request.app).run(validate_to_json, catalog, body, name=name, standard=standard, anonymous=anonymous)
    return Response(text, media_type="application/json")
