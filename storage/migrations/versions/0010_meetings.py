"""meetings: meetings, occurrence changes, RSVPs, opt-ins, armed reminders

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meeting_opt_ins',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_opt_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_meeting_opt_ins'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title_uk', sa.String(length=200), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=True),
    sa.Column('first_local', sa.DateTime(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('repeat', sa.String(length=16), nullable=False),
    sa.Column('offsets', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_from', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_meetings_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_meetings_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['self_help_groups.id'], name=op.f('fk_meetings_group_id_self_help_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_group_id'), ['group_id'], unique=False)

    op.create_table('meeting_changes',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('start_local', sa.DateTime(), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_changes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'occurrence', name=op.f('pk_meeting_changes'))
    )
    op.create_table('meeting_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offset_minutes', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_reminders_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_reminders')),
    sa.UniqueConstraint('meeting_id', 'occurrence', 'start_at', 'offset_minutes', name=op.f('uq_meeting_reminders_meeting_id'))
    )
    with op.batch_alter_table('meeting_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_reminders_enqueued_at_due_at', ['enqueued_at', 'due_at'], unique=False)

    op.create_table('meeting_rsvps',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('going', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_rsvps_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_rsvps_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'occurrence', 'user_id', name=op.f('pk_meeting_rsvps'))
    )


def downgrade() -> None:
    op.drop_table('meeting_rsvps')
    with op.batch_alter_table('meeting_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_reminders_enqueued_at_due_at')

    op.drop_table('meeting_reminders')
    op.drop_table('meeting_changes')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_group_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_community_id'))

    op.drop_table('meetings')
    op.drop_table('meeting_opt_ins')
