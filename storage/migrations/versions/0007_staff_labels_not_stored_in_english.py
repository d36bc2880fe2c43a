"""staff_roles.label: forget the English labels the bot made up ("Moderator 7")

Roles invited without a label used to get "<Role> <id>" stored, in English, and staff read
it so whatever their language. Labels are now only what an administrator gave; a role
without one is named in the reader's language when shown. Data only, no schema change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

roles = sa.table(
    'staff_roles',
    sa.column('id', sa.Integer()),
    sa.column('role', sa.String()),
    sa.column('label', sa.String()),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(roles.c.id, roles.c.role, roles.c.label)).all()
    made_up = [id_ for id_, role, label in rows if label == f"{role.capitalize()} {id_}"]
    if made_up:
        bind.execute(sa.update(roles).where(roles.c.id.in_(made_up)).values(label=None))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(roles.c.id, roles.c.role).where(roles.c.label.is_(None))
    ).all()
    for id_, role in rows:
        bind.execute(
            sa.update(roles).where(roles.c.id == id_).values(label=f"{role.capitalize()} {id_}")
        )
