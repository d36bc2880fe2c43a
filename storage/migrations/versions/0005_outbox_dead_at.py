"""outbox.dead_at: when a row was given up, so dead rows are forgotten after the retention

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00

Dead rows kept their payload (a staff card can carry a resident's shared name) for ever.
They are now deleted `OUTBOX_RETENTION_DAYS` after `dead_at`, like delivered rows after
`sent_at`. Rows already dead get their last scheduled time (`not_before`: creation or
last retry), the closest record of when they died.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dead_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox SET dead_at = not_before WHERE status = 'dead'")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
