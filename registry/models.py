"""Stored shapes of the registry (SQLAlchemy 2 typed models).

Every row that a caller can write carries ``log_seq``: the log entry that last wrote
it, so ``dxs registry verify`` can hold each row against what the log recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .parties import KINDS

__all__ = [
    "Agency",
    "AgencySector",
    "ApiKey",
    "Base",
    "Checkpoint",
    "ExchangeEvent",
    "ExchangeLink",
    "IdempotencyRecord",
    "LinkChange",
    "LogEntry",
    "LogHead",
    "NeedGroup",
    "NeedGroupLink",
    "Notice",
    "NoticeDelivery",
    "PortalSession",
    "StandardRequest",
    "Webhook",
]

#: SQLite only auto-increments ``INTEGER PRIMARY KEY``; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")
#: Every time is stored in UTC (SQLite keeps no zone; the code never writes any other).
UtcTime = DateTime(timezone=True)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGENCY_STATUSES = ("active", "inactive")
KEY_ROLES = ("agency", "office")
LINK_STATUSES = ("active", "suspended", "ended")
#: how a document without a catalog standard travels (a link declared without a standard)
DOCUMENT_FORMATS = ("xml", "json", "csv", "pdf", "paper-scan", "other")
#: how urgently an agency needs a standard
URGENCIES = ("low", "medium", "high", "critical")
#: where a request for a standard (or a group of them) stands; ``merged`` only for a request merged into another
NEED_STATUSES = ("open", "planned", "drafting", "announced", "declined")
REQUEST_STATUSES = (*NEED_STATUSES, "merged")
SIDES = ("provider", "consumer")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    """A party that provides or consumes data: a government agency, or a private or foreign party.

    ``kind`` is one of :data:`registry.parties.PARTY_KINDS`. The party exists on day ``d``
    iff ``registered_on <= d`` and (``dissolved_on`` is null or ``d < dissolved_on``).
    ``sector`` is its latest sector; :class:`AgencySector` rows hold the dated history.
    """

    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(_in("status", AGENCY_STATUSES), name="status"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint("dissolved_on > registered_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(64), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    juristic_id: Mapped[str | None] = mapped_column(String(13))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    dissolved_on: Mapped[dt.date | None] = mapped_column(Date)


class AgencySector(Base):
    """A party's sector from ``since`` (inclusive) until the next row's ``since``."""

    __tablename__ = "agency_sectors"
    __table_args__ = (UniqueConstraint("agency_id", "since"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    sector: Mapped[str] = mapped_column(String(64))
    since: Mapped[dt.date] = mapped_column(Date)
    log_seq: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    """An API key: only a prefix (to find it) and a SHA-256 hash of the whole key are kept."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_in("role", KEY_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcTime)  # not logged: reads touch it
    log_seq: Mapped[int] = mapped_column(BigInteger)


class PortalSession(Base):
    """A signed-in portal visit: the cookie holds a random token, only its SHA-256 is kept.

    Ephemeral, so not logged and not backed up (``info["ephemeral"]``): signing out deletes
    the row, revoking the key deletes all its rows, and a row past ``expires_at`` is refused.
    """

    __tablename__ = "portal_sessions"
    __table_args__ = {"info": {"ephemeral": True}}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcTime, index=True)


class ExchangeLink(Base):
    """Who gives what to whom, under which standard and version."""

    __tablename__ = "exchange_links"
    __table_args__ = (
        CheckConstraint(_in("status", LINK_STATUSES), name="status"),
        CheckConstraint("provider_id <> consumer_id", name="two_parties"),
        # a link is under a catalog standard, or says in its parties' words what it carries
        CheckConstraint(
            "(standard_id IS NOT NULL AND standard_version IS NOT NULL) OR (document_name <> '' AND document_format IS NOT NULL)",
            name="standard_or_document",
        ),
        CheckConstraint("document_format IS NULL OR " + _in("document_format", DOCUMENT_FORMATS), name="document_format"),
        CheckConstraint("yearly_volume IS NULL OR yearly_volume >= 0", name="yearly_volume"),
        Index(None, "standard_id", "standard_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: the catalog standard and version, or ``None`` for an exchange no catalog standard covers yet
    standard_id: Mapped[str | None] = mapped_column(String(200))
    standard_version: Mapped[str | None] = mapped_column(String(32))
    #: without a standard: the document in the parties' words, its format, volume, and any
    #: foreign or proprietary standard it follows (activity 4.1's raw material)
    document_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    document_format: Mapped[str | None] = mapped_column(String(16))
    yearly_volume: Mapped[int | None] = mapped_column(BigInteger)
    followed_standard: Mapped[str] = mapped_column(Text, default="", server_default="")
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)


class LinkChange(Base):
    """One revision of a link: its whole state after a declaration or change."""

    __tablename__ = "link_changes"
    __table_args__ = (UniqueConstraint("link_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("exchange_links.id"))
    revision: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))  # declared | changed | ended
    actor: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    state: Mapped[str] = mapped_column(Text)  # canonical JSON of the link after the change
    log_seq: Mapped[int] = mapped_column(BigInteger)


class ExchangeEvent(Base):
    """What crossed a link in one time window, as one side reported it."""

    __tablename__ = "exchange_events"
    __table_args__ = (
        # the natural key: a late retry of the same record can never count twice
        UniqueConstraint(
            "reporter_id", "link_id", "window_start", "window_end", "record_id", name="uq_exchange_events_natural_key"
        ),
        CheckConstraint(_in("side", SIDES), name="side"),
        CheckConstraint("window_end > window_start", name="window"),
        Index(None, "link_id", "window_start"),
        # indicator 16: did this party itself report over this link in this window? One seek per side,
        # answered from the index alone (messages and log_seq are in it)
        Index("ix_exchange_events_reporter_evidence", "link_id", "reporter_id", "window_start", "messages", "log_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("exchange_links.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    side: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[str] = mapped_column(String(128))
    window_start: Mapped[dt.datetime] = mapped_column(UtcTime)
    window_end: Mapped[dt.datetime] = mapped_column(UtcTime)
    messages: Mapped[int] = mapped_column(BigInteger)
    bytes: Mapped[int] = mapped_column(BigInteger)
    succeeded: Mapped[int] = mapped_column(BigInteger)
    failed: Mapped[int] = mapped_column(BigInteger)
    valid: Mapped[int] = mapped_column(BigInteger)
    invalid: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger, index=True)


class IdempotencyRecord(Base):
    """The stored answer to a request sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)


class LogEntry(Base):
    """One entry of the tamper-evident log; ``entry_hash`` is its Merkle leaf."""

    __tablename__ = "log_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(Base):
    """A signed statement of the log's size and Merkle root at one moment."""

    __tablename__ = "log_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


class LogHead(Base):
    """The single row every write locks first: it serialises appends across workers."""

    __tablename__ = "log_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[str] = mapped_column(Text)  # JSON list of subtree roots
    last_hash: Mapped[str] = mapped_column(String(64))


class NeedGroup(Base):
    """A named group of requests and standard-less links the office treats as one needed standard."""

    __tablename__ = "need_groups"
    __table_args__ = (CheckConstraint(_in("status", NEED_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_th: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    #: the office's priority, 1 first; ``None`` until it sets one
    priority: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: why it was declined, or any note on the status
    status_note: Mapped[str] = mapped_column(Text, default="")
    #: the catalog standard (``ID`` or ``ID@VERSION``) it was announced as
    announced_as: Mapped[str | None] = mapped_column(String(240))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)


class StandardRequest(Base):
    """An agency's request for a standard that the catalog does not have (activity 4.1)."""

    __tablename__ = "standard_requests"
    __table_args__ = (
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(_in("urgency", URGENCIES), name="urgency"),
        CheckConstraint("yearly_volume IS NULL OR yearly_volume >= 0", name="yearly_volume"),
        CheckConstraint("document_type <> ''", name="document_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    document_type: Mapped[str] = mapped_column(Text)
    sectors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of sector keys
    partners: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of agency codes
    yearly_volume: Mapped[int | None] = mapped_column(BigInteger)
    urgency: Mapped[str] = mapped_column(String(16))
    urgency_reason: Mapped[str] = mapped_column(Text, default="")
    legal_driver: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    status_note: Mapped[str] = mapped_column(Text, default="")
    announced_as: Mapped[str | None] = mapped_column(String(240))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("standard_requests.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("need_groups.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)


class NeedGroupLink(Base):
    """A standard-less link the office put in a need group."""

    __tablename__ = "need_group_links"

    group_id: Mapped[int] = mapped_column(ForeignKey("need_groups.id"), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("exchange_links.id"), primary_key=True, index=True)
    log_seq: Mapped[int] = mapped_column(BigInteger)


#: why a notice is sent: the version was deprecated (no sunset yet), or it has a sunset date
NOTICE_KINDS = ("deprecated", "sunset")


class Webhook(Base):
    """Where an agency wants its notices POSTed (one per agency); setting and removing it are logged."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), unique=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)


class Notice(Base):
    """A notice to one party of a link whose version is deprecated or has a sunset date (never made twice).

    The notice itself (up to ``log_seq``) is logged and verified; ``body`` is the exact JSON
    sent, fixed when the notice is made, so every attempt sends the same bytes. The delivery
    state after it is bookkeeping outside the log, like a key's last use: ``delivered_at`` is
    set only after a 2xx answer; until then ``next_attempt_at`` is when it is due (a worker
    claiming it moves it forward for the length of one attempt, so no two send it at once).
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("agency_id", "link_id", "kind", "standard_id", "version"),
        CheckConstraint(_in("kind", NOTICE_KINDS), name="kind"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the ``notice_id`` receivers de-duplicate by: stable across retries, restarts and backups
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    link_id: Mapped[int] = mapped_column(ForeignKey("exchange_links.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    standard_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(32))
    #: the sunset date, or for a deprecation without one the end of the configured grace period
    deadline: Mapped[dt.date] = mapped_column(Date)
    #: the newest announced version of the same standard, if there is one to move to
    migrate_to: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)
    # delivery: not logged (see the class docstring)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcTime, index=True)


class NoticeDelivery(Base):
    """One attempt to deliver a notice: where, when, and what came back (not logged; backed up)."""

    __tablename__ = "notice_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    attempted_at: Mapped[dt.datetime] = mapped_column(UtcTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    delivered: Mapped[bool] = mapped_column(Boolean)
