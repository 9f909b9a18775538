"""Parties have a kind, validity dates and a sector history; events are indexed by reporter.

``agencies`` gains ``kind``, ``juristic_id``, ``registered_on`` and ``dissolved_on``;
the new ``agency_sectors`` holds each party's sector from a date on. Existing agencies
become ``ministry-department`` parties registered on the Bangkok date they were created,
with one sector row from that day written by the log entry that last wrote the agency
(``dxs registry verify`` reads entries written before this revision the same way).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here, as migrations must be: the kinds as this revision knows them.
KINDS = (
    "ministry-department",
    "local-administration",
    "state-enterprise",
    "public-organisation",
    "independent-body",
    "private-juristic-person",
    "foreign-party",
)
BACKFILL_KIND = "ministry-department"
BANGKOK = dt.timezone(dt.timedelta(hours=7))

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def bangkok_date(created_at: dt.datetime | str) -> dt.date:
    """The day in Bangkok (UTC+7) of a stored UTC time (SQLite gives text or a naive datetime)."""
    if isinstance(created_at, str):
        created_at = dt.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)
    return created_at.astimezone(BANGKOK).date()


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('juristic_id', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dissolved_on', sa.Date(), nullable=True))

    op.create_table('agency_sectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=64), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_sectors_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_sectors')),
    sa.UniqueConstraint('agency_id', 'since', name=op.f('uq_agency_sectors_agency_id_since'))
    )

    # Backfill in Python: the Bangkok date of a stored time is computed alike on both databases.
    bind = op.get_bind()
    agencies = sa.table(
        "agencies", sa.column("id"), sa.column("sector"), sa.column("created_at"), sa.column("log_seq"),
        sa.column("kind"), sa.column("registered_on"),
    )
    sectors = sa.table("agency_sectors", sa.column("agency_id"), sa.column("sector"), sa.column("since"), sa.column("log_seq"))
    rows = bind.execute(sa.select(agencies.c.id, agencies.c.sector, agencies.c.created_at, agencies.c.log_seq).order_by(agencies.c.id)).all()
    for agency_id, sector, created_at, log_seq in rows:
        day = bangkok_date(created_at)
        bind.execute(agencies.update().where(agencies.c.id == agency_id).values(kind=BACKFILL_KIND, registered_on=day))
        bind.execute(sectors.insert().values(agency_id=agency_id, sector=sector, since=day, log_seq=log_seq))

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('registered_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_check_constraint(op.f('ck_agencies_kind'), "kind IN (" + ", ".join(repr(k) for k in KINDS) + ")")
        batch_op.create_check_constraint(op.f('ck_agencies_dates'), 'dissolved_on > registered_on')

    # indicator 16 asks, per link and side, whether that party itself reported in a window
    op.create_index('ix_exchange_events_reporter_evidence', 'exchange_events',
                    ['link_id', 'reporter_id', 'window_start', 'messages', 'log_seq'], unique=False)


def downgrade() -> None:
    """Downgrade schema: the current sector stays in ``agencies.sector``; the history, kinds and dates go."""
    op.drop_index('ix_exchange_events_reporter_evidence', table_name='exchange_events')
    op.drop_table('agency_sectors')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agencies_dates'), type_='check')
        batch_op.drop_constraint(op.f('ck_agencies_kind'), type_='check')
        batch_op.drop_column('dissolved_on')
        batch_op.drop_column('registered_on')
        batch_op.drop_column('juristic_id')
        batch_op.drop_column('kind')
