"""outbox.dead_at (dead rows are forgotten after the retention); indexes for /queue, /stats

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:00:00

Dead rows kept their payload (a staff card can carry a resident's shared name) for ever.
They are now deleted `OUTBOX_RETENTION_DAYS` after `dead_at`, like delivered rows after
`sent_at`. Rows already dead get their last scheduled time (`not_before`: creation or
last retry), the closest record of when they died.

/queue counts and pages a community's open requests from ix_service_requests_queue; /stats
aggregates a period of a community from ix_service_requests_stats alone (it covers every
column read). bench/queries.py measures both over 100,000 requests.
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
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(
            'ix_service_requests_queue',
            ['community_id', 'status', 'urgent', 'created_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_service_requests_stats',
            ['community_id', 'created_at', 'category', 'status', 'helped', 'first_answer_at'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_service_requests_stats')
        batch_op.drop_index('ix_service_requests_queue')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
