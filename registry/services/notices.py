"""Notices to agencies when a version they exchange under is deprecated or gets a sunset date (issue 20, item 5).

For every live link on such a version, each party (provider and consumer) gets one notice
of each kind, never two:

- ``sunset``: the version has a sunset date (whatever its status), or was retired without
  one; the deadline is the sunset date (the retirement day for a version retired without one);
- ``deprecated``: the version is deprecated without a sunset date; the deadline is the
  deprecation day plus a grace period (:data:`GRACE_DAYS`, ``--grace-days``: a setting, not
  an official rule).

A version deprecated without a sunset that later gets one thus brings a second notice,
of kind ``sunset``. The notice says where to move: the newest announced version of the same
standard (``migrate_to``) and what ``dxs standards diff OLD NEW`` finds between the two
(:func:`dxs.validator.commands.compare`, its level, bump and changes).

:func:`plan` decides, from the catalog, the links and the notices already made, and reads
nothing; :func:`make_notices` writes what it planned, every notice in one log entry
(``notices.created``). Each notice's ``body`` is fixed then: every delivery attempt sends the
same bytes (see :mod:`registry.notices_delivery`). Agencies register the webhook their notices
go to (``webhook.set``, ``webhook.removed``: logged) and read their own notices; the office
reads all.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dxs.validator import Catalog, DxsError
from dxs.validator.catalog import Standard, StandardVersion
from dxs.validator.years import BANGKOK

from ..canonical import canonical_json
from ..errors import Forbidden, Invalid, NotFound
from ..models import ExchangeLink, Notice, NoticeDelivery, Webhook
from ..times import iso, utcnow
from ..unit_of_work import WriteTx, write_rule
from . import agencies, log
from .callers import Caller
from .logged_states import notice_state, webhook_state

__all__ = [
    "GRACE_DAYS",
    "NOTICE_TYPE",
    "NotifyResult",
    "PlannedNotice",
    "body_of",
    "checked_webhook_url",
    "get_webhook",
    "last_attempts",
    "list_notices",
    "make_notices",
    "migration_path",
    "migration_target",
    "plan",
    "remove_webhook",
    "set_webhook",
    "version_deadline",
]

#: Days a deprecated version without a sunset date is given before its notice's deadline (a setting, not a rule).
GRACE_DAYS = 365
#: What a notice's body says it is, for a receiver that takes other messages at the same address.
NOTICE_TYPE = "dxs.version-notice/v1"
#: The longest webhook address taken.
MAX_URL = 2000
#: Hosts a plain ``http://`` webhook may name: this machine only (for tests); anything else must be https.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: The most changes a notice lists one by one (all are counted).
LISTED_CHANGES = 20


# --------------------------------------------------------------------------- deciding (pure)


class LinkLike(Protocol):
    """What :func:`plan` reads of a link (an :class:`~registry.models.ExchangeLink` is one)."""

    id: int
    provider_id: int
    consumer_id: int
    standard_id: str | None
    standard_version: str | None
    status: str
    end_date: dt.date | None


@dataclass(frozen=True, slots=True)
class PlannedNotice:
    """A notice to make: to ``agency_id``, the ``side`` it is on ``link_id``."""

    agency_id: int
    side: str
    link_id: int
    kind: str
    standard_id: str
    version: str
    deadline: dt.date
    migrate_to: str | None

    @property
    def key(self) -> tuple[int, int, str, str, str]:
        """What makes a notice the same notice (the table's unique constraint)."""
        return (self.agency_id, self.link_id, self.kind, self.standard_id, self.version)


def _first(version: StandardVersion, status: str) -> dt.date | None:
    days = [h.date for h in version.history if h.status == status]
    return min(days) if days else None


def version_deadline(version: StandardVersion, *, today: dt.date, grace_days: int = GRACE_DAYS) -> tuple[str, dt.date] | None:
    """The notice a version calls for, as ``(kind, deadline)``; ``None`` for a version that calls for none.

    A sunset date makes it ``sunset`` by that date; a retired version without one, ``sunset``
    by the day it was retired; a deprecated one without one, ``deprecated`` by the day it was
    deprecated plus ``grace_days`` (a version whose history does not say when: from ``today``).
    Drafts call for none: no link can be on one.
    """
    if not version.is_announced:
        return None
    if version.sunset is not None:
        return "sunset", version.sunset
    if version.status == "retired":
        return "sunset", _first(version, "retired") or version.withdrawn_on or today
    if version.status == "deprecated":
        return "deprecated", (_first(version, "deprecated") or version.withdrawn_on or today) + dt.timedelta(days=grace_days)
    return None


def migration_target(standard: Standard, version: StandardVersion) -> StandardVersion | None:
    """The newest announced version of ``standard`` other than ``version`` (``None`` if there is none)."""
    others = [v for v in standard.versions if v.status == "announced" and v.version != version.version]
    return max(others, key=lambda v: v.semver) if others else None


def _live(link: LinkLike, today: dt.date) -> bool:
    """Not ended: an active link whose end date, if any, is not past (one starting later is told too)."""
    return link.status == "active" and (link.end_date is None or link.end_date >= today)


def plan(
    catalog: Catalog,
    links: Iterable[LinkLike],
    made: set[tuple[int, int, str, str, str]],
    *,
    today: dt.date,
    grace_days: int = GRACE_DAYS,
) -> list[PlannedNotice]:
    """The notices to make: one per party of each live link on a version that calls for one
    (:func:`version_deadline`), less those in ``made`` (their :attr:`PlannedNotice.key`).

    Links without a standard, or on a standard or version the catalog does not have, call for none.
    """
    planned: list[PlannedNotice] = []
    for link in links:
        if link.standard_id is None or link.standard_version is None or not _live(link, today):
            continue
        try:
            standard = catalog.standard(link.standard_id)
            version = standard.version(link.standard_version)
        except DxsError:
            continue
        due = version_deadline(version, today=today, grace_days=grace_days)
        if due is None:
            continue
        target = migration_target(standard, version)
        for side, agency_id in (("provider", link.provider_id), ("consumer", link.consumer_id)):
            notice = PlannedNotice(agency_id, side, link.id, due[0], standard.id, version.version, due[1],
                                   target.version if target else None)
            if notice.key not in made:
                planned.append(notice)
    return planned


def migration_path(catalog: Catalog, old: str, new: str) -> dict[str, Any]:
    """What ``dxs standards diff OLD NEW`` finds, in brief: level, bump, how many changes (breaking ones
    too) and the first :data:`LISTED_CHANGES` of them; or the reason it could not compare."""
    from dxs.validator.commands import compare

    command = f"dxs standards diff {old} {new}"
    try:
        result = compare(catalog, [old, new]).results[0]
    except DxsError as exc:
        return {"command": command, "error": str(exc)}
    return {
        "command": command,
        "level": result.level.value,
        "bump": result.bump,
        "changes": len(result.changes),
        "breaking": len(result.breaking),
        "listed": [
            {"kind": c.kind, "location": c.location, "effect": c.effect, "message": c.message}
            for c in result.changes[:LISTED_CHANGES]
        ],
    }


# --------------------------------------------------------------------------- making them


@dataclass(frozen=True)
class NotifyResult:
    """What ``dxs registry notify`` did: the notices it made (none when all were made before)."""

    made: list[Notice] = field(default_factory=list)
    #: live links on a version that calls for a notice, notices made before or not
    links: int = 0
    log_seq: int | None = None
    today: dt.date | None = None


def _body(
    p: PlannedNotice, uid: str, *, codes: dict[int, str], link: ExchangeLink, standard: Standard, version: StandardVersion,
    migration: dict[str, Any] | None, now: dt.datetime,
) -> str:
    """The exact JSON a notice is delivered as (canonical: the same bytes on every attempt)."""
    return canonical_json({
        "type": NOTICE_TYPE,
        "notice_id": uid,
        "kind": p.kind,
        "agency": codes[p.agency_id],
        "side": p.side,
        "link": {"id": link.id, "provider": codes[link.provider_id], "consumer": codes[link.consumer_id], "purpose": link.purpose},
        "standard": {"id": standard.id, "title_th": standard.title_th, "title_en": standard.title_en},
        "version": version.version,
        "version_status": version.status,
        "deprecated_on": iso(_first(version, "deprecated")),
        "sunset": iso(version.sunset),
        "deadline": iso(p.deadline),
        "migrate_to": None if p.migrate_to is None else {"version": p.migrate_to, "ref": f"{standard.id}@{p.migrate_to}", "diff": migration},
        "made_at": iso(now),
    })


@write_rule(runs_long=lambda **_: True)
def make_notices(
    *, tx: WriteTx, caller: Caller, catalog: Catalog, today: dt.date | None = None, grace_days: int = GRACE_DAYS
) -> NotifyResult:
    """Make the notices :func:`plan` finds (office or the operator), all in one ``notices.created`` entry.

    Running it again makes nothing new: a notice is made once per agency, link, kind and version.

    :raises Forbidden: the caller is not the office.
    :raises Invalid: ``grace_days`` below zero.
    """
    caller.require_office()
    if grace_days < 0:
        raise Invalid(f"the grace period is {grace_days} days: give 0 or more", code="invalid")
    seq = tx.lock_log()  # first: two runs at once make each notice once
    session = tx.session
    now = utcnow()
    today = today or now.astimezone(BANGKOK).date()
    links = session.execute(
        select(ExchangeLink).where(ExchangeLink.standard_id.is_not(None), ExchangeLink.status == "active").order_by(ExchangeLink.id)
    ).scalars().all()
    made = {tuple(row) for row in session.execute(select(Notice.agency_id, Notice.link_id, Notice.kind, Notice.standard_id, Notice.version))}
    planned = plan(catalog, links, made, today=today, grace_days=grace_days)  # type: ignore[arg-type]
    affected = len({p.link_id for p in plan(catalog, links, set(), today=today, grace_days=grace_days)})  # type: ignore[arg-type]
    if not planned:
        return NotifyResult([], affected, None, today)
    by_id = {k.id: k for k in links}
    codes = agencies.codes_of(session, {i for k in links for i in (k.provider_id, k.consumer_id)})
    paths: dict[tuple[str, str, str], dict[str, Any]] = {}  # one diff per pair of versions, however many links
    rows: list[Notice] = []
    for p in planned:
        standard = catalog.standard(p.standard_id)
        version = standard.version(p.version)
        migration = None
        if p.migrate_to is not None:
            pair = (p.standard_id, p.version, p.migrate_to)
            if pair not in paths:
                paths[pair] = migration_path(catalog, f"{p.standard_id}@{p.version}", f"{p.standard_id}@{p.migrate_to}")
            migration = paths[pair]
        uid = str(uuid.uuid4())
        rows.append(Notice(
            uid=uid, agency_id=p.agency_id, link_id=p.link_id, kind=p.kind, standard_id=p.standard_id, version=p.version,
            deadline=p.deadline, migrate_to=p.migrate_to,
            body=_body(p, uid, codes=codes, link=by_id[p.link_id], standard=standard, version=version, migration=migration, now=now),
            created_at=now, log_seq=seq, delivered_at=None, attempts=0, next_attempt_at=now,
        ))
    session.add_all(rows)
    session.flush()
    log.append(tx, actor=caller.actor, kind="notices.created", payload={"notices": [notice_state(n) for n in rows]}, now=now)
    return NotifyResult(rows, affected, seq, today)


# --------------------------------------------------------------------------- reading them


def _own_agency(caller: Caller, what: str) -> int:
    caller.require_known()
    if caller.role != "agency" or caller.agency_id is None:
        raise Forbidden(f"{what} is the agency's own, set with its own key; the office reads every agency's notices",
                        code="agency_only")
    return caller.agency_id


def list_notices(
    session: Session,
    *,
    caller: Caller,
    agency: str | None = None,
    delivered: bool | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[Sequence[Notice], int]:
    """The caller's own notices (the office: all, or one agency's), oldest first (or newest); and how many match in all.

    :raises Forbidden: an agency asks for another agency's notices.
    :raises NotFound: the office names an agency that is not registered.
    """
    caller.require_known()
    query = select(Notice)
    if not caller.is_office:
        if agency and agency != caller.agency_code:
            raise Forbidden(f"agency: an agency reads only its own notices, not {agency!r}'s", code="not_your_agency")
        query = query.where(Notice.agency_id == caller.agency_id)
    elif agency:
        query = query.where(Notice.agency_id == agencies.get(session, agency).id)
    if delivered is not None:
        query = query.where(Notice.delivered_at.is_not(None) if delivered else Notice.delivered_at.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = Notice.id.desc() if newest_first else Notice.id
    rows = session.execute(query.order_by(order).limit(limit).offset(offset)).scalars().all()
    return rows, total


def last_attempts(session: Session, notice_ids: Iterable[int]) -> dict[int, NoticeDelivery]:
    """Each notice's latest delivery attempt (notices never attempted are absent)."""
    ids = set(notice_ids)
    if not ids:
        return {}
    latest = select(func.max(NoticeDelivery.id)).where(NoticeDelivery.notice_id.in_(ids)).group_by(NoticeDelivery.notice_id)
    rows = session.execute(select(NoticeDelivery).where(NoticeDelivery.id.in_(latest))).scalars()
    return {d.notice_id: d for d in rows}


# --------------------------------------------------------------------------- webhooks


def checked_webhook_url(url: str) -> str:
    """``url`` if notices may be POSTed there: ``https://HOST…``, or ``http://`` to this machine only (tests).

    :raises Invalid: anything else, saying what is wrong with it (code ``bad_webhook_url``).
    """
    def bad(why: str) -> Invalid:
        shown = url if len(url) <= 120 else url[:117] + "..."
        return Invalid(f"url: {shown!r} {why}", code="bad_webhook_url")

    if url != url.strip() or not url:
        raise bad("is empty or has spaces around it")
    if len(url) > MAX_URL:
        raise bad(f"is longer than {MAX_URL} characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise bad("has spaces or control characters in it")
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise bad(f"is not a URL ({exc})") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http"):
        raise bad("must be an https:// address")
    if not host:
        raise bad("names no host")
    if parts.username is not None or parts.password is not None:
        raise bad("must not carry a user name or password (notices are signed; the receiver checks the signature)")
    if parts.fragment:
        raise bad("must not have a #fragment")
    if scheme == "http" and host not in LOCAL_HOSTS:
        raise bad("must be https:// (plain http:// only to 127.0.0.1 or localhost, for tests)")
    if port == 0:
        raise bad("names port 0")
    return url


def get_webhook(session: Session, *, caller: Caller) -> Webhook:
    """The caller's agency's webhook.

    :raises Forbidden: the caller is not an agency.
    :raises NotFound: its agency has registered none.
    """
    own = _own_agency(caller, "a webhook")
    found = session.execute(select(Webhook).where(Webhook.agency_id == own)).scalar_one_or_none()
    if found is None:
        raise NotFound("your agency has registered no webhook (PUT /api/v1/webhook)", code="webhook_not_found")
    return found


@write_rule()
def set_webhook(*, tx: WriteTx, caller: Caller, url: str) -> Webhook:
    """Register (or replace) the caller's agency's webhook; its undelivered notices become due at once.

    The same address again changes nothing and logs nothing.

    :raises Forbidden: the caller is not an agency.
    :raises Invalid: the address is not one notices may be sent to (:func:`checked_webhook_url`).
    """
    own = _own_agency(caller, "a webhook")
    url = checked_webhook_url(url)
    seq = tx.lock_log()
    session = tx.session
    found = session.execute(select(Webhook).where(Webhook.agency_id == own)).scalar_one_or_none()
    if found is not None and found.url == url:
        return found
    now = utcnow()
    if found is None:
        found = Webhook(agency_id=own, url=url, created_at=now, updated_at=now, log_seq=seq)
        session.add(found)
    else:
        found.url, found.updated_at, found.log_seq = url, now, seq
    session.flush()
    # notices waiting out a backoff against the old address (or no address) go now (bookkeeping, not logged)
    session.execute(
        update(Notice).where(Notice.agency_id == own, Notice.delivered_at.is_(None)).values(next_attempt_at=now)
    )
    log.append(tx, actor=caller.actor, kind="webhook.set", payload={"webhook": webhook_state(found)}, now=now)
    return found


@write_rule()
def remove_webhook(*, tx: WriteTx, caller: Caller) -> Webhook:
    """Remove the caller's agency's webhook: its notices wait in the outbox until it registers one again.

    :raises Forbidden: the caller is not an agency.
    :raises NotFound: it has none.
    """
    own = _own_agency(caller, "a webhook")
    tx.lock_log()
    session = tx.session
    found = session.execute(select(Webhook).where(Webhook.agency_id == own)).scalar_one_or_none()
    if found is None:
        raise NotFound("your agency has registered no webhook", code="webhook_not_found")
    state = webhook_state(found)
    session.delete(found)
    session.flush()
    log.append(tx, actor=caller.actor, kind="webhook.removed", payload={"webhook": state})
    return found


def body_of(notice: Notice) -> dict[str, Any]:
    """The notice as delivered (its JSON body), parsed."""
    return json.loads(notice.body)
