"""Self-help groups: reading groups, members and facilitators.

Membership is checked by whoever acts, when the action runs (a forged or stale button from
a non-member finds nothing here). Member lists and counts are for the group's facilitators
and the community's moderators only: callers check that before showing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import GroupChat, GroupMembership, SelfHelpGroup, StaffRole

PENDING = "pending"
ACCEPTED = "accepted"


@dataclass(frozen=True)
class MemberCounts:
    accepted: int
    pending: int


async def get_group(session: AsyncSession, group_id: int) -> SelfHelpGroup | None:
    return await session.get(SelfHelpGroup, group_id)


async def list_groups(
    session: AsyncSession, community_id: int, *, offset: int = 0, limit: int = 6
) -> tuple[list[SelfHelpGroup], int]:
    """One page of a community's active groups (by title) and how many there are."""
    active = (SelfHelpGroup.community_id == community_id, SelfHelpGroup.is_active.is_(True))
    total = (
        await session.execute(select(func.count()).select_from(SelfHelpGroup).where(*active))
    ).scalar_one()
    rows = await session.scalars(
        select(SelfHelpGroup)
        .where(*active)
        .order_by(SelfHelpGroup.title_uk, SelfHelpGroup.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


async def membership(session: AsyncSession, group_id: int, user_id: int) -> GroupMembership | None:
    return await session.get(GroupMembership, (group_id, user_id))


async def is_accepted_member(session: AsyncSession, group_id: int, user_id: int) -> bool:
    row = await membership(session, group_id, user_id)
    return row is not None and row.status == ACCEPTED


async def accepted_member_ids(session: AsyncSession, group_id: int) -> Sequence[int]:
    """The users.id of the group's accepted members (pending ones get nothing)."""
    rows = await session.scalars(
        select(GroupMembership.user_id)
        .where(GroupMembership.group_id == group_id, GroupMembership.status == ACCEPTED)
        .order_by(GroupMembership.user_id)
    )
    return list(rows)


async def member_group_ids(session: AsyncSession, user_id: int) -> Sequence[int]:
    """The groups `user_id` is an accepted member of."""
    rows = await session.scalars(
        select(GroupMembership.group_id).where(
            GroupMembership.user_id == user_id, GroupMembership.status == ACCEPTED
        )
    )
    return list(rows)


async def memberships_of(session: AsyncSession, user_id: int) -> list[GroupMembership]:
    """Every membership of a person, pending ones too (their own data: /mydata, /forget)."""
    rows = await session.scalars(
        select(GroupMembership)
        .where(GroupMembership.user_id == user_id)
        .order_by(GroupMembership.group_id)
    )
    return list(rows)


async def member_counts(session: AsyncSession, group_id: int) -> MemberCounts:
    rows = await session.execute(
        select(GroupMembership.status, func.count())
        .where(GroupMembership.group_id == group_id)
        .group_by(GroupMembership.status)
    )
    counts = {status: int(n) for status, n in rows}
    return MemberCounts(counts.get(ACCEPTED, 0), counts.get(PENDING, 0))


async def is_sensitive(session: AsyncSession, group_id: int) -> bool:
    """Unknown groups count as sensitive: when in doubt, name nothing."""
    group = await get_group(session, group_id)
    return group is None or group.sensitive


async def facilitators(session: AsyncSession, group_id: int) -> list[StaffRole]:
    """The group's active facilitator roles."""
    rows = await session.scalars(
        select(StaffRole)
        .where(
            StaffRole.group_id == group_id,
            StaffRole.role == "facilitator",
            StaffRole.revoked_at.is_(None),
        )
        .order_by(StaffRole.id)
    )
    return list(rows)


async def facilitated_group_ids(session: AsyncSession, user_id: int) -> Sequence[int]:
    """The groups `user_id` is an active facilitator of."""
    rows = await session.scalars(
        select(StaffRole.group_id).where(
            StaffRole.user_id == user_id,
            StaffRole.role == "facilitator",
            StaffRole.revoked_at.is_(None),
            StaffRole.group_id.is_not(None),
        )
    )
    return [group_id for group_id in rows if group_id is not None]


async def linked_chat_id(session: AsyncSession, group_id: int) -> int | None:
    """The group's own Telegram chat, while it is linked."""
    chat = await session.get(GroupChat, group_id)
    return chat.chat_id if chat is not None and chat.is_active else None
