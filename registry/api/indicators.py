"""Indicators 15 and 16: public statistics, readable without a key; publishing a year is the office's.

Agency names are public (``GET /api/v1/agencies``), so the drill-down list of the
agencies not yet exchanging is public too: it is what the office and the sectors act on.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from dxs.validator.years import be_year, current_year

from ..errors import Invalid
from ..api_models import PublishRequest
from ..reporting import indicators, publishing, render
from ..reporting.config import IndicatorConfig
from ..reporting.periods import Period
from ..reporting.schemas import DrillDownRead, IndicatorReportRead, PublicationRead, TrendRead
from .deps import CallerDep, CatalogDep, SessionDep, WriterDep, get_caller

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])

YearQuery = Annotated[int | None, Query(description="CE or BE year (≥ 2400 is BE); default: the current (fiscal) year")]
FiscalQuery = Annotated[
    bool, Query(description="`true` (the default): Thai fiscal years (1 October – 30 September), named by the year they end in; `false`: calendar years")
]
FormatQuery = Annotated[Literal["json", "csv"], Query(description="`csv` for a spreadsheet")]
MAX_YEARS = 60


def indicator_config(request: Request) -> IndicatorConfig:
    """The app's key sectors and targets (``DXS_INDICATORS_CONFIG``, else the plan's), read once."""
    state = request.app.state
    if getattr(state, "indicator_config", None) is None:
        state.indicator_config = IndicatorConfig.load()
    return state.indicator_config


def _period(year: int | None, fiscal: bool) -> Period:
    try:
        return Period.of(year if year is not None else current_year(fiscal=fiscal), fiscal=fiscal)
    except ValueError as exc:
        raise Invalid(str(exc), code="invalid_year") from None


#: The figures are public, and anonymous callers have a budget (:mod:`registry.throttling`); a request
#: with a key header is not counted against it, so its key is checked (401 if bad) before any work.
KEY_CHECKED = [Depends(get_caller)]

#: `format=csv` answers text/csv: declared so the OpenAPI document says what is really sent.
CSV = {200: {"description": "JSON, or CSV with `format=csv`", "content": {"text/csv": {"schema": {"type": "string"}}}}}
#: What an anonymous caller past its budget is answered (``Retry-After`` says when to come back).
TOO_MANY = {429: {"description": "Too many requests without an API key: try again after `Retry-After` seconds"}}


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("", response_model=IndicatorReportRead, responses={**CSV, **TOO_MANY}, dependencies=KEY_CHECKED)
def year_report(
    request: Request, session: SessionDep, catalog: CatalogDep, year: YearQuery = None, fiscal: FiscalQuery = True,
    format: FormatQuery = "json",
) -> IndicatorReportRead | Response:
    """Both indicators for a year, with definitions, as-of time and the log checkpoint."""
    period = _period(year, fiscal)
    found = indicators.report(session, catalog=catalog, period=period, config=indicator_config(request))
    if format == "csv":
        return _csv(render.report_csv(found), f"indicators-{period.be}{'-fiscal' if fiscal else ''}.csv")
    return IndicatorReportRead.of(found)


@router.get("/trend", response_model=TrendRead, responses={**CSV, **TOO_MANY}, dependencies=KEY_CHECKED)
def year_by_year(
    request: Request,
    session: SessionDep,
    catalog: CatalogDep,
    since: Annotated[int | None, Query(alias="from", description="First year (CE or BE); default: the catalog's first announcement")] = None,
    until: Annotated[int | None, Query(alias="to", description="Last year (CE or BE); default: the current year")] = None,
    fiscal: FiscalQuery = True,
    format: FormatQuery = "json",
) -> TrendRead | Response:
    """Both indicators year by year, all computed at one checkpoint (the dashboard's charts)."""
    last = _period(until, fiscal).year
    first = _period(since, fiscal).year if since is not None else min(indicators.first_year(catalog, indicator_config(request)) or last, last)
    if not 0 <= last - first < MAX_YEARS:
        raise Invalid(f"from {first} to {last}: give at most {MAX_YEARS} years, oldest first", code="invalid_year")
    found = indicators.trend(session, catalog=catalog, years=range(first, last + 1), config=indicator_config(request), fiscal=fiscal)
    if format == "csv":
        return _csv(render.trend_csv(found), f"indicators-{be_year(first)}-{be_year(last)}.csv")
    return TrendRead.of(found)


@router.get("/sectors/{sector}", response_model=DrillDownRead, responses={**CSV, **TOO_MANY, 422: {"description": "Not a key sector"}}, dependencies=KEY_CHECKED)
def sector_drill_down(
    request: Request, session: SessionDep, catalog: CatalogDep, sector: str, year: YearQuery = None,
    fiscal: FiscalQuery = True, format: FormatQuery = "json",
) -> DrillDownRead | Response:
    """A key sector's indicator 16, and the government units of the period not yet observed exchanging (by code)."""
    period = _period(year, fiscal)
    found = indicators.drill_down(session, catalog=catalog, period=period, config=indicator_config(request), sector=sector)
    if format == "csv":
        return _csv(render.drill_down_csv(found), f"indicator16-{sector}-{period.be}.csv")
    return DrillDownRead.of(found)


@router.get("/publications", response_model=list[PublicationRead])
def published_years(session: SessionDep) -> list[PublicationRead]:
    """The years the office has published, oldest first: the figures as frozen in the log."""
    found = indicators.publications(session)
    return [PublicationRead.of(p) for _, p in sorted(found.items(), key=lambda item: (item[0].year, item[0].fiscal))]


@router.post(
    "/publications", response_model=IndicatorReportRead, status_code=status.HTTP_201_CREATED,
    responses={401: {"description": "No or bad API key"}, 403: {"description": "Not the office"},
               409: {"description": "The year is published already (send `replace: true` to supersede it)"},
               422: {"description": "The year has not ended, or a bad year"}},
)
async def publish_year(
    request: Request, data: PublishRequest, caller: CallerDep, session: SessionDep, catalog: CatalogDep, write: WriterDep
) -> IndicatorReportRead:
    """Publish a year's figures (office key): figures, definitions and configuration frozen in the signed log."""
    caller.require_office()  # before the figures are computed: an agency or anonymous caller costs nothing
    period = _period(data.year, data.fiscal)
    found = indicators.report(session, catalog=catalog, period=period, config=indicator_config(request))
    publication = await write(publishing.publish, report=found, replace=data.replace)
    return IndicatorReportRead.of(dataclasses.replace(found, published=publication))
