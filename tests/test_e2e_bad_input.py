"""Whatever a person sends at any step gets a clear, localized answer; nothing crashes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import (
    COMMUNITY_PROMPT,
    LANGUAGE_PROMPT,
    MENU,
    choose_ukrainian,
    has,
    onboard,
    start,
)
from tests.running_bot import bot_settings, feed, quiet_bot

pytestmark = pytest.mark.e2e

Act = Callable[[FakeUser], Awaitable[int]]

BAD_INPUT: dict[str, tuple[Act, str]] = {
    "sticker": (lambda u: u.send_sticker(), "оберіть одну з кнопок"),
    "photo": (lambda u: u.send_photo(caption="фото"), "оберіть одну з кнопок"),
    "voice": (lambda u: u.send_voice(), "оберіть одну з кнопок"),
    "5000 characters": (lambda u: u.send_text("я" * 5000), "оберіть одну з кнопок"),
    "html-like text": (lambda u: u.send_text("<b>&amp; <script>"), "оберіть одну з кнопок"),
    "unknown command": (lambda u: u.send_command("/frobnicate"), "не знаю такої команди"),
}


async def _expect_hint_then_prompt(user: FakeUser, act: Act, hint: str, prompt: str) -> None:
    async with user.expect_message(has(prompt)) as got:
        await act(user)
    texts = [m.text or "" for m in user.messages()[-2:]]
    assert hint in texts[0].lower(), texts
    assert got.message.buttons, "the step is asked again with its buttons"


@pytest.mark.parametrize("kind", BAD_INPUT)
async def test_at_the_language_step(botapi: BotApiServer, bot: HromadaApp, kind: str) -> None:
    user = botapi.user()
    welcome = await start(user)
    act, hint = BAD_INPUT[kind]
    await _expect_hint_then_prompt(user, act, hint, LANGUAGE_PROMPT)
    await choose_ukrainian(user, welcome)  # and the conversation goes on


@pytest.mark.parametrize("kind", BAD_INPUT)
async def test_at_the_community_step(botapi: BotApiServer, bot: HromadaApp, kind: str) -> None:
    user = botapi.user()
    page = await choose_ukrainian(user, await start(user))
    act, hint = BAD_INPUT[kind]
    await _expect_hint_then_prompt(user, act, hint, COMMUNITY_PROMPT)
    async with user.expect_message(has(MENU)):
        await user.press(user.last_message(), "Дружківка")
    assert "Дружківка" in (user.messages()[-2].text or "")
    assert page.message_id != user.last_message().message_id


@pytest.mark.parametrize("kind", BAD_INPUT)
async def test_at_the_main_menu(botapi: BotApiServer, bot: HromadaApp, kind: str) -> None:
    user = botapi.user()
    await onboard(user)
    act, hint = BAD_INPUT[kind]
    await _expect_hint_then_prompt(user, act, hint, MENU)


async def test_stale_language_button_after_moving_on(botapi: BotApiServer, bot: HromadaApp) -> None:
    user = botapi.user()
    first = await start(user)
    second = await start(user)  # two welcome messages on screen
    await choose_ukrainian(user, second)
    async with user.expect_message(has(COMMUNITY_PROMPT)) as got:
        await user.press(first, "Русский")  # an old button of a step already done
    answer = botapi.calls_of("answerCallbackQuery")[-1]
    assert "не діє" in answer["text"]
    assert "Оберіть вашу громаду" in (got.message.text or "")  # still Ukrainian, same step


@pytest.mark.parametrize(
    "data", ["com:999999", "com:abc", "com:", "page:77", "lang:en", "menu:ask", "zzz", "", "x" * 64]
)
async def test_forged_buttons_change_nothing(
    botapi: BotApiServer, bot: HromadaApp, data: str
) -> None:
    user = botapi.user()
    page = await choose_ukrainian(user, await start(user))
    answered = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await user.press_data(page, data)
    answer = await answered
    assert "не діє" in answer.params["text"] or "немає у списку" in answer.params["text"]
    # The step is unchanged: a real community still completes onboarding.
    async with user.expect_message(has(MENU)):
        await user.press(user.last_message(), "Дружківка")


async def test_double_press_of_a_community(botapi: BotApiServer, database_url: str) -> None:
    user = botapi.user()
    async with quiet_bot(bot_settings(botapi, database_url)) as app:
        await user.send_command("/start")
        await feed(app, botapi)
        await user.press(user.last_message(), "Українська")
        await feed(app, botapi)
        page = user.last_message()
        assert COMMUNITY_PROMPT in (page.text or "")
        await user.press(page, "Дружківка")
        await user.press_data(page, user_button_data(page, "Дружківка"))
        await feed(app, botapi)  # both presses fully processed, every reply sent
    # The second press is answered as stale and leaves one menu, not two flows.
    answers = [a.get("text", "") for a in botapi.calls_of("answerCallbackQuery")]
    assert "не діє" in answers[-1] and "не діє" not in answers[-2]
    menus = [m for m in user.messages() if MENU in (m.text or "")]
    assert len(menus) == 1, user.history()


def user_button_data(message: object, label: str) -> str:
    for row in message.buttons:  # type: ignore[attr-defined]
        for button in row:
            if button.text == label:
                return str(button.callback_data)
    raise AssertionError(label)


async def test_cancel_in_every_state(botapi: BotApiServer, bot: HromadaApp) -> None:
    user = botapi.user()
    await start(user)
    async with user.expect_message(has("Щоб почати")):
        await user.send_command("/cancel")
    assert "Скасовано" in (user.messages()[-2].text or "")
    page = await choose_ukrainian(user, await start(user))
    async with user.expect_message(has("Щоб почати")):
        await user.send_command("/cancel")
    async with user.expect_message(has("Щоб почати")):
        await user.press(page, "Дружківка")  # the cancelled step's button: stale now
    await onboard(user)
    async with user.expect_message(has(MENU)):
        await user.send_command("/cancel")
    assert "Немає чого скасовувати" in (user.messages()[-2].text or "")
