"""What the fake Telegram remembers: chats, their messages, pending updates, files, commands.

:class:`ApiState` is shared by the HTTP layer, the method handlers and the people acting in
tests.  Every change goes through :meth:`ChangeFeed.bump`, which wakes everybody waiting in
:meth:`ChangeFeed.wait_until` (long-polling ``getUpdates``, ``user.wait_for``...).  Messages are
stored as the JSON Telegram would send; :class:`BotMessage` is the read-only view tests get.
A group chat's :attr:`ChatState.members` holds ChatMember JSON per user id (the bot too; see
:mod:`bot.botapi.members`); :attr:`ChatState.migrated_to` is set once a group became a
supergroup.  Dates come from :attr:`ApiState.clock` (a
:class:`~bot.botapi.clock.ServerClock`), never from the wall clock directly.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .clock import ServerClock

__all__ = [
    "ApiError",
    "ApiState",
    "BotMessage",
    "Button",
    "ChangeFeed",
    "ChatState",
    "StoredFile",
    "StoredMessage",
]

T = TypeVar("T")
JSON = dict[str, Any]
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "my_chat_member",
        "inline_query",
        "chosen_inline_result",
    }
)


class ApiError(Exception):
    """A Bot API error answer; ``violation`` marks calls a correct bot must never make."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        violation: bool = False,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        reasons: list[str] | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.violation = violation
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id
        self.reasons = reasons or [description]

    def parameters(self) -> dict[str, int]:
        """The ResponseParameters of the answer (empty when there are none)."""
        found = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        return {key: value for key, value in found.items() if value is not None}


class ChangeFeed:
    """A version counter plus an event that fires on every change (no polling loops)."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> int:
        """Record a change and wake all waiters; return the new version."""
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()
        return self.version

    async def wait_until(self, check: Callable[[], T | None], within: float) -> T | None:
        """Re-run ``check`` after each change until it returns non-None or ``within`` seconds
        pass (then return None).  ``check`` may raise to end the wait early."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(within, 0.0)
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            event = self._event
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                pass


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as a person sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """The current version of a message the bot sent, as the chat shows it.

    ``protect_content`` mirrors ``raw["has_protected_content"]``; ``disable_notification`` is
    what the bot asked for (Telegram keeps it out of the Message; people would see a silent
    notification)."""

    message_id: int
    chat_id: int
    text: str | None
    caption: str | None
    buttons: list[list[Button]]
    raw: JSON
    edited: bool
    reply_keyboard: list[list[str]] = field(default_factory=list)
    protect_content: bool = False
    disable_notification: bool = False

    def button_texts(self) -> list[str]:
        """All inline button labels, row by row."""
        return [button.text for row in self.buttons for button in row]

    @property
    def content(self) -> str:
        """The text or the caption (whichever the message has), ``""`` if none."""
        return self.text or self.caption or ""


@dataclass
class StoredMessage:
    """A message in a chat, with its current content."""

    raw: JSON
    from_bot: bool
    changed_at: int
    deleted: bool = False
    edited: bool = False
    reply_keyboard: list[list[str]] = field(default_factory=list)
    disable_notification: bool = False

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    def view(self) -> BotMessage:
        """A snapshot of the current version (later edits do not change it)."""
        raw = copy.deepcopy(self.raw)
        rows = raw.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in rows
        ]
        return BotMessage(
            message_id=self.message_id,
            chat_id=int(raw["chat"]["id"]),
            text=raw.get("text"),
            caption=raw.get("caption"),
            buttons=buttons,
            raw=raw,
            edited=self.edited,
            reply_keyboard=[list(row) for row in self.reply_keyboard],
            protect_content=bool(raw.get("has_protected_content")),
            disable_notification=self.disable_notification,
        )


@dataclass
class ChatState:
    """A chat: its Chat JSON and the messages in it, in order.

    Private chats: ``blocked`` (by the person), ``started`` (the person wrote first),
    ``deactivated`` (the account was deleted).  Groups: ``members`` (user id -> ChatMember
    JSON, in joining order) and ``migrated_to`` (the supergroup's id after an upgrade)."""

    info: JSON
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    started: bool = True
    deactivated: bool = False
    members: dict[int, JSON] = field(default_factory=dict)
    migrated_to: int | None = None

    @property
    def chat_id(self) -> int:
        return int(self.info["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.info["type"] == "private")


@dataclass(frozen=True)
class StoredFile:
    """A file known to the server (uploaded by the bot or sent by a fake person)."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None


class ApiState:
    """All server-side state of the fake Telegram for one bot."""

    def __init__(
        self,
        bot_id: int,
        bot_username: str,
        first_name: str = "Hromada Test",
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.clock = clock if isinstance(clock, ServerClock) else ServerClock(clock or time.time)
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": bot_username,
        }
        self.feed = ChangeFeed()
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, JSON] = {bot_id: self.bot_user}  # User JSON of everyone known
        self.updates: list[JSON] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATES
        self.poll_generation = 0
        self.closing = False
        self.webhook: JSON = {}
        self.webhook_error: tuple[int, str] | None = None  # (date, message) of the last failure
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_queries: dict[str, JSON] = {}
        self.callback_answers: dict[str, JSON] = {}
        self._ids = itertools.count(1)

    # -- chats and messages ---------------------------------------------------------------
    def add_chat(self, info: JSON) -> ChatState:
        chat = ChatState(info=info)
        self.chats[chat.chat_id] = chat
        return chat

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    def now(self) -> int:
        """The server's time in whole Unix seconds (``Message.date``)."""
        return self.clock.timestamp()

    def add_message(self, chat: ChatState, sender: JSON, content: JSON) -> StoredMessage:
        """Store a new message from ``sender`` (the bot or a person) and announce it."""
        raw: JSON = {
            "message_id": chat.next_message_id,
            "from": dict(sender),
            "chat": dict(chat.info),
            "date": self.now(),
            **content,
        }
        chat.next_message_id += 1
        stored = StoredMessage(raw=raw, from_bot=sender["id"] == self.bot_user["id"], changed_at=0)
        chat.messages[stored.message_id] = stored
        self.touch(stored)
        return stored

    def touch(self, stored: StoredMessage) -> None:
        """Mark ``stored`` as changed now and wake waiters."""
        stored.changed_at = self.feed.bump()

    # -- updates --------------------------------------------------------------------------
    def enqueue_update(self, kind: str, payload: JSON) -> int:
        """Queue an update of ``kind`` (e.g. ``"message"``) for getUpdates; return its id."""
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.feed.bump()
        return update_id

    def confirm_updates(self, offset: int | None) -> None:
        """Forget updates before ``offset`` (negative: keep only the last ``-offset``)."""
        if offset is None:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending_updates(self) -> list[JSON]:
        """Updates getUpdates would return now; drops those of types not allowed."""
        self.updates = [u for u in self.updates if _update_kind(u) in self.allowed_updates]
        return self.updates

    # -- files and ids --------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def add_file(
        self,
        data: bytes,
        folder: str,
        extension: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Register file content; getFile and the file download URL serve it."""
        number = next(self._ids)
        stored = StoredFile(
            file_id=f"F{folder[:3].upper()}{number:06d}-{len(data)}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}.{extension.lstrip('.') or 'bin'}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored


def _update_kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")
