"""Delivering notices to agencies' webhooks: signed, retried with backoff, never lost, never sent once delivered.

One pass (:func:`deliver_pass`):

1. **claim** the notices due (not delivered, ``next_attempt_at`` passed, their agency has a
   webhook), in a short transaction that moves their ``next_attempt_at`` one *lease* ahead
   (the timeout and a margin). On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED``,
   and SQLite has one writer at a time: two workers or processes never claim the same
   notice, and a notice claimed by a process that dies is due again when its lease ends;
2. **send** each, outside any transaction: ``POST`` of the notice's stored body (the same
   bytes on every attempt), ``Content-Type: application/json``, signed with the registry's
   Ed25519 log key: ``X-DXS-Signature`` (base64 signature of the exact body bytes),
   ``X-DXS-Key-Id`` (the key's id, as in every checkpoint) and ``X-DXS-Notice-Id``. Redirects
   are not followed;
3. **record** the attempt (a ``notice_deliveries`` row) and the outcome in the notice's
   row: a 2xx marks it delivered (and nothing else does); any other answer or a connection
   error schedules the next attempt after an exponential backoff (:class:`DeliverySettings`).

So "delivered" is what the database says, and survives restarts. Delivery is at least once:
a process that dies after a 2xx but before recording it sends the notice again when the
lease ends, with the same ``notice_id`` for the receiver to de-duplicate. The delivery
bookkeeping is outside the log, like a key's last use; the notices themselves are logged.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import func, select, update

from .db import Database
from .models import Notice, NoticeDelivery, Webhook
from .services import notices
from .services.callers import Caller
from .signing import LogSigner, load_or_create_signer
from .times import utcnow

if TYPE_CHECKING:
    from dxs.validator import Catalog

__all__ = [
    "Claimed",
    "DeliveryRun",
    "DeliverySettings",
    "Outcome",
    "claim",
    "deliver",
    "deliver_pass",
    "notify",
    "record",
    "send",
]


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r}: give a number of seconds above 0")
    return value


@dataclass(frozen=True)
class DeliverySettings:
    """How notices are sent: each attempt's ``timeout``; retries after ``retry_base`` seconds, doubling
    with each failure up to ``retry_cap``; at most ``batch`` notices claimed at a time."""

    timeout: float = 10.0
    retry_base: float = 60.0
    retry_cap: float = 6 * 3600.0
    batch: int = 100

    @classmethod
    def from_env(cls) -> DeliverySettings:
        """``DXS_NOTICE_TIMEOUT``, ``DXS_NOTICE_RETRY_BASE``, ``DXS_NOTICE_RETRY_CAP`` (seconds), else the defaults.

        :raises ValueError: a setting that is not a number of seconds above 0.
        """
        d = cls()
        return cls(
            timeout=_seconds("DXS_NOTICE_TIMEOUT", d.timeout),
            retry_base=_seconds("DXS_NOTICE_RETRY_BASE", d.retry_base),
            retry_cap=_seconds("DXS_NOTICE_RETRY_CAP", d.retry_cap),
        )

    def backoff(self, attempts: int) -> dt.timedelta:
        """How long after its ``attempts``-th failed attempt a notice is tried again."""
        return dt.timedelta(seconds=min(self.retry_cap, self.retry_base * 2 ** max(attempts - 1, 0)))

    @property
    def lease(self) -> dt.timedelta:
        """How long a claimed notice is kept from other workers: one attempt and a margin."""
        return dt.timedelta(seconds=self.timeout + 30)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A notice taken for one attempt: where it goes and the exact body."""

    id: int
    uid: str
    url: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: ``delivered`` only for a 2xx answer."""

    delivered: bool
    status_code: int | None
    error: str


@dataclass
class DeliveryRun:
    """What one pass did, and what is left."""

    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    #: undelivered notices whose agency has a webhook, still due later (after a failure)
    waiting: int = 0
    #: undelivered notices whose agency has no webhook: they wait in its outbox
    no_webhook: int = 0
    errors: list[str] = field(default_factory=list)


def claim(database: Database, *, now: dt.datetime, settings: DeliverySettings) -> list[Claimed]:
    """Take the notices due at ``now`` for one attempt each (see the module's docstring)."""
    query = (
        select(Notice.id, Notice.uid, Webhook.url, Notice.body, Notice.attempts)
        .join(Webhook, Webhook.agency_id == Notice.agency_id)
        .where(Notice.delivered_at.is_(None), Notice.next_attempt_at <= now)
        .order_by(Notice.next_attempt_at, Notice.id)
        .limit(settings.batch)
    )
    if database.postgres:
        query = query.with_for_update(of=Notice, skip_locked=True)  # another worker's claim is skipped, not waited for
    with database.transaction() as session:
        taken = [Claimed(*row) for row in session.execute(query).all()]
        if taken:
            session.execute(
                update(Notice)
                .where(Notice.id.in_([c.id for c in taken]), Notice.delivered_at.is_(None))
                .values(next_attempt_at=now + settings.lease)
            )
    return taken


def send(claimed: Claimed, signer: LogSigner, client: httpx.Client) -> Outcome:
    """POST the notice's body to its webhook, signed; never raises for what the receiver does."""
    body = claimed.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "dxs-registry-notices",
        "X-DXS-Signature": signer.sign(body),
        "X-DXS-Key-Id": signer.key_id,
        "X-DXS-Notice-Id": claimed.uid,
    }
    try:
        answer = client.post(claimed.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__)
    if 200 <= answer.status_code < 300:
        return Outcome(True, answer.status_code, "")
    return Outcome(False, answer.status_code, f"HTTP {answer.status_code}: {answer.text[:200]}")


def record(database: Database, claimed: Claimed, outcome: Outcome, *, at: dt.datetime, settings: DeliverySettings) -> None:
    """Keep the attempt, and mark the notice delivered (after a 2xx) or due again after its backoff."""
    attempts = claimed.attempts + 1
    values = (
        {"delivered_at": at, "next_attempt_at": None}
        if outcome.delivered
        else {"next_attempt_at": at + settings.backoff(attempts)}
    )
    with database.transaction() as session:
        session.add(NoticeDelivery(notice_id=claimed.id, url=claimed.url, attempted_at=at, status_code=outcome.status_code,
                                   error=outcome.error, delivered=outcome.delivered))
        session.execute(
            update(Notice).where(Notice.id == claimed.id, Notice.delivered_at.is_(None)).values(attempts=Notice.attempts + 1, **values)
        )


def deliver_pass(
    database: Database,
    signer: LogSigner,
    *,
    settings: DeliverySettings | None = None,
    now: Callable[[], dt.datetime] = utcnow,
    client: httpx.Client | None = None,
) -> DeliveryRun:
    """Claim every notice due, send each, record each outcome; then count what is left.

    ``now``: the clock (tests move it); ``client``: the HTTP client (by default one with the timeout).
    """
    settings = settings or DeliverySettings()
    run = DeliveryRun()
    own = client is None
    http = client or httpx.Client(timeout=settings.timeout, follow_redirects=False)
    seen: set[int] = set()
    try:
        while True:
            taken = claim(database, now=now(), settings=settings)
            again = any(c.id in seen for c in taken)  # failed earlier in this pass and due already (a tiny backoff)
            seen.update(c.id for c in taken)
            for c in taken:
                outcome = send(c, signer, http)
                record(database, c, outcome, at=now(), settings=settings)
                run.attempted += 1
                if outcome.delivered:
                    run.delivered += 1
                else:
                    run.failed += 1
                    run.errors.append(f"notice {c.uid} to {c.url}: {outcome.error}")
            if len(taken) < settings.batch or again:  # the next pass takes the rest
                break
    finally:
        if own:
            http.close()
    with database.transaction(write=False) as session:
        undelivered = select(Notice.agency_id).where(Notice.delivered_at.is_(None))
        with_hook = undelivered.join(Webhook, Webhook.agency_id == Notice.agency_id)
        run.waiting = session.execute(select(func.count()).select_from(with_hook.subquery())).scalar_one()
        run.no_webhook = session.execute(select(func.count()).select_from(undelivered.subquery())).scalar_one() - run.waiting
    return run


# --------------------------------------------------------------------------- as `dxs registry notify` / `deliver` ask


def notify(url: str, *, log_key: Path | None, catalog: Catalog, today: dt.date | None = None,
           grace_days: int = notices.GRACE_DAYS) -> notices.NotifyResult:
    """Make the notices due in the registry at ``url`` (as the operator, ``cli`` in the log)."""
    database = Database(url, signer=load_or_create_signer(log_key))
    try:
        with database.write() as tx:
            return notices.make_notices(tx=tx, caller=Caller.system("cli"), catalog=catalog, today=today, grace_days=grace_days)
    finally:
        database.dispose()


def deliver(
    url: str,
    *,
    log_key: Path | None,
    once: bool = True,
    settings: DeliverySettings | None = None,
    poll: float = 30.0,
    on_pass: Callable[[DeliveryRun], None] | None = None,
    stop: threading.Event | None = None,
) -> DeliveryRun:
    """One delivery pass over the registry at ``url`` (``once``), or passes every ``poll`` seconds until
    ``stop`` is set (or the process is interrupted); each pass handed to ``on_pass``. The last pass."""
    database = Database(url, signer=load_or_create_signer(log_key))
    signer = database.signer
    assert signer is not None
    settings = settings or DeliverySettings.from_env()
    stop = stop or threading.Event()
    try:
        with httpx.Client(timeout=settings.timeout, follow_redirects=False) as client:
            while True:
                run = deliver_pass(database, signer, settings=settings, client=client)
                if on_pass is not None:
                    on_pass(run)
                if once or stop.wait(poll):
                    return run
    finally:
        database.dispose()
