"""``/dashboard``: indicators 15 and 16 as charts, for the office and the public.

The page is a shell: ``static/dashboard.js`` draws it from ``/api/v1/indicators/trend``
and ``/api/v1/indicators/sectors/{sector}`` with the vendored Apache ECharts (served
from ``/static``, nothing fetched from elsewhere). Thai and English switch in the
page without a reload.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from dxs.validator.years import be_year, ce_year, current_year

from .api.deps import database_of
from .reporting import indicators

__all__ = ["STATIC", "demo_flag", "router", "static_files"]

STATIC = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters["be_year"] = be_year
router = APIRouter(include_in_schema=False)

#: How long a "not demo data" answer is trusted before the log is asked again.
RECHECK_SECONDS = 30.0


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


def demo_flag(request: Request) -> bool:
    """Whether the registry holds demo data (a ``demo.seeded`` log entry), cached per app.

    A registry never stops being demo data, so ``True`` is kept for good; ``False`` is
    asked again after a while (``dxs demo seed`` may run beside a live service). A
    database that cannot be read yet (not migrated) is simply not demo data.
    """
    state = request.app.state
    if getattr(state, "demo", False):
        return True
    checked = getattr(state, "demo_checked", 0.0)
    if time.monotonic() - checked < RECHECK_SECONDS:
        return False
    try:
        with database_of(request).transaction(write=False) as session:
            state.demo = indicators.is_demo(session)
    except Exception:  # noqa: BLE001 - an unreadable registry only means "no banner"
        state.demo = False
    state.demo_checked = time.monotonic()
    return state.demo


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, lang: str = "th", year: int | None = None, fiscal: bool = True) -> HTMLResponse:
    """Indicator 15 per year, indicator 16 per key sector and over the years, drill-down and downloads."""
    import datetime as dt

    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "today": dt.date.today(),
            "demo": demo_flag(request),
            "lang": "en" if lang == "en" else "th",
            # the year as the API's trend names it (CE): ?year=2567 (BE) and ?year=2024 open the same view
            "year": ce_year(year) if year else "",
            "fiscal": fiscal,
            "current_year": current_year(fiscal=fiscal),
        },
    )
