"""Replies to the person who acted, collected during the update and sent after the commit.

Nothing reaches Telegram before the update's transaction has committed, so a person never
sees an answer for something that was then rolled back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError

from storage.scrub import scrub_error

log = logging.getLogger(__name__)

# Network errors and timeouts: a few quick retries, because the update is already committed
# and its answer should still arrive (a timed-out send may at worst arrive twice).
RETRY_DELAYS = (0.5, 1.0, 2.0)


@dataclass
class _Send:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None


@dataclass
class _Photo:
    chat_id: int
    file_id: str
    caption: str = ""


@dataclass
class _Document:
    chat_id: int
    filename: str
    data: bytes
    caption: str


@dataclass
class _Delete:
    chat_id: int
    message_ids: list[int]


@dataclass
class _Edit:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None


@dataclass
class _Answer:
    callback_query_id: str
    text: str | None
    alert: bool


_Action = _Send | _Edit | _Photo | _Document | _Delete


class Unreachable(Exception):
    """Telegram refused to deliver to this chat (the person blocked the bot)."""


class Replies:
    def __init__(
        self,
        chat_id: int,
        callback_query_id: str | None = None,
        pressed_message_id: int | None = None,
        *,
        private_chat_id: int | None = None,
    ) -> None:
        self.chat_id = chat_id
        self.private_chat_id = private_chat_id if private_chat_id is not None else chat_id
        self._callback_query_id = callback_query_id
        self._pressed_message_id = pressed_message_id
        self._actions: list[_Action] = []
        self._answer: _Answer | None = None
        # The messages the replies made (chat id, message id), for "Clear this chat";
        # `keep_no_ids()` once the person is erased.
        self.made: list[tuple[int, int]] = []
        self.keep_ids = True

    def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        self._actions.append(_Send(self.chat_id, text, markup))

    def send_private(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """To the person who acted, in their private chat (also when they acted in a group)."""
        self._actions.append(_Send(self.private_chat_id, text, markup))

    def photo_private(self, file_id: str, caption: str = "") -> None:
        self._actions.append(_Photo(self.private_chat_id, file_id, caption))

    def document_private(self, filename: str, data: bytes, caption: str = "") -> None:
        """A file to the person who acted, in their private chat."""
        self._actions.append(_Document(self.private_chat_id, filename, data, caption))

    def delete_private(self, message_ids: list[int]) -> None:
        """Delete these messages of the person's private chat (those Telegram still lets
        the bot delete; the others are skipped)."""
        for start in range(0, len(message_ids), 100):  # deleteMessages takes 1..100
            chunk = message_ids[start : start + 100]
            self._actions.append(_Delete(self.private_chat_id, chunk))

    def keep_no_ids(self) -> None:
        """Record none of the messages these replies make (the person was just erased)."""
        self.keep_ids = False

    def edit(self, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace a message of ours; falls back to a new message if it cannot be edited."""
        self._actions.append(_Edit(self.chat_id, message_id, text, markup))

    def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """A step's screen: replaces the message whose button was pressed, else a new one."""
        if self._pressed_message_id is not None:
            self.edit(self._pressed_message_id, text, markup)
        else:
            self.send(text, markup)

    def notice(self, text: str | None = None, *, alert: bool = False) -> None:
        """The small answer to a button press (a toast, or a pop-up with `alert`)."""
        if self._callback_query_id is not None:
            self._answer = _Answer(self._callback_query_id, text, alert)

    def mark(self) -> int:
        """Where the replies queued from now on begin (for `stamp`)."""
        return len(self._actions)

    def stamp(self, since: int, suffix: str) -> None:
        """Append `suffix` to the data of every button queued since `mark()` returned
        `since` (a step's token, `handlers/core/router.py`); a button whose data would then
        exceed Telegram's 64 bytes keeps its data."""
        for action in self._actions[since:]:
            if isinstance(action, _Send | _Edit) and action.markup is not None:
                action.markup = _stamped(action.markup, suffix)

    def discard(self) -> None:
        self._actions.clear()
        self._answer = None

    async def flush(self, bot: Bot) -> None:
        """Send everything; a button press is always answered so its spinner stops.

        Raises Unreachable when the person blocked the bot.
        """
        try:
            if self._callback_query_id is not None:
                answer = self._answer or _Answer(self._callback_query_id, None, False)
                await _retrying(partial(_answer, bot, answer))
            for action in self._actions:
                try:
                    made = await _retrying(partial(_perform, bot, action))
                    if isinstance(made, Message) and self.keep_ids:
                        self.made.append((made.chat.id, made.message_id))
                except BadRequest as exc:  # a bug of ours; the other replies still go out
                    log.error("reply refused by Telegram: %s", scrub_error(exc.message))
        except Forbidden as exc:
            raise Unreachable from exc
        finally:
            self.discard()


def _stamped(markup: InlineKeyboardMarkup, suffix: str) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        rows.append([])
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and len((data + suffix).encode()) <= 64:
                button = InlineKeyboardButton(button.text, callback_data=data + suffix)
            rows[-1].append(button)
    return InlineKeyboardMarkup(rows)


async def _retrying(call: Callable[[], Awaitable[object]]) -> object:
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except BadRequest:  # a subclass of NetworkError, but retrying cannot help
            raise
        except NetworkError as exc:  # includes TimedOut; not Forbidden
            log.warning("Telegram unreachable (%s); retrying in %.1fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
    return await call()


async def _perform(bot: Bot, action: _Action) -> object:
    """One reply; returns the message it made, if it made one."""
    if isinstance(action, _Photo):
        return await bot.send_photo(action.chat_id, action.file_id, caption=action.caption or None)
    if isinstance(action, _Edit):
        return await _edit_or_send(bot, action)
    if isinstance(action, _Document):
        document = InputFile(action.data, filename=action.filename)
        return await bot.send_document(
            action.chat_id, document, caption=action.caption or None, parse_mode=ParseMode.HTML
        )
    if isinstance(action, _Delete):
        return await bot.delete_messages(action.chat_id, action.message_ids)
    return await _send(bot, action.chat_id, action.text, action.markup)


async def _answer(bot: Bot, answer: _Answer) -> None:
    try:
        await bot.answer_callback_query(
            answer.callback_query_id, text=answer.text, show_alert=answer.alert
        )
    except BadRequest as exc:
        # "query is too old": the press is 15 minutes old; the messages below still go out.
        log.info("callback answer refused: %s", scrub_error(exc.message))


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> Message:
    return await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _edit_or_send(bot: Bot, action: _Edit) -> Message | None:
    try:
        await bot.edit_message_text(
            action.text,
            chat_id=action.chat_id,
            message_id=action.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=action.markup,
        )
    except BadRequest as exc:
        if "not modified" in exc.message:
            return None
        log.info("edit refused (%s); sending a new message", scrub_error(exc.message))
        return await _send(bot, action.chat_id, action.text, action.markup)
    return None  # an edited message is already kept
