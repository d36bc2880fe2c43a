"""staff_chat_cards: the card each request has in its staff chat, to edit it there

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_chat_cards',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], name=op.f('fk_staff_chat_cards_request_id_service_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_staff_chat_cards'))
    )
    with op.batch_alter_table('staff_chat_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_chat_cards_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_chat_cards_outbox_id'), ['outbox_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_chat_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_chat_cards_outbox_id'))
        batch_op.drop_index(batch_op.f('ix_staff_chat_cards_chat_id'))
    op.drop_table('staff_chat_cards')
