"""API keys: issued once, kept only as a hash, revocable, and turned back into a caller.

A key reads ``dxs_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the
whole key must match the stored hash. 32 random bytes make a slow hash unnecessary.

The portal signs in with a key but keeps only a session token in its cookie
(:func:`open_session`): a random token kept as its SHA-256 too, ending at its expiry,
at sign-out (:func:`end_session`) or when its key is revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..errors import Forbidden, Invalid, NotFound, Unauthenticated
from ..models import KEY_ROLES, Agency, ApiKey, PortalSession
from ..statements import Statement
from ..times import from_db_time, utcnow
from ..unit_of_work import Pending, WriteTx, run_statement, write_rule
from . import agencies, log
from .callers import ANONYMOUS, Caller
from .logged_states import key_state

__all__ = [
    "authenticate", "caller_for", "create", "end_session", "hash_key", "list_keys", "open_session", "prefetch_caller",
    "revoke", "session_caller", "touch",
]

#: ``last_used_at`` is refreshed at most this often, so reads rarely write.
TOUCH_EVERY = dt.timedelta(seconds=60)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"dxs_{prefix}_{secrets.token_urlsafe(32)}"


@write_rule(changes_callers=True)
def create(
    *, tx: WriteTx, caller: Caller, agency_code: str | None, role: str = "agency", label: str = ""
) -> tuple[ApiKey, str]:
    """Issue a key (office only) for an agency, or an office key; return it and the secret, shown once."""
    caller.require_office()
    if role not in KEY_ROLES:
        raise Invalid(f"role {role!r} is not one of {', '.join(KEY_ROLES)}", code="invalid_request")
    if role == "office" and agency_code:
        # an office key administers every agency: bound to one, it would read as that agency's
        # key while acting as the office (and survive the agency being deactivated)
        raise Invalid(
            f"an office key belongs to no agency: issue it without one (not for {agency_code!r}), or issue {agency_code!r} an agency key",
            code="office_key_with_agency",
        )
    seq = tx.lock_log()
    session = tx.session
    agency: Agency | None = agencies.get(session, agency_code) if agency_code else None
    if role == "agency" and agency is None:
        raise Invalid("an agency key needs an agency", code="invalid_request")
    if agency is not None and agency.status != "active":
        raise Invalid(f"agency {agency.code!r} is {agency.status}", code="agency_inactive")
    prefix, secret = _new_key()
    key = ApiKey(
        agency_id=agency.id if agency else None,
        role=role,
        prefix=prefix,
        secret_hash=hash_key(secret),
        label=label,
        created_at=utcnow(),
        log_seq=seq,
    )
    session.add(key)
    session.flush()
    log.append(tx, actor=caller.actor, kind="key.created", payload={"key": key_state(key)})
    return key, secret


def get(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no key {key_id}", code="key_not_found")
    return key


@write_rule(changes_callers=True)
def revoke(*, tx: WriteTx, caller: Caller, key_id: int) -> ApiKey:
    """Revoke a key: the office any key, an agency its own. Revoking twice changes nothing."""
    caller.require_known()
    seq = tx.lock_log()
    session = tx.session
    key = get(session, key_id)
    if not caller.is_office and (key.agency_id is None or key.agency_id != caller.agency_id):
        raise Forbidden("an agency may revoke only its own keys", code="not_your_key")
    if key.revoked_at is not None:
        return key
    key.revoked_at = utcnow()
    key.log_seq = seq
    session.execute(delete(PortalSession).where(PortalSession.key_id == key.id))  # signed-in portal visits end with it
    session.flush()
    log.append(tx, actor=caller.actor, kind="key.revoked", payload={"key": key_state(key)})
    return key


def list_keys(session: Session, *, caller: Caller, agency_code: str) -> Sequence[ApiKey]:
    """An agency's keys (never their secrets): for the office or the agency itself."""
    caller.require_known()
    agency = agencies.get(session, agency_code)
    if not caller.is_office and caller.agency_id != agency.id:
        raise Forbidden("an agency may list only its own keys", code="not_your_agency")
    return session.execute(select(ApiKey).where(ApiKey.agency_id == agency.id).order_by(ApiKey.id)).scalars().all()


# Every authenticated write runs this: straight to the driver (see registry.statements).
_FIND_KEY = Statement(
    """SELECT k.id, k.agency_id, k.role, k.secret_hash, k.revoked_at, k.last_used_at, a.code, a.status
    FROM api_keys k LEFT OUTER JOIN agencies a ON a.id = k.agency_id WHERE k.prefix = :prefix"""
)


def authenticate(session: Session, token: str) -> tuple[Caller, bool]:
    """The caller a key stands for, and whether its last-used time is due a refresh.

    :raises Unauthenticated: the key is malformed, unknown or revoked.
    :raises Forbidden: the key's agency is no longer active.
    """
    prefix = _prefix(token)
    return _caller(token, run_statement(session, _FIND_KEY, {"prefix": prefix}).fetchone())


def caller_for(session: Session, token: str | None) -> tuple[Caller, bool]:
    """:func:`authenticate`, with no token standing for an anonymous caller (never due a refresh)."""
    return authenticate(session, token) if token else (ANONYMOUS, False)


def prefetch_caller(tx: WriteTx, token: str | None) -> Pending[tuple[Caller, bool]]:
    """:func:`caller_for` in a write transaction, its key's row asked for now (see
    :meth:`registry.unit_of_work.WriteTx.prefetch`): a group of writes asks for all its
    callers' keys in one round trip on PostgreSQL. An error is raised when it is read."""
    if not token:
        return Pending.ready((ANONYMOUS, False))
    try:
        prefix = _prefix(token)
    except Unauthenticated as exc:
        return Pending.failed(exc)
    return tx.prefetch(_FIND_KEY, {"prefix": prefix}).then(lambda cursor: _caller(token, cursor.fetchone()))


def _prefix(token: str) -> str:
    parts = token.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != "dxs":
        raise Unauthenticated("malformed API key", code="invalid_key")
    return parts[1]


def _caller(token: str, found: Any) -> tuple[Caller, bool]:
    if found is None or not hmac.compare_digest(found[3], hash_key(token)):
        raise Unauthenticated("unknown API key", code="invalid_key")
    return _key_caller(found)


def _key_caller(found: Any) -> tuple[Caller, bool]:
    key_id, agency_id, role, _, revoked_at, last_used_at, agency_code, agency_status = found[:8]
    if revoked_at is not None:
        raise Unauthenticated("this API key was revoked", code="key_revoked")
    if agency_id is not None and agency_status != "active":
        raise Forbidden(f"agency {agency_code!r} is {agency_status}", code="agency_inactive")
    last_used = from_db_time(last_used_at)
    due = last_used is None or utcnow() - last_used >= TOUCH_EVERY
    caller = Caller(role="office" if role == "office" else "agency", agency_id=agency_id, agency_code=agency_code, key_id=key_id)
    return caller, due


def touch(*, tx: WriteTx, key_id: int) -> None:
    """Record that a key was used now (not logged: it is bookkeeping, not a caller's write)."""
    tx.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))


# --------------------------------------------------------------------------- portal sessions

#: What a session token starts with: never mistaken for a key (which starts ``dxs_``).
SESSION_PREFIX = "dxs-session."

_FIND_SESSION = Statement(
    """SELECT k.id, k.agency_id, k.role, k.secret_hash, k.revoked_at, k.last_used_at, a.code, a.status, s.expires_at
    FROM portal_sessions s JOIN api_keys k ON k.id = s.key_id LEFT OUTER JOIN agencies a ON a.id = k.agency_id
    WHERE s.token_hash = :token_hash"""
)


def open_session(*, tx: WriteTx, key: str, lifetime: dt.timedelta) -> tuple[Caller, str]:
    """Check ``key`` and start a portal session for it; return its caller and the session token.

    The token is for the cookie only: it is kept as a hash, and it is not the key.
    Sessions that have ended are cleared on the way (they are never read again).

    :raises Unauthenticated: the key is malformed, unknown or revoked.
    :raises Forbidden: the key's agency is no longer active.
    """
    caller, _ = authenticate(tx.session, key)
    now = utcnow()
    tx.session.execute(delete(PortalSession).where(PortalSession.expires_at <= now))
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    tx.session.add(PortalSession(token_hash=hash_key(token), key_id=caller.key_id, created_at=now, expires_at=now + lifetime))
    tx.session.flush()
    return caller, token


def session_caller(session: Session, token: str) -> Caller:
    """The caller a portal session stands for.

    :raises Unauthenticated: no such session (signed out, or never), it has expired, or its key was revoked.
    :raises Forbidden: the key's agency is no longer active.
    """
    found = run_statement(session, _FIND_SESSION, {"token_hash": hash_key(token)}).fetchone() if token.startswith(SESSION_PREFIX) else None
    if found is None:
        raise Unauthenticated("you are not signed in (the session ended or was signed out): sign in again", code="session_ended")
    expires = from_db_time(found[8])
    if expires is None or expires <= utcnow():
        raise Unauthenticated("your session has expired: sign in again", code="session_ended")
    return _key_caller(found)[0]


def end_session(*, tx: WriteTx, token: str) -> None:
    """Sign out: the session is deleted (an unknown token changes nothing)."""
    tx.session.execute(delete(PortalSession).where(PortalSession.token_hash == hash_key(token)))
