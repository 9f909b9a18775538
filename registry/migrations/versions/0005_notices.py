"""Notices to agencies when a version they use is deprecated or gets a sunset (issue 20, item 5).

New tables: ``webhooks`` (one per agency: where its notices are POSTed), ``notices`` (one per
party of a link on a deprecated or sunset-dated version, never made twice: unique on agency,
link, kind, standard and version; with its delivery state) and ``notice_deliveries`` (one row
per delivery attempt). Nothing existing changes; nothing is backfilled.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here, as migrations must be.
NOTICE_KINDS = ("deprecated", "sunset")

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_webhooks_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks')),
    sa.UniqueConstraint('agency_id', name=op.f('uq_webhooks_agency_id'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('standard_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('migrate_to', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint(_in('kind', NOTICE_KINDS), name=op.f('ck_notices_kind')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_notices_attempts')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_notices_agency_id_agencies')),
    sa.ForeignKeyConstraint(['link_id'], ['exchange_links.id'], name=op.f('fk_notices_link_id_exchange_links')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('uid', name=op.f('uq_notices_uid')),
    sa.UniqueConstraint('agency_id', 'link_id', 'kind', 'standard_id', 'version', name=op.f('uq_notices_agency_id_link_id_kind_standard_id_version'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_next_attempt_at'), ['next_attempt_at'], unique=False)
    op.create_table('notice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('delivered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_deliveries_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_deliveries'))
    )
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_deliveries_notice_id'), ['notice_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema: webhooks, notices and their delivery attempts are dropped."""
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_deliveries_notice_id'))
    op.drop_table('notice_deliveries')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_notices_link_id'))
    op.drop_table('notices')
    op.drop_table('webhooks')
