"""A resident onboards through the real bot over real HTTP, in Ukrainian and in Russian."""

from __future__ import annotations

import pytest

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("telegram_language", "button", "community_prompt", "community", "menu_word"),
    [
        ("uk", "Українська", "Оберіть вашу громаду", "Дружківка", "Головне меню"),
        ("ru", "Русский", "Выберите вашу громаду", "Дружковка", "Главное меню"),
        ("en", "Русский", "Выберите вашу громаду", "Дружковка", "Главное меню"),
    ],
)
async def test_resident_completes_onboarding(
    botapi: BotApiServer,
    bot: HromadaApp,
    telegram_language: str,
    button: str,
    community_prompt: str,
    community: str,
    menu_word: str,
) -> None:
    olena = botapi.user(language_code=telegram_language)
    async with olena.expect_message() as got:
        await olena.send_command("/start")
    welcome = got.message
    assert welcome.button_texts() == ["Українська", "Русский"]

    async with olena.expect_message(lambda m: community_prompt in (m.text or "")) as got:
        await olena.press(welcome, button)
    communities = got.message
    if community not in communities.button_texts():
        async with olena.expect_message(lambda m: community in m.button_texts()) as got:
            await olena.press(communities, "Далее ▶")
        communities = got.message

    async with olena.expect_message(lambda m: menu_word in (m.text or "")) as got:
        await olena.press(communities, community)
    menu = got.message
    assert len(menu.button_texts()) == 10
    assert community in (olena.messages()[-2].text or "")


async def test_commands_are_registered_in_both_languages(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    calls = botapi.calls_of("setMyCommands")
    by_language = {call.get("language_code"): call["commands"] for call in calls}
    assert set(by_language) == {"uk", "ru", None}
    names = [c["command"] for c in by_language["uk"]]
    assert names == [
        "start",
        "help",
        "language",
        "community",
        "cancel",
        "privacy",
        "mydata",
        "forget",
        "clear",
    ]
    assert by_language["uk"][2]["description"] == "Змінити мову"
    assert by_language["ru"][2]["description"] == "Сменить язык"
