"""conversation_state: business_connection_id in the primary key; nested state names

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:10:00

aiogram's StorageKey has six fields; the primary key lacked business_connection_id, so two
keys differing only in it shared one conversation. Existing rows get "" (no business
connection), the value the storage writes for None.

State names: a state of a nested group is now named with its parents
(`Parent.Child:x`, formerly `Child:x`). RENAMED_STATES is
`flows.fsm.legacy.pre_nesting_names(...)` over the groups deployed when this was written
(OnboardingForm, AskForm, ReplyForm, StaffForm), frozen as literals so that the migration
never imports the app. None of those groups nests another, so no stored name changes; the
mechanism is tested with nested groups in tests/test_fsm_migration.py.
"""

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = ['bot_id', 'chat_id', 'user_id', 'thread_id', 'destiny']
NEW_KEY = ['bot_id', 'chat_id', 'user_id', 'thread_id', 'business_connection_id', 'destiny']

# old stored name -> current name (see the docstring); empty: nothing was nested.
RENAMED_STATES: dict[str, str] = {}


def rename_states(connection: sa.engine.Connection, renames: Mapping[str, str]) -> int:
    """Rewrite stored state names; returns the number of rows changed."""
    table = sa.table('conversation_state', sa.column('state', sa.String()))
    changed = 0
    for old, new in renames.items():
        result = connection.execute(
            sa.update(table).where(table.c.state == old).values(state=new)
        )
        changed += result.rowcount
    return changed


def upgrade() -> None:
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'business_connection_id',
                sa.String(length=128),
                nullable=False,
                server_default='',
            )
        )
        batch_op.drop_constraint('pk_conversation_state', type_='primary')
        batch_op.create_primary_key('pk_conversation_state', NEW_KEY)
    rename_states(op.get_bind(), RENAMED_STATES)


def downgrade() -> None:
    rename_states(op.get_bind(), {new: old for old, new in RENAMED_STATES.items()})
    # Conversations of business connections cannot be kept under the narrower key.
    op.execute("DELETE FROM conversation_state WHERE business_connection_id <> ''")
    with op.batch_alter_table('conversation_state', schema=None) as batch_op:
        batch_op.drop_constraint('pk_conversation_state', type_='primary')
        batch_op.create_primary_key('pk_conversation_state', OLD_KEY)
        batch_op.drop_column('business_connection_id')
