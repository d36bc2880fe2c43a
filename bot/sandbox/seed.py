"""The demo data of the sandbox beyond the communities: a self-help group of Дружківка whose
Telegram chat is the group pane, and (with meetings) a working-group meeting to be
reminded of.  Idempotent: a restarted sandbox finds them and adds nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import GroupChat, Meeting, SelfHelpGroup
from storage.repositories import meetings, staff
from storage.types import utcnow

__all__ = [
    "GROUP_TITLE_RU",
    "GROUP_TITLE_UK",
    "MEETING_TITLE_RU",
    "MEETING_TITLE_UK",
    "seed_group",
    "seed_meeting",
]

GROUP_TITLE_UK = "Батьки дітей з інвалідністю"
GROUP_TITLE_RU = "Родители детей с инвалидностью"
MEETING_TITLE_UK = "Засідання робочої групи"
MEETING_TITLE_RU = "Заседание рабочей группы"
MEETING_ZONE = "Europe/Kyiv"


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


async def seed_meeting(engine: AsyncEngine, community_slug: str) -> int:
    """The community's working group meeting (created once): weekly, from the next day at
    18:00 Kyiv time, reminders 24 and 2 hours before; its reminders are armed at once
    (``meetings.create_meeting``), so "to the next reminder" has one to go to."""
    async with session_factory(engine)() as session, session.begin():
        community = await staff.community_by_slug(session, community_slug)
        if community is None:
            raise RuntimeError(f"community {community_slug!r} is not seeded")
        found = await session.scalar(
            select(Meeting).where(
                Meeting.community_id == community.id, Meeting.title_uk == MEETING_TITLE_UK
            )
        )
        if found is not None:
            return found.id
        tomorrow = utcnow().astimezone(ZoneInfo(MEETING_ZONE)).date() + timedelta(days=1)
        meeting = Meeting(
            community_id=community.id,
            group_id=None,
            title_uk=MEETING_TITLE_UK,
            title_ru=MEETING_TITLE_RU,
            place="Будинок культури, вул. Соборна, 1",
            agenda=None,
            first_local=datetime.combine(tomorrow, time(18, 0)),
            zone=MEETING_ZONE,
            duration_minutes=90,
            repeat="weekly",
            offsets=[24 * 60, 2 * 60],
        )
        await meetings.create_meeting(session, meeting)
        return meeting.id
