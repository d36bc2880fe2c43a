"""poll vote privacy: votes unlinked from people (user_id nullable, ON DELETE SET NULL), a
random ballot per voter and poll; a meeting evaluation's occurrence

A vote's rows stay when the person is erased or the retention cuts the link, so the counts
stay right; `ballot` (also on `poll_recipients`, fixed at publishing) keeps a
multiple-choice voter's rows together, so "distinct voters" counts distinct ballots. Votes
already there get their recipient's ballot (a new one per person and poll if none).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:40:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ballot() -> str:
    return secrets.token_hex(8)


def upgrade() -> None:
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurrence', sa.Date(), nullable=True))
        # an index, not a constraint: SQLite would rebuild `polls`, and dropping the old
        # table (foreign keys on) would cascade to its options and votes
        batch_op.create_index(
            'ix_polls_evaluation', ['meeting_id', 'occurrence', 'template'], unique=True,
            sqlite_where=sa.text("template LIKE 'eval%'"),
            postgresql_where=sa.text("template LIKE 'eval%'"),
        )
    with op.batch_alter_table('poll_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballot', sa.String(length=16), nullable=True))
    with op.batch_alter_table('poll_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballot', sa.String(length=16), nullable=True))

    conn = op.get_bind()
    recipients = sa.table(
        'poll_recipients',
        sa.column('poll_id', sa.Integer),
        sa.column('user_id', sa.Integer),
        sa.column('ballot', sa.String),
    )
    votes = sa.table(
        'poll_votes',
        sa.column('poll_id', sa.Integer),
        sa.column('user_id', sa.Integer),
        sa.column('ballot', sa.String),
    )
    ballots: dict[tuple[int, int], str] = {}
    for poll_id, user_id in conn.execute(sa.select(recipients.c.poll_id, recipients.c.user_id)):
        ballots[(poll_id, user_id)] = _ballot()
    for poll_id, user_id in conn.execute(
        sa.select(votes.c.poll_id, votes.c.user_id).distinct()
    ):
        ballots.setdefault((poll_id, user_id), _ballot())
    for (poll_id, user_id), ballot in ballots.items():
        for table in (recipients, votes):
            conn.execute(
                sa.update(table)
                .where(table.c.poll_id == poll_id, table.c.user_id == user_id)
                .values(ballot=ballot)
            )

    with op.batch_alter_table('poll_votes', schema=None) as batch_op:
        batch_op.alter_column('ballot', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(
            batch_op.f('fk_poll_votes_user_id_users'), type_='foreignkey'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_poll_votes_user_id_users'), 'users', ['user_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_unique_constraint(
            'uq_poll_votes_ballot_slot', ['poll_id', 'ballot', 'slot']
        )


def downgrade() -> None:
    # unlinked votes have no person to go back to: they are dropped
    op.execute('DELETE FROM poll_votes WHERE user_id IS NULL')
    with op.batch_alter_table('poll_votes', schema=None) as batch_op:
        batch_op.drop_constraint('uq_poll_votes_ballot_slot', type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk_poll_votes_user_id_users'), type_='foreignkey'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_poll_votes_user_id_users'), 'users', ['user_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('ballot')
    op.drop_column('poll_recipients', 'ballot')  # nothing references it: either way is safe
    op.drop_index('ix_polls_evaluation', table_name='polls')
    # a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of `polls`
    # would drop the old table and, foreign keys on, cascade to its options and votes
    op.drop_column('polls', 'occurrence')
