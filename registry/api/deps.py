"""What routes need from a request: a session whose commit the request owns, and the caller."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Path, Query, Request
from starlette.types import Scope
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dxs.validator import Catalog

from ..db import Database
from ..errors import ServiceError
from ..input_rules import Refused
from ..signing import load_or_create_signer
from ..services import keys
from ..services.callers import ANONYMOUS, Caller
from .writes import Writer

__all__ = [
    "CallerDep", "CatalogDep", "DatabaseDep", "ItemId", "Limit", "Offset", "SessionDep", "WriterDep",
    "check_key", "checked_caller", "json_body", "request_body", "writer_for",
]

log = logging.getLogger("registry")
M = TypeVar("M", bound=BaseModel)

#: Cookie the portal keeps an agency's key in (HttpOnly, SameSite=Strict).
KEY_COOKIE = "dxs_key"


_opening = threading.Lock()


def database_of(request: Request) -> Database:
    """The app's database, opened on first use (so building the app touches no file)."""
    state = request.app.state
    if state.database is None:
        with _opening:
            if state.database is None:
                state.database = Database(state.database_url, signer=load_or_create_signer(state.log_key))
    return state.database


# These two are `async def` on purpose: FastAPI runs each plain `def` dependency in the
# thread pool, a hop that costs more than they do. (The first call reads the log's
# signing key, a small file, once.)
async def get_database(request: Request) -> Database:
    return database_of(request)


async def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


DatabaseDep = Annotated[Database, Depends(get_database)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]


async def get_session(database: DatabaseDep) -> AsyncIterator[Session]:
    """A read-only session for the request, its transaction ended when the route returns.

    Making a session does no I/O, so this runs on the event loop; ending a transaction
    that is still open goes to a worker thread. Routes that write use a :class:`Writer`.
    """
    # Always a reader: writes go through a Writer, so that no write transaction (and no write
    # lock) is ever held from one thread hop to the next.
    session = database.session(write=False)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()


# scope="function": the commit above runs before the response is sent, not after.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def token_from(authorization: str | None, api_key: str | None) -> str | None:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return api_key.strip() if api_key else None


AuthorizationHeader = Annotated[str | None, Header(description="`Bearer dxs_...`")]
ApiKeyHeader = Annotated[str | None, Header(description="The API key, as an alternative to Authorization")]


def get_caller(
    session: SessionDep,
    database: DatabaseDep,
    authorization: AuthorizationHeader = None,
    x_api_key: ApiKeyHeader = None,
) -> Caller:
    """The caller named by the request's API key; anonymous when it carries none."""
    caller, due = keys.caller_for(session, token_from(authorization, x_api_key))
    if due:
        # The request's session only reads: the time is refreshed on the side.
        try:
            with database.write() as side:
                keys.touch(tx=side, key_id=caller.key_id)
        except OperationalError:
            log.warning("could not record last use of key %s", caller.key_id)
    return caller


def writer_for(request: Request, authorization: str | None, x_api_key: str | None) -> Writer:
    """The request's writer; 401 at once without a key (every write needs one), before the body is looked at."""
    token = token_from(authorization, x_api_key)
    if not token:
        ANONYMOUS.require_known()
    return Writer(database_of(request), token)


async def check_key(scope: Scope) -> None:
    """Refuse a write's missing, unknown or revoked key (or inactive agency) before its body is read.

    Called by :class:`registry.input_rules.InputRules` when a write's route first reads its
    body: a caller that may not write costs one read, never a body's upload and parse. The
    caller found is kept for the route (:func:`checked_caller`); the write authenticates again
    in its own transaction, so a key revoked meanwhile still writes nothing.

    :raises Refused: 401 or 403, with the code and message the write itself would have answered.
    """
    request = Request(scope)
    token = token_from(request.headers.get("authorization"), request.headers.get("x-api-key"))
    try:
        if not token:
            ANONYMOUS.require_known()
        caller = await run_in_threadpool(Writer(database_of(request), token).read_caller)
    except ServiceError as exc:
        # raised while the route reads its body: an HTTPException, which FastAPI passes on as it is
        raise Refused(exc.status_code, exc.code, exc.message) from None
    scope.setdefault("state", {})["caller"] = caller


def checked_caller(request: Request, write: Writer) -> Caller:
    """The caller :func:`check_key` found for this request; else read now (call it in a worker thread)."""
    caller = getattr(request.state, "caller", None)
    return caller if isinstance(caller, Caller) else write.read_caller()


async def get_writer(request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None) -> Writer:
    return writer_for(request, authorization, x_api_key)


# The busiest write routes take their body themselves. FastAPI's body parameter (and a
# dependency or two) cost more CPU per request than the route's own work and commit:
# these two give the same document and the same answers at a fraction of it.


def request_body(schema: dict[str, object]) -> dict[str, object]:
    """``openapi_extra`` documenting a JSON body of ``schema`` for a route that reads its body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _is_json(content_type: str | None) -> bool:
    """``application/json`` or ``application/*+json``; no content type is not JSON (FastAPI's strict default)."""
    kind = (content_type or "").partition(";")[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


async def json_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as ``model``, refused exactly as FastAPI refuses a body parameter.

    422 with each problem under ``body`` (an empty body, a body not sent as JSON, bad JSON,
    or not the model); 400 for bytes that are not text.
    """
    body = await request.body()
    if not body:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    data: object = body  # sent as something other than JSON: refused by the model below, as FastAPI does
    if _is_json(request.headers.get("content-type")):
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {}, "ctx": {"error": exc.msg}}]
            ) from None
        except ValueError:  # not UTF-8, -16 or -32
            raise HTTPException(400, "There was an error parsing the body") from None
    try:
        return model.model_validate(data, from_attributes=True)  # as FastAPI validates a body field
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from None


WriterDep = Annotated[Writer, Depends(get_writer)]
CallerDep = Annotated[Caller, Depends(get_caller)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
#: Ids are 32-bit integers on PostgreSQL: a larger one is refused (422), not sent to the database to overflow.
MAX_ID = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
