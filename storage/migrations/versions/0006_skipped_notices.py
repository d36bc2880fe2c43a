"""skipped_notices: notifications that reached nobody

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('skipped_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('news', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_skipped_notices_request_id_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['staff_roles.id'], name=op.f('fk_skipped_notices_role_id_staff_roles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skipped_notices_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skipped_notices'))
    )
    with op.batch_alter_table('skipped_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skipped_notices_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_skipped_notices_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('skipped_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skipped_notices_request_id'))
        batch_op.drop_index(batch_op.f('ix_skipped_notices_at'))
    op.drop_table('skipped_notices')
