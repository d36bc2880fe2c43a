"""self_help_groups: groups, memberships, linked chats, link codes; facilitators' group

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('self_help_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title_uk', sa.String(length=120), nullable=False),
    sa.Column('title_ru', sa.String(length=120), nullable=False),
    sa.Column('description_uk', sa.Text(), nullable=False),
    sa.Column('description_ru', sa.Text(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('join_policy', sa.String(length=16), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_self_help_groups_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_help_groups'))
    )
    with op.batch_alter_table('self_help_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_help_groups_community_id'), ['community_id'], unique=False)

    op.create_table('group_memberships',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['self_help_groups.id'], name=op.f('fk_group_memberships_group_id_self_help_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_group_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_memberships'))
    )
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('group_chats',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['self_help_groups.id'], name=op.f('fk_group_chats_group_id_self_help_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_group_chats')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_group_chats_chat_id'))
    )

    op.create_table('group_link_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['self_help_groups.id'], name=op.f('fk_group_link_codes_group_id_self_help_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['staff_roles.id'], name=op.f('fk_group_link_codes_role_id_staff_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_group_link_codes'))
    )
    with op.batch_alter_table('group_link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_link_codes_group_id'), ['group_id'], unique=False)

    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_roles_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_roles_group_id_self_help_groups'), 'self_help_groups', ['group_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invites_group_id_self_help_groups'), 'self_help_groups', ['group_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invites_group_id_self_help_groups'), type_='foreignkey')
        batch_op.drop_column('group_id')
    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_roles_group_id_self_help_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_roles_group_id'))
        batch_op.drop_column('group_id')
    with op.batch_alter_table('group_link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_link_codes_group_id'))
    op.drop_table('group_link_codes')
    op.drop_table('group_chats')
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_memberships_user_id'))
    op.drop_table('group_memberships')
    with op.batch_alter_table('self_help_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_help_groups_community_id'))
    op.drop_table('self_help_groups')
