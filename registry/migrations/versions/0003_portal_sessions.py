"""Portal sign-ins become server-side sessions: the cookie holds a random token, not the API key.

``portal_sessions`` keeps the SHA-256 of each session token, the key it stands for and
when it ends. Sessions are ephemeral: they are not logged, so ``dxs registry verify``
does not read them, and a backup does not carry them (signing in again is all a
restored registry asks). Nothing existing changes: cookies issued before this revision
held the key itself and are simply no longer accepted.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('portal_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_portal_sessions_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_portal_sessions_token_hash'))
    )
    with op.batch_alter_table('portal_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_sessions_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_portal_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema: everyone signed in to the portal is signed out."""
    with op.batch_alter_table('portal_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_sessions_expires_at'))
        batch_op.drop_index(batch_op.f('ix_portal_sessions_key_id'))
    op.drop_table('portal_sessions')
