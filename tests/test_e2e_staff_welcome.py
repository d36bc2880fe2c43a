"""The welcome of a staff invitation lists the same commands as /help for that role (user
testing: it listed fewer), in the person's language; a role without commands lists none."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import invite
from tests.test_e2e_staff_help import commands_in, help_text

pytestmark = pytest.mark.e2e


async def welcome(person: FakeUser, code: str, headline: str) -> str:
    async with person.expect_message(has(headline)) as got:
        await person.send_command(f"/start {code}")
    return got.message.text or ""


async def test_the_welcome_lists_what_help_lists_for_the_role(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = botapi.user(first_name="Модератор")
    text = await welcome(moderator, await invite(engine, "moderator"), "Тепер ви є модератором")
    shown = commands_in(text)
    assert {"/queue", "/stats", "/link_staff_chat", "/meetings", "/poll"} <= shown
    assert "/groups" in text and "/polls" in text and "/help" in text
    assert shown == commands_in(await help_text(moderator))

    provider = botapi.user(first_name="Іван", language_code="ru")
    code = await invite(engine, "provider", category="police", org=("Поліція", "Полиция"))
    text = await welcome(provider, code, "Теперь вы")
    assert commands_in(text) == {"/inbox"} == commands_in(await help_text(provider))
