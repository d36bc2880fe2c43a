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


async def start(user: FakeUser) -> BotMessage:
    async with user.expect_message(has(LANGUAGE_PROMPT)) as got:
        await user.send_command("/start")
    return got.message


async def choose_ukrainian(user: FakeUser, welcome: BotMessage) -> BotMessage:
    async with user.expect_message(has(COMMUNITY_PROMPT)) as got:
        await user.press(welcome, "Українська")
    return got.message


async def choose_community(user: FakeUser, page: BotMessage, name: str = "Дружківка") -> BotMessage:
    async with user.expect_message(has(MENU)) as got:
        await user.press(page, name)
    return got.message


async def onboard(user: FakeUser) -> BotMessage:
    return await choose_community(user, await choose_ukrainian(user, await start(user)))


def chat_log(botapi: BotApiServer, chat_id: int) -> list[tuple[str, str]]:
    """(method, text) of every message the bot sent or edited in one chat, in call order."""
    return [
        (call.method, call.params.get("text") or "")
        for call in botapi.calls
        if call.method in {"sendMessage", "editMessageText"}
        and str(call.params.get("chat_id")) == str(chat_id)
    ]
