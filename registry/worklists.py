"""``/needs`` and ``/upkeep``: the standards office's two work lists, as server-rendered pages.

Office only: the page is shown to a portal session signed in with an office key (sign in at
``/my/links``) or to a request carrying an office key (``Authorization: Bearer``). Anyone else
gets the page's frame with a 401 or 403 and what to do. ``?format=csv`` or ``json`` gives the
list as a download, the same as ``dxs report needs|upkeep --format``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response

from .api.deps import CatalogDep, SessionDep, token_from
from .dashboard import demo_flag
from .errors import ServiceError
from .reporting import needs, upkeep
from .reporting.needs import WorkList
from .services import keys
from .services.callers import ANONYMOUS, Caller

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The portal's session cookie (:data:`registry.portal.SESSION_COOKIE`).
SESSION_COOKIE = "dxs_session"
FORMATS = ("html", "csv", "json")
SIGN_IN = ("เฉพาะสำนักงานมาตรฐาน: เข้าสู่ระบบด้วยกุญแจของสำนักงานที่หน้า /my/links แล้วกลับมาที่หน้านี้ · "
           "Office only: sign in with an office key at /my/links, then come back to this page.")


def _office(request: Request, session: SessionDep, authorization: str | None, x_api_key: str | None) -> Caller:
    """The office caller of a page request: its portal session, else its key.

    :raises Unauthenticated: neither names a caller.
    :raises Forbidden: the caller is not the office.
    """
    token = request.cookies.get(SESSION_COOKIE)
    caller = keys.session_caller(session, token) if token else ANONYMOUS
    if caller.role == "anonymous":
        caller, _ = keys.caller_for(session, token_from(authorization, x_api_key))
    caller.require_office()
    return caller


def _refused(request: Request, template: str, exc: ServiceError) -> HTMLResponse:
    """The page's frame with what to do instead of the list (401 not signed in, 403 not the office)."""
    page = needs.environment().get_template(f"{template}_report.html")
    html = page.render(report=None, served=True, refusal=f"{SIGN_IN} ({exc.message})", demo=demo_flag(request))
    return HTMLResponse(html, status_code=exc.status_code)


def _answer(fmt: str, report: Any, kind: WorkList) -> Response:
    """The page (``html``), or the list as a CSV or JSON download named like ``dxs report``'s files."""
    if fmt == "html":
        return HTMLResponse(kind.html(report, served=True))
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    disposition = f'attachment; filename="{kind.file_name(report)}.{fmt}"'
    return Response(getattr(kind, fmt)(report), media_type=media, headers={"Content-Disposition": disposition})


FormatQuery = Annotated[str, Query(alias="format", pattern="^(html|csv|json)$", description="html, csv or json")]
AuthorizationHeader = Annotated[str | None, Header()]
ApiKeyHeader = Annotated[str | None, Header()]


@router.get("/needs", response_class=HTMLResponse)
def needs_page(
    request: Request, session: SessionDep, fmt: FormatQuery = "html",
    authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None,
) -> Response:
    """Activity 4.1: the ranked list of standards needed, each with its requests and links."""
    try:
        _office(request, session, authorization, x_api_key)
    except ServiceError as exc:
        return _refused(request, "needs", exc)
    return _answer(fmt, needs.compute(session), needs.NEEDS)


@router.get("/upkeep", response_class=HTMLResponse)
def upkeep_page(
    request: Request, session: SessionDep, catalog: CatalogDep, fmt: FormatQuery = "html",
    review_years: Annotated[int, Query(ge=1, le=50, description="years after the last revision a review falls due")] = upkeep.REVIEW_YEARS,
    authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None,
) -> Response:
    """Activity 4.4: reviews due, use per version, links to move, older code lists, shared components."""
    try:
        _office(request, session, authorization, x_api_key)
    except ServiceError as exc:
        return _refused(request, "upkeep", exc)
    return _answer(fmt, upkeep.compute(session, catalog, review_years=review_years), upkeep.UPKEEP)