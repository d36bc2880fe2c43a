"""A facilitator declines a request to join (issue 8): the resident is told in their
language, nothing of the request is kept (they may ask again), and a second press of the
same button changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import onboard, outbox_drained
from tests.test_e2e_groups import make_facilitator, memberships, new_group

pytestmark = pytest.mark.e2e


async def test_declined_the_resident_is_told_and_may_ask_again(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    facilitator = await make_facilitator(botapi, engine, group_id)  # reads Russian
    resident = botapi.user(language_code="ru")
    await onboard(resident, "ru")
    async with resident.expect_message(has("Главное меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Группы самопомощи")) as listed:
        await resident.press(menu.message, "Группы самопомощи")
    async with resident.expect_message(has("Зустрічаємося")) as card:
        await resident.press(listed.message, "Родители детей с инвалидностью")
    async with facilitator.expect_message(has("Житель просит")) as request:
        await resident.press(card.message, "Попроситься в группу")
        await outbox_drained(bot)
    assert [s for _, s in await memberships(engine)] == ["pending"]

    async with resident.expect_message(has("отклонили")) as told:
        await facilitator.press(request.message, "Отклонить")
        await outbox_drained(bot)
    assert told.message.protect_content  # a sensitive group's notice
    assert await memberships(engine) == []
    said = [str(a.get("text")) for a in botapi.callback_answers.values()] + [
        m.text or "" for m in facilitator.messages()
    ]
    assert any(s.startswith("Отклонено") for s in said)

    # the same button again: answered already, nobody told anything more
    before = len(resident.messages())
    await facilitator.press_data(request.message, request.message.buttons[0][1].callback_data or "")
    await outbox_drained(bot)
    assert await memberships(engine) == [] and len(resident.messages()) == before

    # nothing kept: the resident may ask again
    async with resident.expect_message(has("Главное меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Группы самопомощи")) as listed:
        await resident.press(menu.message, "Группы самопомощи")
    async with resident.expect_message(lambda m: "Попроситься в группу" in m.button_texts()):
        await resident.press(listed.message, "Родители детей с инвалидностью")
