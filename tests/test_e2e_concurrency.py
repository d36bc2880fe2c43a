"""Many residents at once: everyone finishes, each person's steps in order."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import chat_log, onboard

pytestmark = pytest.mark.e2e


async def test_hundred_residents_onboard_at_once(botapi: BotApiServer, bot: HromadaApp) -> None:
    people = [botapi.user() for _ in range(100)]
    # each step may wait up to 60 s: a hundred people at once on a loaded 2-core machine
    everyone = asyncio.gather(*(onboard(p, timeout=60) for p in people))
    menus = await asyncio.wait_for(everyone, timeout=180)
    assert len(menus) == 100
    for person in people:
        assert_in_order(botapi, person)


def assert_in_order(botapi: BotApiServer, person: FakeUser) -> None:
    """What the bot did in this chat, call by call: welcome, list, confirmation, menu."""
    seen = [(method, text[:20]) for method, text in chat_log(botapi, person.id)]
    assert seen == [
        ("sendMessage", "Вітаємо! Цей бот поє"),
        ("editMessageText", "Оберіть вашу громаду"),
        ("editMessageText", "Ваша громада: Дружкі"),
        ("sendMessage", "Головне меню. Що ви "),
    ]


async def test_one_person_fast_presses_are_handled_in_order(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    person = botapi.user()
    await onboard(person)
    # Five commands sent back to back, before any answer: answers come in the same order.
    async with person.expect_message(lambda m: (m.text or "") == "Скасовано."):
        await person.send_command("/help")
        await person.send_command("/language")
        await person.send_command("/community")
        await person.send_command("/start")
        await person.send_command("/cancel")
    after_onboarding = [text for _, text in chat_log(botapi, person.id)[4:11]]
    expected = [
        "<b>Бот «Громада»</b>",  # /help
        "Головне меню",  # ... and the menu after it
        "Вітаємо!",  # /language
        "Оберіть вашу громаду",  # /community (replaces the language step: the same flow)
        "Ви ще не завершили",  # /start in the middle keeps the flow (issue 7 §2.1) ...
        "Оберіть вашу громаду",  # ... and asks its step again
        "Скасовано.",  # /cancel (the menu after it may still be on its way)
    ]
    assert len(after_onboarding) == len(expected), after_onboarding
    for text, start_of in zip(after_onboarding, expected, strict=True):
        assert text.startswith(start_of), after_onboarding
