"""What staff read, in their own language: role labels, refusals that name the right
command, an invitation already taken, the rejection "for the emergency services"."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import (
    ask,
    invite,
    join_staff,
    make_moderator,
    make_provider,
    staff_answers,
)

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


async def test_staff_are_told_which_command_is_theirs(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    provider = await make_provider(botapi, engine)
    async with provider.expect_message(has("/inbox")) as told:
        await provider.send_command("/queue")
    assert "для модераторів" in (told.message.text or ""), told.message.text
    async with provider.expect_message(has("/inbox")) as told:
        await provider.send_command("/stats")
    assert "для модераторів" in (told.message.text or ""), told.message.text
    async with moderator.expect_message(has("/queue")) as told:
        await moderator.send_command("/inbox")
    assert "для надавачів" in (told.message.text or ""), told.message.text
    resident = botapi.user()
    async with resident.expect_message(has("для працівників робочої групи")):
        await resident.send_command("/queue")


async def test_a_moderator_opening_their_own_used_link_is_told_they_hold_the_role(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    code = await invite(engine, "moderator")
    person = botapi.user()
    await join_staff(person, code)
    async with person.expect_message(has("Ви вже є модератором громади Дружківка")) as told:
        await person.send_command(f"/start {code}")
    assert "недійсне" not in (told.message.text or "")
    assert "/queue" in (told.message.text or "")
    stranger = botapi.user()
    async with stranger.expect_message(has("вже недійсне")):
        await stranger.send_command(f"/start {code}")  # someone else's used link: invalid


async def test_staff_commands_in_the_staff_chat_are_answered_in_private(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    provider = await make_provider(botapi, engine)
    outsider = botapi.user()
    group = botapi.group("Робоча група", members=[moderator, provider, outsider])
    async with group.expect_message(has("нові звернення")):
        await moderator.send_command("/link_staff_chat", chat=group)
    await ask(botapi.user(), "Питання в черзі")
    async with (
        moderator.expect_message(has("Черга громади Дружківка")) as queue,
        group.expect_message(has("особистий чат")),
    ):
        await moderator.send_command("/queue", chat=group)
    assert any(text.startswith("DRU-0001") for text in queue.message.button_texts())
    async with (
        moderator.expect_message(has("Статистика громади")),
        group.expect_message(has("особистий чат")),
    ):
        await moderator.send_command("/stats@hromada_test_bot", chat=group)
    async with provider.expect_message(has("Вхідні")), group.expect_message(has("особистий чат")):
        await provider.send_command("/inbox", chat=group)
    # Someone who is not staff gets nothing, in the group or in private.
    seen = len(group.messages())
    async with outsider.expect_message(has("оберіть мову")):
        await outsider.send_command("/queue", chat=group)
        await outsider.send_command("/start")  # one person's updates in order: a barrier
    assert len(group.messages()) == seen
    assert [m.text for m in outsider.messages()][:-1] == []


@pytest.mark.parametrize(
    ("language", "signed", "preposition"),
    [
        ("uk", "</b> — Робоча група громади Дружківка:", " від "),
        ("ru", "</b> — Рабочая группа громады Дружковка:", " от "),
    ],
    ids=["uk", "ru"],
)
async def test_an_answer_names_its_organisation_in_the_nominative_on_its_own(
    botapi: BotApiServer,
    bot: HromadaApp,
    engine: AsyncEngine,
    language: str,
    signed: str,
    preposition: str,
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user(language_code=language)
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Коли вивезуть сміття?", language=language)
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(has("У четвер.")) as answer:
        await staff_answers(moderator, "У четвер.")
    sent = next(
        str(call["text"])
        for call in botapi.calls_of("sendMessage")
        if int(call["chat_id"]) == resident.id and "У четвер." in str(call["text"])
    )
    assert signed in sent, sent  # as sent (HTML): the organisation after a dash
    headline = (answer.message.text or "").split("\n")[0]
    assert preposition not in headline, headline
