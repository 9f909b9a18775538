"""What routes need from a request: a session whose commit the request owns, and the caller."""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from validator import Catalog

from ..db import Database
from ..signing import load_or_create_signer
from ..services import keys
from ..services.callers import ANONYMOUS, Caller

__all__ = ["CallerDep", "CatalogDep", "DatabaseDep", "ItemId", "Limit", "Offset", "SessionDep", "commits", "token_from"]

log = logging.getLogger("registry")
P = ParamSpec("P")
R = TypeVar("R")

#: Cookie the portal keeps an agency's key in (HttpOnly, SameSite=Strict).
KEY_COOKIE = "dxs_key"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


async def get_session(request: Request, database: DatabaseDep) -> AsyncIterator[Session]:
    """One session per request, committed when the route returns and before the answer goes out.

    A failed commit therefore becomes an error answer, never a 2xx for lost data.
    Making a session does no I/O, so this runs on the event loop; the commit or
    rollback, when a transaction is still open, goes to a worker thread. (Write routes
    commit in their own thread already: see :func:`commits`.) With no transaction open,
    closing hands the connection back without a word to the database.
    """
    session = database.session(write=request.method not in READ_METHODS)
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


def commits(route: Callable[P, R]) -> Callable[P, R]:
    """Commit the request's session as the route returns, in the route's own thread.

    FastAPI runs a plain ``def`` route in a worker thread and the session dependency's
    exit in another hop after it; a write's locks (the log head, SQLite's writer) would
    stay held in between while the event loop serves other requests. The dependency's
    own commit then finds nothing left to do (it still rolls back on errors).
    """
    if "session" not in inspect.signature(route).parameters:
        raise TypeError(f"{route.__name__} has no `session` parameter to commit")

    @functools.wraps(route)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        result = route(*args, **kwargs)
        kwargs["session"].commit()  # type: ignore[union-attr]
        return result

    return run


def token_from(authorization: str | None, api_key: str | None) -> str | None:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return api_key.strip() if api_key else None


def get_caller(
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    authorization: Annotated[str | None, Header(description="`Bearer dxs_...`")] = None,
    x_api_key: Annotated[str | None, Header(description="The API key, as an alternative to Authorization")] = None,
) -> Caller:
    """The caller named by the request's API key; anonymous when it carries none."""
    token = token_from(authorization, x_api_key)
    if not token:
        return ANONYMOUS
    if request.method in READ_METHODS:
        caller, due = keys.authenticate(session, token)
    else:
        # Not in the request's write transaction: that would start it (and take the log
        # and SQLite write locks) here, a thread hop before the route even runs.
        with database.transaction(write=False) as reader:
            caller, due = keys.authenticate(reader, token)
    if due and caller.key_id is not None:
        # Bookkeeping, not the caller's write: refreshed on the side, at most once a minute.
        try:
            with database.transaction() as side:
                keys.touch(side, key_id=caller.key_id)
        except OperationalError:
            log.warning("could not record last use of key %s", caller.key_id)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
#: Ids are 32-bit integers on PostgreSQL: a larger one is refused (422), not sent to the database to overflow.
MAX_ID = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
