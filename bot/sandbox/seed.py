"""The demo data of the sandbox beyond the communities: a self-help group of Дружківка whose
Telegram chat is the group pane, and (with meetings) a working-group meeting to be
reminded of.  Idempotent: a restarted sandbox finds them and adds nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import GroupChat, Invite, SelfHelpGroup
from storage.repositories import staff

__all__ = ["GROUP_TITLE_RU", "GROUP_TITLE_UK", "scope_invite_to_group", "seed_group"]

GROUP_TITLE_UK = "Батьки дітей з інвалідністю"
GROUP_TITLE_RU = "Родители детей с инвалидностью"


async def seed_group(engine: AsyncEngine, community_slug: str, chat_id: int) -> int:
    """The demo self-help group (created once) with ``chat_id`` as its linked chat."""
    async with session_factory(engine)() as session, session.begin():
        community = await staff.community_by_slug(session, community_slug)
        if community is None:
            raise RuntimeError(f"community {community_slug!r} is not seeded")
        group = await session.scalar(
            select(SelfHelpGroup).where(
                SelfHelpGroup.community_id == community.id,
                SelfHelpGroup.title_uk == GROUP_TITLE_UK,
            )
        )
        if group is None:
            group = SelfHelpGroup(
                community_id=community.id,
                title_uk=GROUP_TITLE_UK,
                title_ru=GROUP_TITLE_RU,
                description_uk="Зустрічі, досвід і підтримка для батьків.",
                description_ru="Встречи, опыт и поддержка для родителей.",
                topic="disability",
                join_policy="approval",
                sensitive=True,
            )
            session.add(group)
            await session.flush()
        linked = await session.get(GroupChat, group.id)
        if linked is None:
            session.add(GroupChat(group_id=group.id, chat_id=chat_id))
        else:
            linked.chat_id, linked.is_active = chat_id, True
        return group.id


async def scope_invite_to_group(engine: AsyncEngine, code: str, group_id: int) -> None:
    """A facilitator's invite names the group they will facilitate (``Invite.group_id``)."""
    async with session_factory(engine)() as session, session.begin():
        invite = await session.scalar(
            select(Invite).where(Invite.code_hash == staff.hash_code(code))
        )
        if invite is None:
            raise RuntimeError("the invite just created is not there")
        invite.group_id = group_id
