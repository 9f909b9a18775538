"""Server-rendered portal pages (no build step): catalog browser, validate-by-upload, an agency's links.

Each standard's own page is ``/standards/{id}`` (:mod:`registry.pages`). An agency
signs in to "my links" (and then sees its requests and notices) with its API key; the key is checked and a server-side session
started (:func:`registry.services.keys.open_session`), and only the session's random
token goes into an HttpOnly, SameSite=Strict cookie, never the key. Signing out deletes
the session, revoking the key ends its sessions, and each lasts ``SESSION_HOURS``. The
pages only read, but for filing a request for a standard (``/my/requests``): a same-origin form that
carries a token made from the session's, which another site can neither send the cookie with nor forge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from dxs.validator import Catalog
from dxs.validator.catalog import ILLUSTRATIVE_LABEL, STATUSES
from dxs.validator.sectors import SECTOR_NAMES
from dxs.validator.years import be_year, thai_datetime

from .api.deps import KEY_COOKIE, CatalogDep, DatabaseDep, SessionDep
from .api.links import link_reads
from .api.needs import request_reads
from .api.notices import notice_reads
from .api_models_needs import RequestCreate
from .models import URGENCIES
from .api.validate import validate_document
from .limits import MAX_DOCUMENT
from .dashboard import demo_flag
from .errors import ServiceError
from .limits import anonymous_max_document
from .pages import SOURCE_TH
from .services import agencies, events, keys, links
from .services import needs, notices
from .throttling import pool_of
from .times import from_db_time, iso

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(SOURCE_TH=SOURCE_TH, ILLUSTRATIVE=ILLUSTRATIVE_LABEL)  # where each real standard comes from; what the made-up ones are called
templates.env.filters["be_year"] = be_year
templates.env.filters["iso"] = iso
templates.env.filters["thai_datetime"] = lambda moment: thai_datetime(from_db_time(moment) or moment)

SESSION_HOURS = 8
PAGE = 50
#: The cookie holding a portal session's token. (``KEY_COOKIE``, which held the key itself
#: before sessions, is no longer read: it is deleted wherever it is still sent.)
SESSION_COOKIE = "dxs_session"


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    catalog = getattr(request.app.state, "catalog", None)
    # illustrative standards are labelled wherever a page names one (links, validation results)
    made_up = {s.id for s in catalog if s.illustrative} if catalog is not None else set()
    context = {"today": dt.date.today(), "demo": demo_flag(request), "illustrative": made_up, **context}  # demo: the banner on every page
    return templates.TemplateResponse(request, name, context, status_code=status_code)


# --------------------------------------------------------------------------- catalog


def _matches(standard: Any, q: str) -> bool:
    q = q.casefold()
    fields = (standard.id, standard.title_th, standard.title_en, standard.national_code, standard.owner, *standard.keywords)
    return any(q in str(f).casefold() for f in fields)


@router.get("/", response_class=HTMLResponse)
def landing(
    request: Request, q: str = "", sector: str = "", status: str = ""
) -> HTMLResponse:
    """The catalog browser: every standard, filterable by text, sector and version status."""
    catalog: Catalog = request.app.state.catalog
    everything = list(catalog)
    chosen = [
        s
        for s in everything
        if (not q or _matches(s, q))
        and (not sector or s.sector == sector)
        and (not status or any(v.status == status for v in s.versions))
    ]
    return _render(
        request,
        "index.html",
        {
            "standards": chosen,
            "versions": sum(len(s.versions) for s in chosen),
            "total": len(everything),
            "sectors": sorted({s.sector for s in everything}),
            "statuses": list(STATUSES),
            "q": q,
            "sector": sector,
            "status": status,
        },
    )


# --------------------------------------------------------------------------- validate


@router.get("/validate", response_class=HTMLResponse)
def validate_form(request: Request, catalog: CatalogDep) -> HTMLResponse:
    return _render(request, "portal_validate.html", {"catalog": list(catalog), "standard": ""})


@router.post("/validate", response_class=HTMLResponse)
async def validate_upload(
    request: Request, catalog: CatalogDep, document: UploadFile, standard: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Validate an uploaded document with the same validator as the API and the command line."""
    context: dict[str, Any] = {"catalog": list(catalog), "standard": standard}
    limit = anonymous_max_document()  # the page sends no key: the anonymous allowance
    data = await document.read(limit + 1)
    if len(data) > limit:
        error = f"The document is larger than {limit:,} bytes. Larger documents (up to {MAX_DOCUMENT:,} bytes) can be validated through the API with an API key."
        return _render(request, "portal_validate.html", {**context, "error": error}, 413)
    try:
        # on the validation threads, not the event loop: a large document must not stall other requests
        report = await pool_of(request.app).run(
            validate_document, catalog, data, name=Path(document.filename or "document").name, standard=standard or None, anonymous=True
        )
    except ServiceError as exc:
        return _render(request, "portal_validate.html", {**context, "error": exc.message}, exc.status_code)
    report_json = json.dumps(report, ensure_ascii=False, indent=2)
    return _render(request, "portal_validate.html", {**context, "report": report, "report_json": report_json})


# --------------------------------------------------------------------------- my links


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF): an Origin, when sent, must be this host."""
    origin = request.headers.get("origin")
    return not origin or urlsplit(origin).netloc == request.url.netloc


@router.get("/my/links", response_class=HTMLResponse)
def my_links(
    request: Request, session: SessionDep, status: str = "", offset: Annotated[int, Query(ge=0)] = 0
) -> HTMLResponse:
    """The links the signed-in agency is a party to, with what was reported over them."""
    context: dict[str, Any] = {"caller": None, "hours": SESSION_HOURS, "status": status}
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return _forget_old_cookie(request, _render(request, "portal_links.html", context))
    try:
        caller = keys.session_caller(session, token)
        rows, total = links.list_links(
            session, caller=caller, status=status or None, limit=PAGE, offset=offset, newest_first=True
        )
    except ServiceError as exc:
        response = _render(request, "portal_links.html", {**context, "error": exc.message}, exc.status_code)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return _forget_old_cookie(request, response)
    reads = link_reads(session, list(rows))
    stats = events.summary(session, [r.id for r in rows])
    context.update(
        caller=caller,
        agency=agencies.get(session, caller.agency_code) if caller.agency_code else None,
        total=total,
        rows=[{"link": r, "records": stats.get(r.id, (0, None))[0], "last": stats.get(r.id, (0, None))[1]} for r in reads],
        prev_offset=max(offset - PAGE, 0) if offset else None,
        next_offset=offset + PAGE if offset + PAGE < total else None,
    )
    return _render(request, "portal_links.html", context)


def _forget_old_cookie(request: Request, response: Response) -> Response:
    """Delete a cookie from before sessions, which held the key itself."""
    if KEY_COOKIE in request.cookies:
        response.delete_cookie(KEY_COOKIE, path="/")
    return response


@router.post("/my/login")
def login(request: Request, database: DatabaseDep, key: Annotated[str, Form(max_length=200)]) -> Response:
    """Check the key, start a session, keep only the session's token in an HttpOnly cookie, show the links."""
    if not _same_origin(request):
        return _render(request, "portal_links.html", {"caller": None, "hours": SESSION_HOURS, "error": "cross-site sign-in refused"}, 403)
    try:
        with database.write() as tx:  # not logged: a session is bookkeeping, like a key's last use
            _, token = keys.open_session(tx=tx, key=key.strip(), lifetime=dt.timedelta(hours=SESSION_HOURS))
    except ServiceError as exc:
        return _render(request, "portal_links.html", {"caller": None, "hours": SESSION_HOURS, "error": exc.message}, exc.status_code)
    response = _forget_old_cookie(request, RedirectResponse("/my/links", status_code=303))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/my/logout")
def logout(request: Request, database: DatabaseDep) -> Response:
    """Sign out: the session is deleted on the server (a copied cookie no longer works), and the cookie cleared."""
    response = RedirectResponse("/my/links", status_code=303)
    if _same_origin(request):
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            with database.write() as tx:
                keys.end_session(tx=tx, token=token)
        response.delete_cookie(SESSION_COOKIE, path="/")
        _forget_old_cookie(request, response)
    return response


# --------------------------------------------------------------------------- my notices


@router.get("/my/notices", response_class=HTMLResponse)
def my_notices(request: Request, session: SessionDep, offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    """The signed-in agency's notices of deprecated and sunset versions, newest first, with where each delivery stands.

    The same notices as ``GET /api/v1/notices`` (the office sees every agency's); the webhook they
    go to is shown, and set through the API (``PUT /api/v1/webhook``), not here.
    """
    context: dict[str, Any] = {"caller": None, "hours": SESSION_HOURS}
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return _forget_old_cookie(request, _render(request, "portal_notices.html", context))
    try:
        caller = keys.session_caller(session, token)
        rows, total = notices.list_notices(session, caller=caller, limit=PAGE, offset=offset, newest_first=True)
    except ServiceError as exc:
        response = _render(request, "portal_notices.html", {**context, "error": exc.message}, exc.status_code)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return _forget_old_cookie(request, response)
    webhook = None
    if not caller.is_office:
        try:
            webhook = notices.get_webhook(session, caller=caller)
        except ServiceError:
            webhook = None  # none registered: the page says how to register one
    context.update(
        caller=caller,
        agency=agencies.get(session, caller.agency_code) if caller.agency_code else None,
        webhook=webhook,
        rows=notice_reads(session, list(rows)),
        total=total,
        prev_offset=max(offset - PAGE, 0) if offset else None,
        next_offset=offset + PAGE if offset + PAGE < total else None,
    )
    return _render(request, "portal_notices.html", context)


# --------------------------------------------------------------------------- my requests for standards


def _form_token(session_token: str) -> str:
    """The token a request form carries: made from the session's, so only a page of this session can post it."""
    return hmac.new(session_token.encode(), b"dxs-portal:request-form", hashlib.sha256).hexdigest()


def _requests_page(
    request: Request, session: Any, token: str | None, *, error: str | None = None, status_code: int = 200,
    entered: dict[str, Any] | None = None, filed: int | None = None,
) -> Response:
    """``/my/requests`` for the session ``token`` (or the sign-in prompt); an error ends the session's cookie."""
    context: dict[str, Any] = {
        "caller": None, "hours": SESSION_HOURS, "sectors": SECTOR_NAMES, "urgencies": URGENCIES,
        "entered": entered or {}, "error": error, "filed": filed,
    }
    if not token:
        return _forget_old_cookie(request, _render(request, "portal_requests.html", context, status_code))
    try:
        caller = keys.session_caller(session, token)
        rows, total = needs.list_requests(session, caller=caller, limit=PAGE, newest_first=True)
    except ServiceError as exc:
        response = _render(request, "portal_requests.html", {**context, "error": exc.message}, exc.status_code)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return _forget_old_cookie(request, response)
    context.update(
        caller=caller,
        agency=agencies.get(session, caller.agency_code) if caller.agency_code else None,
        rows=request_reads(session, list(rows)),
        total=total,
        form_token=_form_token(token),
    )
    return _render(request, "portal_requests.html", context, status_code)


@router.get("/my/requests", response_class=HTMLResponse)
def my_requests(request: Request, session: SessionDep, filed: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The signed-in agency's requests for standards, newest first, and the form to file one (the office: all requests)."""
    return _requests_page(request, session, request.cookies.get(SESSION_COOKIE), filed=filed)


def _volume(text: str) -> str | None:
    # people write 12,000 or 12 000
    cleaned = text.replace(",", "").replace(" ", "").strip()
    return cleaned or None


@router.post("/my/requests", response_class=HTMLResponse)
def file_request_form(
    request: Request,
    database: DatabaseDep,
    session: SessionDep,
    document_type: Annotated[str, Form(max_length=2000)] = "",
    sectors: Annotated[list[str] | None, Form()] = None,
    partners: Annotated[str, Form(max_length=5000)] = "",
    yearly_volume: Annotated[str, Form(max_length=40)] = "",
    urgency: Annotated[str, Form(max_length=40)] = "",
    urgency_reason: Annotated[str, Form(max_length=5000)] = "",
    legal_driver: Annotated[str, Form(max_length=5000)] = "",
    form_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """File a request for a standard for the signed-in agency: the same checks, log entry and answer as the API."""
    token = request.cookies.get(SESSION_COOKIE)
    entered = {
        "document_type": document_type, "sectors": sectors or [], "partners": partners, "yearly_volume": yearly_volume,
        "urgency": urgency, "urgency_reason": urgency_reason, "legal_driver": legal_driver,
    }
    if not token:
        return _requests_page(request, session, None, error="you are not signed in: sign in on My links first", status_code=401)
    if not _same_origin(request) or not hmac.compare_digest(form_token.encode(), _form_token(token).encode()):
        return _requests_page(request, session, token, error="this form did not come from this page: open My requests and send it again", status_code=403, entered=entered)
    try:
        data = RequestCreate.model_validate({
            "document_type": document_type, "sectors": sectors or [], "partners": [p for p in re.split(r"[\s,;]+", partners) if p],
            "yearly_volume": _volume(yearly_volume), "urgency": urgency, "urgency_reason": urgency_reason, "legal_driver": legal_driver,
        })
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False))
        return _requests_page(request, session, token, error=problems, status_code=422, entered=entered)
    try:
        with database.write() as tx:  # the caller authenticated in the write's own transaction, as the API does
            filed = needs.file_request(tx=tx, caller=keys.session_caller(tx.session, token), data=data)
    except ServiceError as exc:
        return _requests_page(request, session, token, error=exc.message, status_code=exc.status_code, entered=entered)
    return RedirectResponse(f"/my/requests?filed={filed.id}", status_code=303)
