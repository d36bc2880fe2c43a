"""What staff read, in their own language: role labels, refusals that name the right
command, an invitation already taken, the rejection "for the emergency services"."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from tests.botapi.people import FakeUser
from tests.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import ask, invite, make_moderator

pytestmark = pytest.mark.e2e


async def russian_moderator(botapi: BotApiServer, engine: AsyncEngine) -> FakeUser:
    person = botapi.user(first_name="Модератор", language_code="ru")
    async with person.expect_message(has("Главное меню")):
        await person.send_command(f"/start {await invite(engine, 'moderator')}")
    return person


async def test_role_labels_are_in_the_readers_language(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    first = await make_moderator(botapi, engine)
    second = await russian_moderator(botapi, engine)
    async with (
        first.expect_message(has("DRU-0001")) as card,
        second.expect_message(has("DRU-0001")) as other_card,
    ):
        await ask(botapi.user(), "Де пункт незламності?")
    async with first.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await first.press(card.message, "Взяти в роботу")
    async with first.expect_message(has("Напишіть внутрішню нотатку")):
        await first.press(first.last_message(), "Внутрішня нотатка")
    async with first.expect_message(has("Нотатку додано")):
        await first.send_text("Перевірити адресу.")

    async with second.expect_message(has("Перевірити адресу.")) as refreshed:
        await second.press(other_card.message, "Взять в работу")
    alert = botapi.callback_answers[next(reversed(botapi.callback_answers))]
    assert "уже взял в работу: Модератор " in alert["text"], alert
    assert "Moderator" not in alert["text"]
    text = refreshed.message.text or ""
    assert "🔒 Заметка, Модератор " in text and "Moderator" not in text, text


EMERGENCY_WORDS = {
    "uk": ("це справа для екстрених служб", "Бот не викликає їх замість вас", "Передано"),
    "ru": ("это дело для экстренных служб", "Бот не вызывает их вместо вас", "Передано"),
}


@pytest.mark.parametrize("language", ["uk", "ru"])
async def test_a_rejection_for_the_emergency_services_says_nobody_was_called(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, language: str
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user(language_code=language)
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Сусіди чують запах газу", language=language)
    async with moderator.expect_message(has("чому відхилено")) as reasons:
        await moderator.press(card.message, "Відхилити")
    assert "Справа для екстрених служб" in reasons.message.button_texts()
    async with moderator.expect_message(has("Пропустити")) as comment:
        await moderator.press(reasons.message, "Справа для екстрених служб")
    async with resident.expect_message(has("DRU-0001")) as told:
        await moderator.press(comment.message, "Пропустити")
    text = told.message.text or ""
    matter, not_called, misleading = EMERGENCY_WORDS[language]
    assert matter in text and not_called in text, text
    assert misleading not in text, text
    for number in ("102", "103", "101", "112"):
        assert number in text, text
