"""Exchange links: declared, changed and ended only by a party; every revision kept.

A new link (or a link moving to another version) must name a version that the
catalog has *announced*. A link declared on a version that is later deprecated or
retired stays as it is and may still be changed or ended; it just cannot move to
such a version, and no new link can be declared on one.

An exchange no catalog standard covers yet is declared without one: it says instead
what it carries (``document_name``, ``document_format``, and optionally
``yearly_volume`` and ``followed_standard``). Such a link is logged, evented and
verified like any other; it never counts in indicator 16 (see
:mod:`registry.reporting.indicators`), and it is the raw material of the office's list
of needed standards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxs.validator.years import BANGKOK

from dxs.validator import Catalog, DxsError

from ..canonical import canonical_json
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import ExchangeLink, LinkChange
from ..api_models import DOCUMENT_FIELDS, LinkCreate, LinkUpdate
from ..statements import Statement
from ..times import utcnow
from ..unit_of_work import Pending, WriteTx, write_rule
from . import agencies, log
from .callers import Caller
from .logged_states import link_state

__all__ = ["NO_STANDARD", "change", "declare", "prefetch_declaration", "get", "history", "list_links", "reporting_side", "side_of"]


#: The ``standard`` filter of :func:`list_links` for links declared without a catalog standard.
NO_STANDARD = "none"


def _announced(catalog: Catalog, standard_id: str, version: str) -> None:
    try:
        found = catalog.standard(standard_id).version(version)
    except DxsError as exc:
        raise Invalid(str(exc), code="unknown_standard") from None
    if found.status != "announced":
        raise Invalid(
            f"{found.ref} is {found.status}; links may only be declared on an announced version",
            code="standard_not_announced",
        )


# Declaring a link is the busiest write after events: straight to the driver (see registry.statements).
# A new id and the parties in one statement (one row per party found; one row of NULLs if neither
# is), so that the writes after it need nothing read back.
_AND_PARTIES = "SELECT new.id, a.id, a.code, a.status FROM new LEFT JOIN agencies a ON a.code IN (:provider, :consumer)"
_NEW_ID_AND_PARTIES = Statement(
    # the write transaction holds SQLite whole (above); PostgreSQL has the column's sequence
    f"WITH new AS (SELECT COALESCE(MAX(id), 0) + 1 AS id FROM exchange_links) {_AND_PARTIES}",
    postgres=f"WITH new AS (SELECT nextval(pg_get_serial_sequence('exchange_links', 'id')) AS id) {_AND_PARTIES}",
)
_LINK_COLUMNS = (
    "provider_id", "consumer_id", "standard_id", "standard_version", "document_name", "document_format", "yearly_volume",
    "followed_standard", "purpose", "legal_basis", "status", "start_date", "end_date", "revision", "created_at", "updated_at",
    "log_seq",
)
_ADD_LINK = Statement(
    f"INSERT INTO exchange_links (id, {', '.join(_LINK_COLUMNS)}) VALUES (:id, {', '.join(':' + c for c in _LINK_COLUMNS)})"
)
_ADD_CHANGE = Statement(
    """INSERT INTO link_changes (link_id, revision, change, actor, changed_at, state, log_seq)
    VALUES (:link_id, :revision, :change, :actor, :changed_at, :state, :log_seq)"""
)


def _parties(rows: Sequence[tuple[int, int | None, str | None, str | None]], provider: str, consumer: str) -> tuple[int, int]:
    """The ids of the provider and the consumer (from ``_NEW_ID_AND_PARTIES``' rows), both registered and active."""
    found = {code: (agency_id, status) for _, agency_id, code, status in rows if code is not None}
    return _party(found.get(provider), provider, "provider"), _party(found.get(consumer), consumer, "consumer")


def _party(agency: tuple[int, str] | None, code: str, role: str) -> int:
    if agency is None:
        raise Invalid(f"{role} {code!r} is not a registered agency", code="unknown_agency")
    agency_id, status = agency
    if status != "active":
        raise Invalid(f"{role} {code!r} is {status}", code="agency_inactive")
    return agency_id


def side_of(link: ExchangeLink, agency_id: int | None) -> str | None:
    """``provider``, ``consumer`` or ``None`` for an agency that is not a party."""
    return _side(link.provider_id, link.consumer_id, agency_id)


def _side(provider_id: int, consumer_id: int, agency_id: int | None) -> str | None:
    if agency_id == provider_id:
        return "provider"
    if agency_id == consumer_id:
        return "consumer"
    return None


def _not_a_party(link_id: int) -> NotFound:
    # not revealing whether a link the caller is not party to exists
    return NotFound(f"no link {link_id} that you are a party to", code="link_not_found")


def _record(tx: WriteTx, link: ExchangeLink, *, caller: Caller, change: str, seq: int, rows: log.Rows = ()) -> None:
    """Keep the link's new revision as history and log it, with ``rows`` (the link's own row, if
    written here): on PostgreSQL all in one statement."""
    state = link_state(link)
    revision = {
        "link_id": link.id,
        "revision": link.revision,
        "change": change,
        "actor": caller.actor,
        "changed_at": link.updated_at,
        "state": canonical_json(state),
        "log_seq": seq,
    }
    log.append(
        tx, actor=caller.actor, kind=f"link.{change}", payload={"link": state}, now=link.updated_at,
        rows=(*rows, (_ADD_CHANGE, revision)),
    )


def prefetch_declaration(*, tx: WriteTx, data: LinkCreate, **_: Any) -> Pending[Any]:
    """What declaring ``data`` reads (a new id, the parties), asked now and read by :func:`declare`
    (see :meth:`registry.unit_of_work.WriteTx.prefetch`): a group of writes asks for all of theirs in
    the round trip that locks the log. Writes that change agencies are never in such a group."""
    return tx.prefetch(_NEW_ID_AND_PARTIES, {"provider": data.provider, "consumer": data.consumer})


@write_rule(prefetch=prefetch_declaration)
def declare(
    *, tx: WriteTx, caller: Caller, catalog: Catalog, data: LinkCreate, prefetched: Pending[Any] | None = None
) -> ExchangeLink:
    """Declare a link; the caller's agency must be its provider or its consumer.

    ``prefetched``: :func:`prefetch_declaration`'s answer, asked after the log was locked.
    """
    own = caller.require_agency()
    # The log first, as every write takes it: the parties read below cannot change before the
    # commit (their changes wait for the log too), and no two writes take locks in another order.
    seq = tx.lock_log()
    rows = (prefetched or prefetch_declaration(tx=tx, data=data)).result().fetchall()
    provider, consumer = _parties(rows, data.provider, data.consumer)
    if provider == consumer:
        raise Invalid("provider and consumer must be two different agencies", code="same_agency")
    if own not in (provider, consumer):
        raise Forbidden("only the provider or the consumer may declare a link", code="not_a_party")
    if data.standard is not None:
        assert data.version is not None  # LinkCreate holds them together
        _announced(catalog, data.standard, data.version)
    now = utcnow()
    row = {
        "id": rows[0][0],
        "provider_id": provider,
        "consumer_id": consumer,
        "standard_id": data.standard,
        "standard_version": data.version,
        # without a standard (LinkCreate checked that a name and a format were given)
        "document_name": data.document_name or "",
        "document_format": data.document_format,
        "yearly_volume": data.yearly_volume,
        "followed_standard": data.followed_standard or "",
        "purpose": data.purpose,
        "legal_basis": data.legal_basis,
        "status": "active",
        "start_date": data.start_date or now.astimezone(BANGKOK).date(),  # today where the agencies are
        "end_date": data.end_date,
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "log_seq": seq,
    }
    link = ExchangeLink(**row)  # what is stored, for the answer (not added to the session)
    with tx.sent_together():  # on PostgreSQL one statement for the link, its history and the entry
        _record(tx, link, caller=caller, change="declared", seq=seq, rows=[(_ADD_LINK, row)])
    return link


def get(session: Session, *, caller: Caller, link_id: int) -> ExchangeLink:
    """A link, for one of its parties or the office."""
    caller.require_known()
    link = session.get(ExchangeLink, link_id)
    if link is None or not (caller.is_office or side_of(link, caller.agency_id)):
        raise _not_a_party(link_id)
    return link


_PARTIES_OF = Statement("SELECT provider_id, consumer_id FROM exchange_links WHERE id = :id")


def reporting_side(*, tx: WriteTx, caller: Caller, link_id: int) -> str:
    """The side of the link the caller's agency reports for: :func:`get` for an event batch,
    which needs only the parties, not the whole link loaded through the ORM.

    :raises NotFound: no such link, or the caller is not a party to it (as :func:`get`).
    """
    found = tx.run(_PARTIES_OF, {"id": link_id}).fetchone()
    side = None if found is None else _side(found[0], found[1], caller.agency_id)
    if side is None:
        raise _not_a_party(link_id)
    return side


@write_rule()
def change(*, tx: WriteTx, caller: Caller, catalog: Catalog, link_id: int, data: LinkUpdate) -> ExchangeLink:
    """Change or end a link (parties only); an ended link is final."""
    caller.require_agency()
    seq = tx.lock_log()
    session = tx.session
    link = get(session, caller=caller, link_id=link_id)
    if link.status == "ended":
        raise Conflict(f"link {link_id} has ended; declare a new one", code="link_ended")
    changes = data.model_dump(exclude_unset=True)
    _check_kind(link, changes)
    if "version" in changes and changes["version"] is not None and changes["version"] != link.standard_version:
        assert link.standard_id is not None  # _check_kind: only a link under a standard has a version
        _announced(catalog, link.standard_id, changes["version"])
        link.standard_version = changes["version"]
    for field in ("document_name", "document_format"):  # never emptied: the link must still say what it carries
        value = changes.get(field)
        if value is not None:
            setattr(link, field, value)
    if "yearly_volume" in changes:
        link.yearly_volume = changes["yearly_volume"]
    if "followed_standard" in changes:
        link.followed_standard = changes["followed_standard"] or ""
    for field in ("purpose", "legal_basis", "status"):
        value = changes.get(field)
        if value is not None:
            setattr(link, field, value)
    if "end_date" in changes:
        link.end_date = changes["end_date"]
    now = utcnow()
    if link.status == "ended" and link.end_date is None:
        link.end_date = now.date()
    if link.end_date is not None and link.end_date < link.start_date:
        raise Invalid("end_date is before start_date", code="invalid_request")
    if not session.is_modified(link):
        return link  # nothing changed: no new revision
    link.revision += 1
    link.updated_at = now
    link.log_seq = seq
    session.flush()
    _record(tx, link, caller=caller, change="ended" if link.status == "ended" else "changed", seq=seq)
    return link


def _check_kind(link: ExchangeLink, changes: dict[str, Any]) -> None:
    """A version is changed only on a link under a standard, the document fields only on one without.

    :raises Invalid: a change for the other kind of link, naming the fields.
    """
    document = [f for f in DOCUMENT_FIELDS if changes.get(f) not in (None, "")]
    if link.standard_id is not None and document:
        raise Invalid(
            f"link {link.id} is under {link.standard_id}@{link.standard_version}: {', '.join(document)} "
            "describe only a link without a catalog standard",
            code="link_has_standard",
        )
    if link.standard_id is None and changes.get("version") is not None:
        raise Invalid(
            f"link {link.id} has no catalog standard, so no version to change; to exchange under a catalog standard, "
            "declare a new link with standard and version and end this one",
            code="link_without_standard",
        )


def history(session: Session, *, caller: Caller, link_id: int) -> Sequence[LinkChange]:
    link = get(session, caller=caller, link_id=link_id)
    return session.execute(
        select(LinkChange).where(LinkChange.link_id == link.id).order_by(LinkChange.revision)
    ).scalars().all()


def list_links(
    session: Session,
    *,
    caller: Caller,
    status: str | None = None,
    standard: str | None = None,
    version: str | None = None,
    document_format: str | None = None,
    agency: str | None = None,
    side: str | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[Sequence[ExchangeLink], int]:
    """Links the caller is party to (the office: all), filtered; and how many match in all.

    ``standard``: links under that catalog standard, or :data:`NO_STANDARD` (``none``) for links without one.

    In the order they were declared (the API pages through them stably), or the newest
    first (what a person looks for first)."""
    caller.require_known()
    query = select(ExchangeLink)
    if not caller.is_office:
        query = query.where(or_(ExchangeLink.provider_id == caller.agency_id, ExchangeLink.consumer_id == caller.agency_id))
    if status:
        query = query.where(ExchangeLink.status == status)
    if standard == NO_STANDARD:
        query = query.where(ExchangeLink.standard_id.is_(None))
    elif standard:
        query = query.where(ExchangeLink.standard_id == standard)
    if document_format:
        query = query.where(ExchangeLink.document_format == document_format)
    if version:
        query = query.where(ExchangeLink.standard_version == version)
    if agency:
        agency_id = agencies.get(session, agency).id
        if side == "provider":
            query = query.where(ExchangeLink.provider_id == agency_id)
        elif side == "consumer":
            query = query.where(ExchangeLink.consumer_id == agency_id)
        else:
            query = query.where(or_(ExchangeLink.provider_id == agency_id, ExchangeLink.consumer_id == agency_id))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = ExchangeLink.id.desc() if newest_first else ExchangeLink.id
    rows = session.execute(query.order_by(order).limit(limit).offset(offset)).scalars().all()
    return rows, total
