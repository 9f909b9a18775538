"""Server-rendered portal pages (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    """The landing page: what the service is, and the catalog at a glance."""
    catalog = request.app.state.catalog
    return templates.TemplateResponse(
        request,
        "index.html",
        {"standards": list(catalog), "versions": sum(len(s.versions) for s in catalog)},
    )
