"""The session-wide check itself (`tests/privacy_scan.py`): it finds a resident's id, name or
username in what staff were sent, and lets through residents who shared their contact."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.botapi.server import BotApiServer, Call
from storage.engine import session_factory
from storage.models import Community, GroupChat, SelfHelpGroup, StaffRole, User
from tests import privacy_scan


async def staff_member(engine: AsyncEngine, telegram_id: int) -> None:
    async with session_factory(engine)() as session, session.begin():
        user = User(telegram_id=telegram_id)
        session.add(user)
        await session.flush()
        community = await session.scalar(select(Community.id).limit(1))
        session.add(StaffRole(user_id=user.id, community_id=community, role="moderator"))


@pytest.mark.parametrize(
    "text",
    ["Питання від Олена", "user 100002 asks", "@olena_secret пише", "Коваль, DRU-0001"],
)
async def test_a_resident_named_to_staff_is_found(
    botapi: BotApiServer, engine: AsyncEngine, database_url: str, text: str
) -> None:
    moderator = botapi.user(first_name="Модератор")
    resident = botapi.user(first_name="Олена", last_name="Коваль", username="olena_secret")
    assert resident.id == 100002
    await staff_member(engine, moderator.id)
    botapi.calls.append(Call("sendMessage", {"chat_id": moderator.id, "text": text}))
    found = privacy_scan.leaks(botapi, database_url)
    botapi.calls.clear()  # the session-wide check after this test must not see it
    assert len(found) == 1 and f"resident {resident.id}" in found[0], found


async def test_what_is_not_a_leak(
    botapi: BotApiServer, engine: AsyncEngine, database_url: str
) -> None:
    moderator = botapi.user(first_name="Модератор")
    resident = botapi.user(first_name="Ліна")
    sharer = botapi.user(first_name="Оксана")
    await staff_member(engine, moderator.id)
    privacy_scan.shared_contact(sharer)
    botapi.calls.extend(
        [
            # Part of another word, another number, a message to the resident herself.
            Call("sendMessage", {"chat_id": moderator.id, "text": "Ліналія 1000022"}),
            Call("sendMessage", {"chat_id": resident.id, "text": "Ліна"}),
            # Someone who chose to share her contact.
            Call("sendMessage", {"chat_id": moderator.id, "text": "👤 Оксана"}),
        ]
    )
    assert privacy_scan.leaks(botapi, database_url) == []
    botapi.calls.append(
        Call(
            "sendMessage",
            {
                "chat_id": moderator.id,
                "text": "card",
                "reply_markup": {"inline_keyboard": [[{"text": "Ліна", "callback_data": "x"}]]},
            },
        )
    )
    found = privacy_scan.leaks(botapi, database_url)
    botapi.calls.clear()
    assert len(found) == 1, found


async def test_a_resident_named_in_a_self_help_groups_chat_is_found(
    botapi: BotApiServer, engine: AsyncEngine, database_url: str
) -> None:
    """A group's own chat is read by its facilitator (and its members): the same rule."""
    resident = botapi.user(first_name="Мирослава")
    group_chat = botapi.group("Група підтримки")
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community.id).limit(1))
        assert community is not None
        group = SelfHelpGroup(
            community_id=community, title_uk="Група", title_ru="Группа", topic="other"
        )
        session.add(group)
        await session.flush()
        session.add(GroupChat(group_id=group.id, chat_id=group_chat.chat_id))
    botapi.calls.append(
        Call("sendMessage", {"chat_id": group_chat.chat_id, "text": "Мирослава приєдналася"})
    )
    found = privacy_scan.leaks(botapi, database_url)
    botapi.calls.clear()
    assert len(found) == 1 and f"resident {resident.id}'s first name" in found[0], found
