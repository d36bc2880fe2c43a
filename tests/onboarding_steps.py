"""Walking a test resident through onboarding, step by step."""

from __future__ import annotations

from collections.abc import Callable

from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage

LANGUAGE_PROMPT = "оберіть мову"
COMMUNITY_PROMPT = "Оберіть вашу громаду"
MENU = "Головне меню"


def has(text: str) -> Callable[[BotMessage], bool]:
    return lambda m: text in (m.text or "")


async def start(user: FakeUser, timeout: float = 10.0) -> BotMessage:  # noqa: ASYNC109
    async with user.expect_message(has(LANGUAGE_PROMPT), timeout=timeout) as got:
        await user.send_command("/start")
    return got.message


async def choose_ukrainian(
    user: FakeUser,
    welcome: BotMessage,
    timeout: float = 10.0,  # noqa: ASYNC109 - an upper bound per step
) -> BotMessage:
    async with user.expect_message(has(COMMUNITY_PROMPT), timeout=timeout) as got:
        await user.press(welcome, "Українська")
    return got.message


async def choose_community(
    user: FakeUser,
    page: BotMessage,
    name: str = "Дружківка",
    timeout: float = 10.0,  # noqa: ASYNC109 - an upper bound per step
) -> BotMessage:
    async with user.expect_message(has(MENU), timeout=timeout) as got:
        await user.press(page, name)
    return got.message


async def onboard(user: FakeUser, timeout: float = 10.0) -> BotMessage:  # noqa: ASYNC109
    """`timeout`: the upper bound of each step's wait (more when many people onboard at once
    on a loaded machine)."""
    welcome = await start(user, timeout)
    page = await choose_ukrainian(user, welcome, timeout)
    return await choose_community(user, page, timeout=timeout)


def chat_log(botapi: BotApiServer, chat_id: int) -> list[tuple[str, str]]:
    """(method, text) of every message the bot sent or edited in one chat, in call order."""
    return [
        (call.method, call.params.get("text") or "")
        for call in botapi.calls
        if call.method in {"sendMessage", "editMessageText"}
        and str(call.params.get("chat_id")) == str(chat_id)
    ]
