"""With no community seeded yet, onboarding says so in the person's language instead of
sending an empty keyboard (which the Bot API refuses), and keeps answering."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.engine import create_engine
from storage.models import Community
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e

NOT_SET_UP = {
    "uk": "Бот ще не налаштований для жодної громади",
    "ru": "Бот ещё не настроен ни для одной громады",
}


@pytest.fixture
async def bot_without_communities(
    botapi: BotApiServer, database_url: str
) -> AsyncIterator[HromadaApp]:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:  # the migrations seed some; a new deployment may not
            await conn.execute(delete(Community))
    finally:
        await engine.dispose()
    async with running_bot(bot_settings(botapi, database_url)) as app:
        yield app


@pytest.mark.parametrize(("language", "button"), [("uk", "Українська"), ("ru", "Русский")])
async def test_onboarding_says_no_community_is_set_up_yet(
    botapi: BotApiServer, bot_without_communities: HromadaApp, language: str, button: str
) -> None:
    resident = botapi.user(language_code=language)
    async with resident.expect_message() as got:
        await resident.send_command("/start")
    welcome = got.message
    assert welcome.button_texts() == ["Українська", "Русский"]

    async with resident.expect_message(lambda m: NOT_SET_UP[language] in (m.text or "")) as got:
        await resident.press(welcome, button)
    assert got.message.button_texts() == []
    assert "/start" in (got.message.text or "")

    # Whatever they send next is answered, with the same line.
    async with resident.expect_message(lambda m: NOT_SET_UP[language] in (m.text or "")):
        await resident.send_text("Дружківка")
    async with resident.expect_message() as got:
        await resident.send_command("/start")
    again = got.message
    async with resident.expect_message(lambda m: NOT_SET_UP[language] in (m.text or "")):
        await resident.press(again, button)
    assert botapi.violations == []
