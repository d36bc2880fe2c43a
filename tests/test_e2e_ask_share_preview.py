"""The preview of a question whose author shares their name (tester finding): when the
person has a Telegram username, the card shows it too ("Name (@username)"), so the preview
says the username is shared as well; without one it says the name only."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from tests.onboarding_steps import has
from tests.request_steps import button_starting, make_moderator, onboard

pytestmark = pytest.mark.e2e


async def shared_preview(resident: FakeUser, language: str) -> BotMessage:
    words = (
        ("Поставити запитання", "Продовжити", "Поліція", "Поділитися ім’ям з працівниками")
        if language == "uk"
        else ("Задать вопрос", "Продолжить", "Полиция", "Поделиться именем с сотрудниками")
    )
    menu = await onboard(resident, language)
    async with resident.expect_message(lambda m: words[1] in m.button_texts()) as safety:
        await resident.press(menu, words[0])
    async with resident.expect_message(lambda m: words[2] in m.button_texts()) as choice:
        await resident.press(safety.message, words[1])
    async with resident.expect_message(lambda m: True):
        await resident.press(choice.message, words[2])
    async with resident.expect_message(lambda m: any("(0" in b for b in m.button_texts())) as p:
        await resident.send_text("Коли відновлять освітлення на вулиці Шкільній?")
    async with resident.expect_message(lambda m: words[3] in m.button_texts()) as contact:
        await resident.press(p.message, button_starting(p.message, words[1]))
    async with resident.expect_message(lambda m: len(m.button_texts()) >= 3) as preview:
        await resident.press(contact.message, words[3])
    return preview.message


async def test_the_preview_says_the_username_is_shared_too(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    with_name = botapi.user(first_name="Мирослава", username="myroslava_k")
    preview = await shared_preview(with_name, "uk")
    assert "ваше ім’я та ім’я користувача в Telegram" in (preview.text or "")
    async with moderator.expect_message(has("DRU-0001")) as card:
        await with_name.press(preview, "Надіслати")
    assert "@myroslava_k" in (card.message.text or "")  # what the preview announced

    without = botapi.user(first_name="Ірина", language_code="ru")
    preview = await shared_preview(without, "ru")
    text = preview.text or ""
    assert "имя пользователя" not in text and "Ваше имя будет видно сотрудникам." in text
