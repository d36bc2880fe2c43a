"""indexes for /queue's pages and /stats' single pass (issue 11)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:20:00

ix_service_requests_open: a community's open requests in the queue's order (urgent first,
then the oldest, then id), partial (open statuses only), so that the last page of /queue
walks the index instead of sorting every open request. ix_service_requests_stats_groups:
/stats' columns in (category, status) order, so that SQLite's GROUP BY reads a period of a
community in group order instead of sorting it. bench/queries.py measures both over
100,000 requests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('new', 'in_review', 'routed', 'awaiting_resident')"


def upgrade() -> None:
    op.create_index(
        'ix_service_requests_open',
        'service_requests',
        ['community_id', sa.text('urgent DESC'), 'created_at', 'id'],
        unique=False,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        'ix_service_requests_stats_groups',
        'service_requests',
        ['community_id', 'category', 'status', 'created_at', 'helped', 'first_answer_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_service_requests_stats_groups', table_name='service_requests')
    op.drop_index('ix_service_requests_open', table_name='service_requests')
