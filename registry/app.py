"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from validator import Catalog

from . import portal
from .api import catalog as catalog_api
from .errors import ServiceError, service_error_handler


def create_app(*, catalog: Catalog, database_url: str = "sqlite:///.dxs/registry.sqlite") -> FastAPI:
    """Build the service over a loaded catalog.

    The registry endpoints (agencies, links, events) store into ``database_url``.
    """
    app = FastAPI(
        title="DX Standards Toolkit registry",
        version="0.1.0",
        description="National catalog of data-exchange standards, and the registry of exchanges made under them.",
    )
    app.state.catalog = catalog
    app.state.database_url = database_url
    app.add_exception_handler(ServiceError, service_error_handler)
    app.include_router(catalog_api.router)
    app.include_router(portal.router)
    return app
