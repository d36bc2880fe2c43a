"""Self-help groups through the real bot: a resident asks to join an approval group and the
facilitator approves (uk resident, ru facilitator); a sensitive group's notices name nothing
in their first line and are protected; a forged join or approval changes nothing; an open
group is joined at once and left; the group's chat linked with /link CODE, then the bot
removed from it and the chat unlinked."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.engine import session_factory
from storage.models import GroupChat, GroupMembership, SelfHelpGroup
from storage.repositories import group_moves, staff
from storage.repositories.group_moves import GroupFields
from tests.onboarding_steps import has
from tests.request_steps import onboard, outbox_drained

pytestmark = pytest.mark.e2e


async def new_group(
    engine: AsyncEngine, *, policy: str = "approval", topic: str = "disability"
) -> int:
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        group = await group_moves.create_group(
            session,
            dru.id,
            GroupFields(
                title_uk="Батьки дітей з інвалідністю",
                title_ru="Родители детей с инвалидностью",
                description_uk="Зустрічаємося щочетверга.",
                description_ru="",
                topic=topic,
                join_policy=policy,
            ),
        )
        return group.id


async def make_facilitator(botapi: BotApiServer, engine: AsyncEngine, group_id: int) -> FakeUser:
    person = botapi.user(first_name="Галина", language_code="ru")
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        code = await staff.create_invite(
            session, role="facilitator", community=dru, group_id=group_id
        )
    async with person.expect_message(has("Главное меню")):
        await person.send_command(f"/start {code}")
    return person


async def open_groups(resident: FakeUser) -> BotMessage:
    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Групи самодопомоги")) as listed:
        await resident.press(menu.message, "Групи самодопомоги")
    return listed.message


async def memberships(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(GroupMembership.user_id, GroupMembership.status))
        return sorted((int(u), str(s)) for u, s in rows)


async def test_asking_to_join_and_the_facilitator_approves(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    facilitator = await make_facilitator(botapi, engine, group_id)
    resident = botapi.user(first_name="Мирослава", username="myroslava_k")
    await onboard(resident)
    listed = await open_groups(resident)
    async with resident.expect_message(has("Зустрічаємося щочетверга")) as card:
        await resident.press(listed, "Батьки дітей з інвалідністю")
    assert "Фасилітатор схвалює кожен запит" in (card.message.text or "")
    async with facilitator.expect_message(has("Житель просит принять")) as request:
        await resident.press(card.message, "Попроситися до групи")
        await outbox_drained(bot)
    text = request.message.text or ""
    # the lock screen shows the first line only: it names nothing
    assert text.splitlines()[0] == "Новости одной из ваших групп"
    assert "Родители детей с инвалидностью" in text
    assert request.message.protect_content
    for identity in ("Мирослава", "myroslava_k", str(resident.id)):
        assert identity not in text
    assert [s for _, s in await memberships(engine)] == ["pending"]
    # the card now says the request waits; a second press asks nothing twice
    assert "Ваш запит чекає на фасилітатора" in (resident.messages()[-1].text or "")

    async with resident.expect_message(has("прийняли")) as told:
        await facilitator.press(request.message, "✅ Одобрить")
        await outbox_drained(bot)
    assert (told.message.text or "").splitlines()[0] == "Новини однієї з ваших груп"
    assert told.message.protect_content
    assert [s for _, s in await memberships(engine)] == ["accepted"]
    # a second press of Approve (stale) changes nothing and says so
    before = len(botapi.calls)
    await facilitator.press_data(
        request.message, (request.message.buttons[0][0].callback_data or "")
    )
    await outbox_drained(bot)
    assert [s for _, s in await memberships(engine)] == ["accepted"]
    assert not any(
        c.method == "sendMessage" and int(c.params.get("chat_id", 0)) == resident.id
        for c in botapi.calls[before:]
    )


async def test_forged_buttons_change_nothing(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    stranger = botapi.user()
    await onboard(stranger, community="Костянтинівка")  # another community
    listed_before = await memberships(engine)
    await stranger.press_data(stranger.messages()[-1], f"grp:join:{group_id}")
    await stranger.press_data(stranger.messages()[-1], "grp:join:999999")
    # a resident forging the facilitator's Approve for themselves
    resident = botapi.user()
    await onboard(resident)
    listed = await open_groups(resident)
    async with resident.expect_message(has("Зустрічаємося")) as card:
        await resident.press(listed, "Батьки дітей з інвалідністю")
    async with resident.expect_message(has("Ваш запит чекає")):
        await resident.press(card.message, "Попроситися до групи")
    await resident.press_data(card.message, f"gf:ok:{group_id}:1")
    await resident.press_data(card.message, f"gf:ok:{group_id}:2")
    for person in (stranger, resident):  # each person's updates run in order: a barrier
        async with person.expect_message(has("/language")):
            await person.send_command("/help")
    await outbox_drained(bot)
    statuses = [s for _, s in await memberships(engine)]
    assert listed_before == [] and statuses == ["pending"]


async def test_an_open_group_is_joined_at_once_and_left(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    await new_group(engine, policy="open", topic="parents")
    resident = botapi.user(language_code="ru")
    await onboard(resident, language="ru")
    async with resident.expect_message(has("Главное меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Группы самопомощи")) as listed:
        await resident.press(menu.message, "Группы самопомощи")
    async with resident.expect_message(has("Вступить")) as card:
        await resident.press(listed.message, "Родители детей с инвалидностью")
    # described in Russian: the Ukrainian description stands in for the empty one
    assert "Зустрічаємося щочетверга." in (card.message.text or "")
    async with resident.expect_message(has("Вы участник")) as joined:
        await resident.press(card.message, "Вступить")
    assert [s for _, s in await memberships(engine)] == ["accepted"]
    async with resident.expect_message(has("Вступить")):
        await resident.press(joined.message, "Выйти из группы")
    assert await memberships(engine) == []


async def test_the_groups_chat_is_linked_then_the_bot_is_removed(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    facilitator = await make_facilitator(botapi, engine, group_id)
    async with facilitator.expect_message(has("Ваши группы самопомощи")) as mine:
        await facilitator.send_command("/groups")
    async with facilitator.expect_message(has("Участников: 0")) as card:
        await facilitator.press(mine.message, "Родители детей с инвалидностью")
    async with facilitator.expect_message(has("/link")) as code_message:
        await facilitator.press(card.message, "Привязать чат группы")
    code = re.search(r"/link (grp_\S+)", code_message.message.text or "")
    assert code is not None
    chat = botapi.group("Батьки Дружківки", kind="supergroup", members=[facilitator])
    async with chat.expect_message(has("Батьки дітей з інвалідністю")):
        await facilitator.send_command(f"/link {code.group(1)}", chat=chat)
    async with engine.connect() as conn:
        assert await conn.scalar(select(GroupChat.chat_id)) == chat.chat_id
    # the code works once
    async with chat.expect_message(has("Цей код не діє")):
        await facilitator.send_command(f"/link {code.group(1)}", chat=chat)

    await chat.remove_bot(by=facilitator)
    async with facilitator.expect_message(has("Бота удалили из «Батьки Дружківки»")):
        await outbox_drained(bot)
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(GroupChat)) == 0
        assert await conn.scalar(select(func.count()).select_from(SelfHelpGroup)) == 1
