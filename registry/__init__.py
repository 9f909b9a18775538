"""The registry service: FastAPI app over the catalog (and, later, agencies, links and events)."""

from .app import create_app

__all__ = ["create_app"]
