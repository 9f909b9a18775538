"""The office's work list of needed standards (activity 4.1): links without a standard, requests, groups.

``exchange_links`` may now be declared without a catalog standard: ``standard_id`` and
``standard_version`` become nullable, and such a link says what it carries instead
(``document_name``, ``document_format``, ``yearly_volume``, ``followed_standard``). A check
keeps every link one or the other. New tables: ``standard_requests`` (an agency asks for a
standard), ``need_groups`` (the office's named groups) and ``need_group_links`` (standard-less
links in a group). Existing links keep their standard; nothing is backfilled.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here, as migrations must be.
DOCUMENT_FORMATS = ("xml", "json", "csv", "pdf", "paper-scan", "other")
URGENCIES = ("low", "medium", "high", "critical")
NEED_STATUSES = ("open", "planned", "drafting", "announced", "declined")
REQUEST_STATUSES = (*NEED_STATUSES, "merged")

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('exchange_links', schema=None) as batch_op:
        batch_op.alter_column('standard_id', existing_type=sa.String(length=200), nullable=True)
        batch_op.alter_column('standard_version', existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column('document_name', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('document_format', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('yearly_volume', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('followed_standard', sa.Text(), nullable=False, server_default=''))
        batch_op.create_check_constraint(
            'standard_or_document',
            "(standard_id IS NOT NULL AND standard_version IS NOT NULL) OR (document_name <> '' AND document_format IS NOT NULL)",
        )
        batch_op.create_check_constraint('document_format', "document_format IS NULL OR " + _in('document_format', DOCUMENT_FORMATS))
        batch_op.create_check_constraint('yearly_volume', "yearly_volume IS NULL OR yearly_volume >= 0")

    op.create_table('need_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_th', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('announced_as', sa.String(length=240), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.CheckConstraint(_in('status', NEED_STATUSES), name=op.f('ck_need_groups_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_groups'))
    )
    op.create_table('standard_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.Text(), nullable=False),
    sa.Column('sectors', sa.Text(), nullable=False),
    sa.Column('partners', sa.Text(), nullable=False),
    sa.Column('yearly_volume', sa.BigInteger(), nullable=True),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('urgency_reason', sa.Text(), nullable=False),
    sa.Column('legal_driver', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('announced_as', sa.String(length=240), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.CheckConstraint(_in('status', REQUEST_STATUSES), name=op.f('ck_standard_requests_status')),
    sa.CheckConstraint(_in('urgency', URGENCIES), name=op.f('ck_standard_requests_urgency')),
    sa.CheckConstraint('yearly_volume IS NULL OR yearly_volume >= 0', name=op.f('ck_standard_requests_yearly_volume')),
    sa.CheckConstraint("document_type <> ''", name=op.f('ck_standard_requests_document_type')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_standard_requests_agency_id_agencies')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['standard_requests.id'], name=op.f('fk_standard_requests_merged_into_id_standard_requests')),
    sa.ForeignKeyConstraint(['group_id'], ['need_groups.id'], name=op.f('fk_standard_requests_group_id_need_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_requests'))
    )
    with op.batch_alter_table('standard_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standard_requests_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_standard_requests_group_id'), ['group_id'], unique=False)
    op.create_table('need_group_links',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('log_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['need_groups.id'], name=op.f('fk_need_group_links_group_id_need_groups')),
    sa.ForeignKeyConstraint(['link_id'], ['exchange_links.id'], name=op.f('fk_need_group_links_link_id_exchange_links')),
    sa.PrimaryKeyConstraint('group_id', 'link_id', name=op.f('pk_need_group_links'))
    )
    with op.batch_alter_table('need_group_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_group_links_link_id'), ['link_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema: requests, groups and links without a standard are dropped."""
    with op.batch_alter_table('need_group_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_group_links_link_id'))
    op.drop_table('need_group_links')
    with op.batch_alter_table('standard_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standard_requests_group_id'))
        batch_op.drop_index(batch_op.f('ix_standard_requests_agency_id'))
    op.drop_table('standard_requests')
    op.drop_table('need_groups')
    # a link without a standard cannot be kept in the older schema
    op.execute("DELETE FROM link_changes WHERE link_id IN (SELECT id FROM exchange_links WHERE standard_id IS NULL)")
    op.execute("DELETE FROM exchange_events WHERE link_id IN (SELECT id FROM exchange_links WHERE standard_id IS NULL)")
    op.execute("DELETE FROM exchange_links WHERE standard_id IS NULL")
    with op.batch_alter_table('exchange_links', schema=None) as batch_op:
        batch_op.drop_constraint('yearly_volume', type_='check')
        batch_op.drop_constraint('document_format', type_='check')
        batch_op.drop_constraint('standard_or_document', type_='check')
        batch_op.drop_column('followed_standard')
        batch_op.drop_column('yearly_volume')
        batch_op.drop_column('document_format')
        batch_op.drop_column('document_name')
        batch_op.alter_column('standard_version', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('standard_id', existing_type=sa.String(length=200), nullable=False)
