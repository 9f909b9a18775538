"""The registry service: FastAPI app over the catalog, agencies, exchange links, events and their log."""

from .app import create_app

__all__ = ["create_app"]
