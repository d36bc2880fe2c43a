"""The one seam between meetings and self-help groups (`storage/repositories/groups.py`):
who is an accepted member, whether a group is sensitive, which groups a person runs or
belongs to, a group's title and community, its linked chat."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SelfHelpGroup
from storage.repositories import groups


async def accepted_member_ids(session: AsyncSession, group_id: int) -> list[int]:
    return list(await groups.accepted_member_ids(session, group_id))


async def is_accepted_member(session: AsyncSession, group_id: int, user_id: int) -> bool:
    return await groups.is_accepted_member(session, group_id, user_id)


async def is_sensitive(session: AsyncSession, group_id: int) -> bool:
    return await groups.is_sensitive(session, group_id)


async def facilitated_group_ids(session: AsyncSession, user_id: int) -> list[int]:
    """The groups `user_id` is an active facilitator of."""
    return list(await groups.facilitated_group_ids(session, user_id))


async def member_group_ids(session: AsyncSession, user_id: int) -> list[int]:
    """The groups `user_id` is an accepted member of."""
    return list(await groups.member_group_ids(session, user_id))


async def group_titles(
    session: AsyncSession, group_ids: list[int], language: str
) -> dict[int, str]:
    """Each group's title in `language` (the other one if that is empty)."""
    if not group_ids:
        return {}
    rows = await session.scalars(select(SelfHelpGroup).where(SelfHelpGroup.id.in_(group_ids)))
    return {
        g.id: ((g.title_ru or g.title_uk) if language == "ru" else (g.title_uk or g.title_ru))
        for g in rows
    }


async def community_of_group(session: AsyncSession, group_id: int) -> int | None:
    group = await groups.get_group(session, group_id)
    return None if group is None else group.community_id


async def linked_chat_id(session: AsyncSession, group_id: int) -> int | None:
    return await groups.linked_chat_id(session, group_id)
