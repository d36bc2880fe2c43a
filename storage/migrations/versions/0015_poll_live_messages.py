"""poll live refresh: each recipient's poll message that shows live counts, and what it shows

`poll_recipients.message_id` is the message the person last voted on (it shows live counts
once they chose), `poll_recipients.shown` what it shows of them (`flows.polls.shown_key`);
the live refresh job edits the message through the outbox when that is stale. Plain
ALTER TABLE ADD/DROP COLUMN, nullable columns: no table is rebuilt.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('poll_recipients', sa.Column('message_id', sa.BigInteger(), nullable=True))
    op.add_column('poll_recipients', sa.Column('shown', sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column('poll_recipients', 'shown')
    op.drop_column('poll_recipients', 'message_id')
