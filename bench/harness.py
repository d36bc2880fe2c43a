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
    "CARD_BUTTON",
    "ERROR_REPLY",
    "BenchServer",
    "BotErrorReply",
    "Exchange",
    "RawPredicate",
    "ReplyWatchingState",
    "answered_exchange",
    "both",
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
CARD_BUTTON = "Взяти в роботу"  # a new request's card for a moderator ("claim")


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
        self.satisfied = 0  # watches satisfied so far
        self.error_reply: RawPredicate | None = None  # the bot's "something went wrong"
        self._failure: BaseException | None = None
        # answerCallbackQuery watches (by the pressing user), and moderators' new cards.
        self._answer_watches: dict[int, asyncio.Future[Reply]] = {}
        self._later: dict[int, _Watch] = {}  # a second watch per chat, beside the step's
        self.callback_answers = _AnswerLog(self)
        self.cards: dict[int, asyncio.Queue[BotMessage]] = {}
        self._cards_seen: set[tuple[int, int]] = set()

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

    def watch_later(self, chat_id: int, predicate: RawPredicate) -> asyncio.Future[Reply]:
        """Watch ``chat_id`` for a message that comes later, beside the steps' watches
        (e.g. a request's answer, sent while the resident goes on)."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._later[chat_id] = _Watch(predicate, future)
        return future

    def watch_answer(self, user_id: int) -> asyncio.Future[Reply]:
        """The next answerCallbackQuery of a callback query pressed by ``user_id``."""
        if self._failure is not None:
            raise self._failure
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._answer_watches[user_id] = future
        return future

    def answered(self, query_id: str) -> None:
        query = self.callback_queries.get(query_id)
        if query is None:
            return
        future = self._answer_watches.pop(int(query["from"]["id"]), None)
        if future is not None and not future.done():
            chat = self.chats[int(query["message"]["chat"]["id"])]
            stored = chat.messages[int(query["message"]["message_id"])]
            future.set_result(Reply(time.perf_counter(), stored.view()))
            self.last_progress = time.monotonic()
            self.satisfied += 1

    def fail_all(self, error: BaseException) -> None:
        """End every pending and future watch with ``error`` (e.g. the bot process died)."""
        self._failure = error
        for pending in self._watches.values():
            if not pending.future.done():
                pending.future.set_exception(error)
        for future in [*self._answer_watches.values(), *(w.future for w in self._later.values())]:
            if not future.done():
                future.set_exception(error)

    def touch(self, stored: StoredMessage) -> None:
        super().touch(stored)
        if not stored.from_bot or stored.deleted:
            return
        chat_id = int(stored.raw["chat"]["id"])
        cards = self.cards.get(chat_id)
        if cards is not None and has_button(CARD_BUTTON)(stored.raw):
            key = (chat_id, int(stored.raw["message_id"]))
            if key not in self._cards_seen:  # new, not an edit of a card already queued
                self._cards_seen.add(key)
                cards.put_nowait(stored.view())
        later = self._later.get(chat_id)
        if later is not None and not later.future.done() and later.predicate(stored.raw):
            del self._later[chat_id]
            later.future.set_result(Reply(time.perf_counter(), stored.view()))
        pending = self._watches.get(chat_id)
        if pending is None or pending.future.done():
            return
        if pending.predicate(stored.raw):
            pending.future.set_result(Reply(time.perf_counter(), stored.view()))
            self.last_progress = time.monotonic()
            self.satisfied += 1
        elif self.error_reply is not None and self.error_reply(stored.raw):
            text = str(stored.raw.get("text", ""))[:100]
            pending.future.set_exception(BotErrorReply(f"the bot answered {text!r}"))


class _AnswerLog(dict[str, JSON]):
    """``ApiState.callback_answers`` that tells the state of each answer as it is stored."""

    def __init__(self, state: ReplyWatchingState) -> None:
        super().__init__()
        self._state = state

    def __setitem__(self, query_id: str, params: JSON) -> None:
        super().__setitem__(query_id, params)
        self._state.answered(query_id)


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


async def answered_exchange(
    server: BenchServer, user: FakeUser, act: Callable[[], Awaitable[int]]
) -> Exchange:
    """Queue a button press with ``act``; wait for the bot's answerCallbackQuery to it."""
    future = server.replies.watch_answer(user.id)
    sent = time.perf_counter()
    await act()
    reply = await future
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


async def onboard_resident(
    server: BenchServer, user: FakeUser, community: str = COMMUNITY_BUTTON
) -> list[Exchange]:
    """/start -> "Українська" -> "Дружківка" (or ``community``, a name on the list's first
    page); the last reply waited for is the main menu."""
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
        both(text_contains(COMMUNITY_PROMPT), has_button(community)),
    )
    menu = await exchange(
        server,
        user,
        functools.partial(user.press, communities.message, community),
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
