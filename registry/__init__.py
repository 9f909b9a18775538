"""The registry service: FastAPI app over the catalog, agencies, exchange links, events and their log."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # the app (FastAPI, the templates) loads only when asked for: `dxs registry audit` and other
    # commands that need none of it start without it
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
