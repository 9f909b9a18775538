"""What routes need from a request: a session whose commit the request owns, and the caller."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from validator import Catalog

from ..db import Database
from ..signing import load_or_create_signer
from ..services import keys
from ..services.callers import ANONYMOUS, Caller

__all__ = ["CallerDep", "CatalogDep", "DatabaseDep", "ItemId", "Limit", "Offset", "SessionDep", "token_from"]

log = logging.getLogger("registry")

#: Cookie the portal keeps an agency's key in (HttpOnly, SameSite=Strict).
KEY_COOKIE = "dxs_key"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_opening = threading.Lock()


def get_database(request: Request) -> Database:
    """The app's database, opened on first use (so building the app touches no file)."""
    state = request.app.state
    if state.database is None:
        with _opening:
            if state.database is None:
                state.database = Database(state.database_url, signer=load_or_create_signer(state.log_key))
    return state.database


def get_catalog(request: Request) -> Catalog:
    return request.app.state.catalog


DatabaseDep = Annotated[Database, Depends(get_database)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def get_session(request: Request, database: DatabaseDep) -> Iterator[Session]:
    """One session per request, committed when the route returns and before the answer goes out.

    A failed commit therefore becomes an error answer, never a 2xx for lost data.
    """
    write = request.method not in READ_METHODS
    with database.writing() if write else nullcontext():
        session = database.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
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
    caller, due = keys.authenticate(session, token)
    if due and caller.key_id is not None:
        if request.method not in READ_METHODS:
            keys.touch(session, key_id=caller.key_id)
        else:
            # A read must not become a write transaction; refresh the time on the side.
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
