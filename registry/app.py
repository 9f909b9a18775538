"""The FastAPI application factory."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from dxs.validator import Catalog

from . import dashboard, pages, portal
from . import worklists  # the office's work lists: /needs, /upkeep
from .api import agencies as agencies_api
from .api import catalog as catalog_api
from .api import link_checks as checks_api
from .api import indicators as indicators_api
from .api import links as links_api
from .api import log as log_api
from .api import needs as needs_api
from .api import notices as notices_api
from .api import validate as validate_api
from .db import Database, database_url_from_env
from .api.deps import check_key
from .handlers import ErrorBoundary, install_error_handlers
from .input_rules import HeadAsGet, InputRules
from .limits import RequestLimits
from .security_headers import SecurityHeaders
from .throttling import AnonymousLimits
from .openapi import DOCS_ASSETS, install_docs, install_openapi


def create_app(
    *,
    catalog: Catalog,
    database_url: str | None = None,
    database: Database | None = None,
    log_key: Path | None = None,
) -> FastAPI:
    """Build the service over a loaded catalog.

    The registry endpoints (agencies, links, events) store into ``database`` or, opened
    on first use, ``database_url`` (default ``DXS_DATABASE_URL``, else a SQLite file),
    signing the log with the key in ``log_key`` (default ``DXS_LOG_KEY``).
    """
    app = FastAPIOffline(  # FastAPI, serving Swagger UI's and ReDoc's files itself: no CDN (see install_docs)
        docs_url=None,
        redoc_url=None,
        static_url=DOCS_ASSETS,
        title="DX Standards Toolkit registry",
        version="0.1.0",
        description="National catalog of data-exchange standards, and the registry of exchanges made under them.",
    )
    app.state.catalog = catalog
    app.state.database_url = database.url if database else (database_url or database_url_from_env())
    app.state.database = database
    app.state.log_key = log_key
    install_error_handlers(app)
    install_openapi(app)  # every error answer declared, in its real {code, message} shape
    install_docs(app)  # /docs and /redoc, working on a closed network
    app.add_middleware(InputRules, key_check=check_key)  # 422 for text no database can store, too-deep JSON; keys before bodies
    app.add_middleware(HeadAsGet)  # HEAD on every GET resource
    app.add_middleware(RequestLimits)  # 413 for oversized bodies, 408 for stalled or trickling ones
    app.add_middleware(AnonymousLimits)  # 429 for anonymous callers past their budget on the heavy routes
    app.add_middleware(SecurityHeaders)  # CSP, no framing, nosniff, referrer policy on every answer
    app.add_middleware(ErrorBoundary)  # added last, so outermost: any unexpected error is a 500 with a request id
    app.include_router(links_api.router)  # first: routes are matched in order, and links and events are the busiest
    app.include_router(catalog_api.router)
    app.include_router(agencies_api.router)
    app.include_router(validate_api.router)
    app.include_router(log_api.router)
    app.include_router(checks_api.router)
    app.include_router(needs_api.router)  # requests for standards and the office's need groups
    app.include_router(notices_api.router)  # notices of deprecated and sunset versions, and agencies' webhooks
    app.include_router(pages.router)
    app.include_router(portal.router)
    app.include_router(indicators_api.router)
    app.include_router(dashboard.router)
    app.include_router(worklists.router)
    app.mount("/static", dashboard.static_files(), name="static")  # the dashboard's vendored chart library: nothing from elsewhere
    return app


def create_app_from_env() -> FastAPI:
    """The app as ``dxs serve`` runs it in each worker: everything from the environment.

    ``DXS_DATABASE_URL``, ``DXS_CATALOG`` (and ``DXS_BUNDLED_CATALOG``), ``DXS_LOG_KEY``.
    Used as a uvicorn factory (``registry.app:create_app_from_env``) so that several
    worker processes can each build their own.
    """
    from dxs.validator import catalog_folders, load_catalog

    key = os.environ.get("DXS_LOG_KEY")
    app = create_app(
        catalog=load_catalog(catalog_folders()),
        database_url=database_url_from_env(),
        log_key=Path(key) if key else None,
    )
    # The catalog, its validators and the app are made once and live as long as the worker:
    # kept out of the garbage collector's sight, its full collections do not walk them
    # (a walk that stalls every request in flight).
    gc.collect()
    gc.freeze()
    return app
