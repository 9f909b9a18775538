"""Requests for standards and the office's need groups: the raw material of activity 4.1.

An agency files a request for a standard the catalog does not have, always for itself,
and reads only its own requests. The standards office reads them all, merges duplicates,
and gathers requests and links declared without a standard into named *need groups*,
each with a priority and a status (open, planned, drafting, announced as a catalog
standard, declined with a reason). Requests take the same statuses, plus ``merged``.

Every change writes the row's whole new state to the log (``request.*``,
``need_group.*``), so ``dxs registry verify`` holds the rows against it. Rules kept here:

- a merged request points at a request that is not merged (merging one that others
  were merged into moves them along), and leaves its group: it is counted through the
  request it was merged into;
- a request or a link is in at most one group: taken out before it is put in another;
- only links without a catalog standard go into a group.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxs.validator import Catalog, DxsError

from ..api_models_needs import NeedGroupCreate, NeedGroupUpdate, RequestCreate, RequestUpdate
from ..canonical import canonical_json
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import Agency, ExchangeLink, NeedGroup, NeedGroupLink, StandardRequest
from ..times import utcnow
from ..unit_of_work import WriteTx, write_rule
from . import agencies, log
from .callers import Caller
from .logged_states import need_group_link_state, need_group_state, request_state

__all__ = [
    "GroupMembers",
    "add_link",
    "change_group",
    "change_request",
    "create_group",
    "file_request",
    "get_group",
    "get_request",
    "group_request",
    "list_groups",
    "list_requests",
    "listed",
    "members",
    "merge_request",
    "remove_link",
    "ungroup_request",
]


# --------------------------------------------------------------------------- who may


def _require_filing_agency(caller: Caller) -> int:
    """The caller's agency id: only an agency files a request, and only for itself."""
    caller.require_known()
    if caller.role != "agency" or caller.agency_id is None:
        raise Forbidden(
            "a request for a standard is filed by an agency with its own key; the office merges, groups and answers requests",
            code="agency_only",
        )
    return caller.agency_id


def _request_not_found(request_id: int) -> NotFound:
    # an agency is not told whether another agency's request exists
    return NotFound(f"no request {request_id} that you may see", code="request_not_found")


# --------------------------------------------------------------------------- the status rules


@dataclass(frozen=True, slots=True)
class _Status:
    status: str
    note: str
    announced_as: str | None


def _checked_ref(catalog: Catalog, ref: str) -> str:
    """``ID`` or ``ID@VERSION`` of a standard the catalog has; refused naming what it lacks."""
    standard_id, at, version = ref.partition("@")
    try:
        standard = catalog.standard(standard_id.strip())
        if at:
            if not version.strip():
                raise Invalid(f"announced_as: {ref!r} names no version after '@' (give ID or ID@VERSION)", code="unknown_standard")
            standard.version(version.strip())
    except DxsError as exc:
        raise Invalid(f"announced_as: {exc}", code="unknown_standard") from None
    return f"{standard.id}@{version.strip()}" if at else standard.id


def _next_status(catalog: Catalog, current: _Status, changes: dict[str, Any]) -> _Status:
    """The status, note and ``announced_as`` after ``changes`` (the fields sent), checked.

    A new status clears the old note (unless one is sent) and, unless it is ``announced``,
    the old ``announced_as``.

    :raises Invalid: ``announced`` without a standard, ``announced_as`` with another status, an
        unknown standard, ``declined`` without a reason, a field emptied that cannot be.
    """
    for field in ("status", "status_note"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be emptied", code="invalid_request")
    status = changes.get("status") or current.status
    moved = status != current.status
    note = changes["status_note"] if "status_note" in changes else ("" if moved else current.note)
    if "announced_as" in changes:
        announced_as = changes["announced_as"]
    else:
        announced_as = current.announced_as if status == "announced" else None
    if status == "announced":
        if not announced_as:
            raise Invalid(
                "announced_as: name the catalog standard it was announced as (ID or ID@VERSION)", code="announced_as_required"
            )
        if moved or "announced_as" in changes:  # one already stated stands, even if the catalog has changed since
            announced_as = _checked_ref(catalog, announced_as)
    elif announced_as is not None:
        raise Invalid(f"announced_as goes only with status announced (the status is {status})", code="invalid_request")
    if status == "declined" and not note:
        raise Invalid("status_note: give the reason it is declined", code="reason_required")
    return _Status(status, note, announced_as)


# --------------------------------------------------------------------------- requests


def _codes_known(session: Session, codes: Sequence[str]) -> None:
    if not codes:
        return
    found = set(session.execute(select(Agency.code).where(Agency.code.in_(codes))).scalars())
    missing = [c for c in codes if c not in found]
    if missing:
        raise Invalid(f"partners: {', '.join(repr(c) for c in missing)} {'is' if len(missing) == 1 else 'are'} not a registered agency", code="unknown_agency")


def _record_request(tx: WriteTx, r: StandardRequest, *, caller: Caller, change: str) -> None:
    log.append(tx, actor=caller.actor, kind=f"request.{change}", payload={"request": request_state(r)}, now=r.updated_at)


def _touch(r: StandardRequest | NeedGroup, seq: int) -> None:
    """A new revision of a changed row, recorded by entry ``seq``."""
    r.revision += 1
    r.updated_at = utcnow()
    r.log_seq = seq


@write_rule()
def file_request(*, tx: WriteTx, caller: Caller, data: RequestCreate) -> StandardRequest:
    """File a request for a standard, for the caller's own agency.

    :raises Forbidden: the caller is not an agency, or ``data.agency`` names another one.
    :raises Invalid: a partner is not a registered agency, or is the caller's own agency.
    """
    own = _require_filing_agency(caller)
    if data.agency is not None and data.agency != caller.agency_code:
        raise Forbidden(
            f"agency: a request is filed by the caller's own agency ({caller.agency_code}), not for {data.agency!r}",
            code="request_for_another_agency",
        )
    seq = tx.lock_log()
    session = tx.session
    if caller.agency_code in data.partners:
        raise Invalid(f"partners: {caller.agency_code!r} is your own agency; name the agencies you exchange with", code="invalid_request")
    _codes_known(session, data.partners)
    now = utcnow()
    r = StandardRequest(
        agency_id=own,
        document_type=data.document_type,
        sectors=canonical_json(data.sectors),
        partners=canonical_json(data.partners),
        yearly_volume=data.yearly_volume,
        urgency=data.urgency,
        urgency_reason=data.urgency_reason,
        legal_driver=data.legal_driver,
        status="open",
        status_note="",
        announced_as=None,
        merged_into_id=None,
        group_id=None,
        revision=1,
        created_at=now,
        updated_at=now,
        log_seq=seq,
    )
    session.add(r)
    session.flush()
    _record_request(tx, r, caller=caller, change="filed")
    return r


def _request_for(session: Session, caller: Caller, request_id: int) -> StandardRequest:
    caller.require_known()
    r = session.get(StandardRequest, request_id)
    if r is None or not (caller.is_office or r.agency_id == caller.agency_id):
        raise _request_not_found(request_id)
    return r


def get_request(session: Session, *, caller: Caller, request_id: int) -> StandardRequest:
    """A request, for the agency that filed it or the office.

    :raises NotFound: no such request, or it is another agency's.
    """
    return _request_for(session, caller, request_id)


def list_requests(
    session: Session,
    *,
    caller: Caller,
    status: str | None = None,
    group_id: int | None = None,
    agency: str | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
) -> tuple[Sequence[StandardRequest], int]:
    """The caller's own requests (the office: all, or one agency's), filtered; and how many match in all."""
    caller.require_known()
    query = select(StandardRequest)
    if not caller.is_office:
        if agency and agency != caller.agency_code:
            raise Forbidden(f"agency: an agency lists only its own requests, not {agency!r}'s", code="not_your_agency")
        query = query.where(StandardRequest.agency_id == caller.agency_id)
    elif agency:
        query = query.where(StandardRequest.agency_id == agencies.get(session, agency).id)
    if status:
        query = query.where(StandardRequest.status == status)
    if group_id is not None:
        query = query.where(StandardRequest.group_id == group_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = StandardRequest.id.desc() if newest_first else StandardRequest.id
    rows = session.execute(query.order_by(order).limit(limit).offset(offset)).scalars().all()
    return rows, total


@write_rule()
def change_request(*, tx: WriteTx, caller: Caller, catalog: Catalog, request_id: int, data: RequestUpdate) -> StandardRequest:
    """Set a request's status, note or ``announced_as`` (office only).

    A merged request given a status is no longer merged. Nothing changed: no new revision.

    :raises Invalid: the status rules (see :func:`_next_status`), or ``merged`` asked for here.
    """
    caller.require_office()
    seq = tx.lock_log()
    r = _request_for(tx.session, caller, request_id)
    changes = data.model_dump(exclude_unset=True)
    current = _Status(r.status, r.status_note, r.announced_as)
    if current.status != "merged" or "status" in changes:
        next_status = _next_status(catalog, current, changes)
    else:  # it stays merged: only its note may change
        if changes.get("announced_as") is not None:
            raise Invalid("announced_as goes only with status announced (the request is merged)", code="invalid_request")
        if "status_note" in changes and changes["status_note"] is None:
            raise Invalid("status_note cannot be emptied", code="invalid_request")
        next_status = _Status("merged", changes.get("status_note", r.status_note), None)
    if (next_status.status, next_status.note, next_status.announced_as) == (current.status, current.note, current.announced_as):
        return r
    r.status, r.status_note, r.announced_as = next_status.status, next_status.note, next_status.announced_as
    if r.status != "merged":
        r.merged_into_id = None
    _touch(r, seq)
    _record_request(tx, r, caller=caller, change="changed")
    return r


@write_rule()
def merge_request(*, tx: WriteTx, caller: Caller, request_id: int, into_id: int) -> StandardRequest:
    """Merge request ``request_id``, a duplicate, into ``into_id`` (office only); the duplicate, merged.

    It leaves its group, and the requests merged into it are moved to ``into_id`` (each
    with its own log entry).

    :raises NotFound: either request does not exist.
    :raises Conflict: the duplicate is already merged, or ``into_id`` is itself merged.
    :raises Invalid: a request merged into itself.
    """
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    if request_id == into_id:
        raise Invalid(f"into: request {request_id} cannot be merged into itself", code="invalid_request")
    duplicate = _request_for(session, caller, request_id)
    target = session.get(StandardRequest, into_id)
    if target is None:
        raise NotFound(f"into: no request {into_id}", code="request_not_found")
    if duplicate.status == "merged":
        raise Conflict(f"request {request_id} is already merged into request {duplicate.merged_into_id}", code="already_merged")
    if target.status == "merged":
        raise Conflict(
            f"into: request {into_id} is itself merged into request {target.merged_into_id}; merge into that one",
            code="already_merged",
        )
    duplicate.status, duplicate.status_note, duplicate.announced_as = "merged", f"duplicate of request {into_id}", None
    duplicate.merged_into_id, duplicate.group_id = into_id, None
    _touch(duplicate, seq)
    _record_request(tx, duplicate, caller=caller, change="merged")
    followers = session.execute(
        select(StandardRequest).where(StandardRequest.merged_into_id == request_id).order_by(StandardRequest.id)
    ).scalars().all()
    for follower in followers:  # a merged request always points at one that is not merged
        follower.merged_into_id, follower.status_note = into_id, f"duplicate of request {into_id}"
        _touch(follower, tx.lock_log())
        _record_request(tx, follower, caller=caller, change="merged")
    return duplicate


# --------------------------------------------------------------------------- groups


def _group(session: Session, group_id: int) -> NeedGroup:
    group = session.get(NeedGroup, group_id)
    if group is None:
        raise NotFound(f"no need group {group_id}", code="group_not_found")
    return group


def _record_group(tx: WriteTx, g: NeedGroup, *, caller: Caller, change: str) -> None:
    log.append(tx, actor=caller.actor, kind=f"need_group.{change}", payload={"group": need_group_state(g)}, now=g.updated_at)


def get_group(session: Session, *, caller: Caller, group_id: int) -> NeedGroup:
    """A need group (office only)."""
    caller.require_office()
    return _group(session, group_id)


def list_groups(
    session: Session, *, caller: Caller, status: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[NeedGroup], int]:
    """Need groups by priority (those without one last), then id (office only); and how many match in all."""
    caller.require_office()
    query = select(NeedGroup)
    if status:
        query = query.where(NeedGroup.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = (NeedGroup.priority.is_(None), NeedGroup.priority, NeedGroup.id)
    return session.execute(query.order_by(*order).limit(limit).offset(offset)).scalars().all(), total


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """The ids of a group's requests (not those merged into them) and links."""

    requests: list[int]
    links: list[int]


def members(session: Session, group_ids: Iterable[int]) -> dict[int, GroupMembers]:
    """Group id → its members, for the groups given, in two queries."""
    wanted = set(group_ids)
    found = {g: GroupMembers([], []) for g in wanted}
    if not wanted:
        return found
    for request_id, group_id in session.execute(
        select(StandardRequest.id, StandardRequest.group_id).where(StandardRequest.group_id.in_(wanted)).order_by(StandardRequest.id)
    ):
        found[group_id].requests.append(request_id)
    for group_id, link_id in session.execute(
        select(NeedGroupLink.group_id, NeedGroupLink.link_id).where(NeedGroupLink.group_id.in_(wanted)).order_by(NeedGroupLink.link_id)
    ):
        found[group_id].links.append(link_id)
    return found


@write_rule()
def create_group(*, tx: WriteTx, caller: Caller, catalog: Catalog, data: NeedGroupCreate) -> NeedGroup:
    """Create a need group (office only).

    :raises Invalid: the status rules (see :func:`_next_status`).
    """
    caller.require_office()
    seq = tx.lock_log()
    status = _next_status(
        catalog, _Status("open", "", None), data.model_dump(include={"status", "status_note", "announced_as"}, exclude_none=True)
    )
    now = utcnow()
    group = NeedGroup(
        name_th=data.name_th,
        name_en=data.name_en,
        priority=data.priority,
        status=status.status,
        status_note=status.note,
        announced_as=status.announced_as,
        revision=1,
        created_at=now,
        updated_at=now,
        log_seq=seq,
    )
    tx.session.add(group)
    tx.session.flush()
    _record_group(tx, group, caller=caller, change="created")
    return group


@write_rule()
def change_group(*, tx: WriteTx, caller: Caller, catalog: Catalog, group_id: int, data: NeedGroupUpdate) -> NeedGroup:
    """Change a need group's names, priority (null empties it) or status (office only).

    :raises Invalid: a name emptied, or the status rules (see :func:`_next_status`).
    """
    caller.require_office()
    seq = tx.lock_log()
    group = _group(tx.session, group_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name_th", "name_en"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be emptied", code="invalid_request")
    status = _next_status(catalog, _Status(group.status, group.status_note, group.announced_as), changes)
    for field in ("name_th", "name_en", "priority"):
        if field in changes:
            setattr(group, field, changes[field])
    group.status, group.status_note, group.announced_as = status.status, status.note, status.announced_as
    if not tx.session.is_modified(group):
        return group  # nothing changed: no new revision
    _touch(group, seq)
    _record_group(tx, group, caller=caller, change="changed")
    return group


@write_rule()
def group_request(*, tx: WriteTx, caller: Caller, group_id: int, request_id: int) -> StandardRequest:
    """Put a request in a need group (office only); already there: nothing changes.

    :raises NotFound: no such group or request.
    :raises Conflict: the request is merged, or in another group.
    """
    caller.require_office()
    seq = tx.lock_log()
    group = _group(tx.session, group_id)
    r = _request_for(tx.session, caller, request_id)
    if r.group_id == group.id:
        return r
    if r.status == "merged":
        raise Conflict(
            f"request {request_id} is merged into request {r.merged_into_id}: group that one", code="request_merged"
        )
    if r.group_id is not None:
        raise Conflict(f"request {request_id} is in need group {r.group_id}: take it out of that group first", code="in_another_group")
    r.group_id = group.id
    _touch(r, seq)
    _record_request(tx, r, caller=caller, change="grouped")
    return r


@write_rule()
def ungroup_request(*, tx: WriteTx, caller: Caller, group_id: int, request_id: int) -> StandardRequest:
    """Take a request out of a need group (office only).

    :raises NotFound: no such group or request, or the request is not in that group.
    """
    caller.require_office()
    seq = tx.lock_log()
    group = _group(tx.session, group_id)
    r = _request_for(tx.session, caller, request_id)
    if r.group_id != group.id:
        raise NotFound(f"request {request_id} is not in need group {group_id}", code="not_in_group")
    r.group_id = None
    _touch(r, seq)
    _record_request(tx, r, caller=caller, change="ungrouped")
    return r


@write_rule()
def add_link(*, tx: WriteTx, caller: Caller, group_id: int, link_id: int) -> NeedGroup:
    """Put a link declared without a catalog standard in a need group (office only); the group.

    :raises NotFound: no such group or link.
    :raises Invalid: the link is under a catalog standard.
    :raises Conflict: the link is in another group.
    """
    caller.require_office()
    seq = tx.lock_log()
    session = tx.session
    group = _group(session, group_id)
    link = session.get(ExchangeLink, link_id)
    if link is None:
        raise NotFound(f"no link {link_id}", code="link_not_found")
    if link.standard_id is not None:
        raise Invalid(
            f"link {link_id} is under {link.standard_id}@{link.standard_version}: only links without a catalog standard go in a need group",
            code="link_has_standard",
        )
    present = session.execute(select(NeedGroupLink).where(NeedGroupLink.link_id == link_id)).scalars().first()
    if present is not None:
        if present.group_id == group.id:
            return group
        raise Conflict(f"link {link_id} is in need group {present.group_id}: take it out of that group first", code="in_another_group")
    row = NeedGroupLink(group_id=group.id, link_id=link_id, log_seq=seq)
    session.add(row)
    session.flush()
    log.append(tx, actor=caller.actor, kind="need_group.link_added", payload={"group_link": need_group_link_state(row)})
    return group


@write_rule()
def remove_link(*, tx: WriteTx, caller: Caller, group_id: int, link_id: int) -> NeedGroup:
    """Take a link out of a need group (office only); the group.

    :raises NotFound: no such group, or the link is not in it.
    """
    caller.require_office()
    tx.lock_log()
    session = tx.session
    group = _group(session, group_id)
    row = session.get(NeedGroupLink, (group_id, link_id))
    if row is None:
        raise NotFound(f"link {link_id} is not in need group {group_id}", code="not_in_group")
    state = need_group_link_state(row)
    session.delete(row)
    session.flush()
    log.append(tx, actor=caller.actor, kind="need_group.link_removed", payload={"group_link": state})
    return group


def listed(text: str) -> list[str]:
    """A stored JSON list (``sectors``, ``partners``) as a list; an unreadable one as empty (``verify`` names it)."""
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
