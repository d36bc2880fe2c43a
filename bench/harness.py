"""The driver side: the local Bot API server plus scripted people, with O(1) reply watching.

:class:`BenchServer` is :class:`bot.botapi.server.BotApiServer` whose state also tells a
waiting person, directly, when the bot sends or edits a message in their chat.  The test
helpers (``user.expect_message``) wake *every* waiter on every change of the server, which is
right for a test with a few people and quadratic for a thousand of them: the harness would
measure itself.  Here each change costs one dict lookup.

An :class:`Exchange` is one update and the reply it caused: when the update was queued for
``getUpdates`` and when the server applied the bot's matching ``sendMessage`` or edit.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import ApiState, BotMessage, StoredMessage

__all__ = [
    "ERROR_REPLY",
    "BenchServer",
    "BotErrorReply",
    "Exchange",
    "RawPredicate",
    "ReplyWatchingState",
    "echo_chat",
    "exchange",
    "has_button",
    "onboard_resident",
    "text_contains",
]

JSON = dict[str, Any]
RawPredicate = Callable[[JSON], bool]

LANGUAGE_BUTTON = "Українська"
COMMUNITY_PROMPT = "Оберіть вашу громаду"
COMMUNITY_BUTTON = "Дружківка"
MENU = "Головне меню"
ERROR_REPLY = "щось пішло не так"  # "Вибачте, у нас щось пішло не так..." (pipeline failure)


class BotErrorReply(Exception):
    """The bot answered a step with its error message instead of the expected reply."""


class Reply(NamedTuple):
    """A bot message that satisfied a watch, and when the server applied it."""

    at: float
    message: BotMessage


@dataclass
class _Watch:
    predicate: RawPredicate
    future: asyncio.Future[Reply]


class ReplyWatchingState(ApiState):
    """:class:`ApiState` that resolves one pending watch per chat when a bot message in that
    chat (new or edited, not deleted) satisfies the watch's predicate."""

    def __init__(self, bot_id: int, bot_username: str) -> None:
        super().__init__(bot_id, bot_username)
        self._watches: dict[int, _Watch] = {}
        self.last_progress = time.monotonic()  # when a watch was last satisfied
        self.error_reply: RawPredicate | None = None  # the bot's "something went wrong"
        self._failure: BaseException | None = None

    def watch(self, chat_id: int, predicate: RawPredicate) -> asyncio.Future[Reply]:
        """Start watching ``chat_id``; the future gets the first matching bot message."""
        if self._failure is not None:
            raise self._failure
        if chat_id in self._watches:
            raise RuntimeError(f"chat {chat_id} is already watched")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._watches[chat_id] = _Watch(predicate, future)
        return future

    def unwatch(self, chat_id: int) -> None:
        self._watches.pop(chat_id, None)

    def fail_all(self, error: BaseException) -> None:
        """End every pending and future watch with ``error`` (e.g. the bot process died)."""
        self._failure = error
        for pending in self._watches.values():
            if not pending.future.done():
                pending.future.set_exception(error)

    def touch(self, stored: StoredMessage) -> None:
        super().touch(stored)
        if not stored.from_bot or stored.deleted:
            return
        pending = self._watches.get(int(stored.raw["chat"]["id"]))
        if pending is None or pending.future.done():
            return
        if pending.predicate(stored.raw):
            pending.future.set_result(Reply(time.perf_counter(), stored.view()))
            self.last_progress = time.monotonic()
        elif self.error_reply is not None and self.error_reply(stored.raw):
            text = str(stored.raw.get("text", ""))[:100]
            pending.future.set_exception(BotErrorReply(f"the bot answered {text!r}"))


class BenchServer(BotApiServer):
    """The test Bot API server with a :class:`ReplyWatchingState`."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.replies = ReplyWatchingState(
            int(self.state.bot_user["id"]), str(self.state.bot_user["username"])
        )
        self.state = self.replies


class Exchange(NamedTuple):
    """One update and the reply it caused (``perf_counter`` seconds)."""

    sent: float
    replied: float
    message: BotMessage

    @property
    def latency(self) -> float:
        return self.replied - self.sent


async def exchange(
    server: BenchServer,
    user: FakeUser,
    act: Callable[[], Awaitable[int]],
    expected: RawPredicate,
) -> Exchange:
    """Queue one update with ``act`` and wait for the bot's reply matching ``expected``."""
    future = server.replies.watch(user.id, expected)
    try:
        sent = time.perf_counter()
        await act()
        reply = await future
    finally:
        server.replies.unwatch(user.id)
    return Exchange(sent, reply.at, reply.message)


def text_contains(fragment: str) -> RawPredicate:
    return lambda raw: fragment in str(raw.get("text", ""))


def text_equals(text: str) -> RawPredicate:
    return lambda raw: raw.get("text") == text


def has_button(label: str) -> RawPredicate:
    def check(raw: JSON) -> bool:
        rows = raw.get("reply_markup", {}).get("inline_keyboard", [])
        return any(button.get("text") == label for row in rows for button in row)

    return check


def both(first: RawPredicate, second: RawPredicate) -> RawPredicate:
    return lambda raw: first(raw) and second(raw)


async def onboard_resident(server: BenchServer, user: FakeUser) -> list[Exchange]:
    """/start -> "Українська" -> "Дружківка"; the last reply waited for is the main menu."""
    welcome = await exchange(
        server,
        user,
        functools.partial(user.send_command, "/start"),
        has_button(LANGUAGE_BUTTON),
    )
    communities = await exchange(
        server,
        user,
        functools.partial(user.press, welcome.message, LANGUAGE_BUTTON),
        both(text_contains(COMMUNITY_PROMPT), has_button(COMMUNITY_BUTTON)),
    )
    menu = await exchange(
        server,
        user,
        functools.partial(user.press, communities.message, COMMUNITY_BUTTON),
        text_contains(MENU),
    )
    return [welcome, communities, menu]


async def echo_chat(server: BenchServer, user: FakeUser, texts: int = 3) -> list[Exchange]:
    """Send ``texts`` different texts, each after the echo of the previous one arrived."""
    done: list[Exchange] = []
    for number in range(texts):
        text = f"echo {user.id} #{number}"
        done.append(
            await exchange(server, user, functools.partial(user.send_text, text), text_equals(text))
        )
    return done
