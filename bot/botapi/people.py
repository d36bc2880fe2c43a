"""People and groups acting on the fake Telegram, and reading what the bot showed them.

Create them with ``server.user(...)`` / ``server.group(...)`` (groups: :mod:`.groups`).  A
:class:`FakeUser` writes (``send_text``, ``send_command``, ``send_photo``...; in a group with
``chat=group``), presses inline buttons (``press`` finds the button by its exact label on the
*current* message, in their private chat or a group; ``press_data`` sends any data, for
attack tests), can block the bot (``block_bot``/``unblock_bot``) and can delete their account
(``deactivate``: every send to them then gets ``403 Forbidden: user is deactivated``).  Each
action queues an update and returns its update_id (in a group the bot is not in, the message
is kept in the chat but no update is queued; the id is then 0).

Reading: ``messages()`` is the bot's visible messages in the chat (edits applied, deleted ones
left out), ``last_message()`` the newest one.  Waiting without sleeps or races:

* ``await user.wait_for(pred)`` - the first bot message sent or edited *after the call
  started* that satisfies ``pred`` (any one when ``pred`` is None); ``wait_for_text(s)``.
* ``async with user.expect_message(pred) as got: await user.send_text("hi")`` then
  ``got.message`` - the baseline is taken on entering the block, so a reply that comes before
  the waiting starts is still caught.  Prefer this form right after acting.

On timeout an AssertionError shows the chat's recent history.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .api_messages import photo_sizes
from .formatting import utf16_len
from .groups import FakeGroup
from .members import admit, bot_present, member_updated, simple_member
from .state import BotMessage, ChatState, StoredMessage
from .views import ChatView, ExpectMessage

if TYPE_CHECKING:
    from .server import BotApiServer

__all__ = ["ChatView", "ExpectMessage", "FakeGroup", "FakeUser"]

JSON = dict[str, Any]


class FakeUser(ChatView):
    """A person; their private chat with the bot has the id of the user."""

    def __init__(self, server: BotApiServer, user: JSON, chat: ChatState) -> None:
        super().__init__(server, chat)
        self.user = user

    @property
    def id(self) -> int:
        return int(self.user["id"])

    # -- writing ------------------------------------------------------------------------------
    async def _write(self, content: JSON, chat: ChatView | None) -> int:
        target = (chat or self).chat
        if target.is_private and target.chat_id != self.id:
            raise AssertionError(f"user {self.id} cannot write in another user's chat")
        if target.is_private and target.blocked:
            raise AssertionError(f"user {self.id} blocked the bot; call unblock_bot() first")
        if target.is_private and target.deactivated:
            raise AssertionError(f"user {self.id} deleted their account")
        if not target.is_private:
            admit(target, self.user)
        target.started = True
        state = self.server.state
        stored = state.add_message(target, self.user, content)
        if not bot_present(state, target):
            return 0
        return state.enqueue_update("message", copy.deepcopy(stored.raw))

    async def send_text(
        self, text: str, chat: ChatView | None = None, *, reply_to: BotMessage | None = None
    ) -> int:
        """Write ``text`` (optionally as a reply to a bot message)."""
        content: JSON = {"text": text}
        if reply_to is not None:
            content["reply_to_message"] = copy.deepcopy(reply_to.raw)
        return await self._write(content, chat)

    async def send_command(self, command: str, chat: ChatView | None = None) -> int:
        """Write a command like ``"/start abc"`` with its ``bot_command`` entity."""
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        length = utf16_len(command.split(maxsplit=1)[0])
        entity = {"type": "bot_command", "offset": 0, "length": length}
        return await self._write({"text": command, "entities": [entity]}, chat)

    async def send_sticker(self, emoji: str = "👍", chat: ChatView | None = None) -> int:
        sticker = self._file(b"RIFF-sticker", "stickers", "webp")
        sticker.update(
            type="regular", width=512, height=512, is_animated=False, is_video=False, emoji=emoji
        )
        return await self._write({"sticker": sticker}, chat)

    async def send_photo(
        self,
        caption: str | None = None,
        chat: ChatView | None = None,
        *,
        data: bytes = b"\xff\xd8jpeg",
    ) -> int:
        """Send a photo (``data``: its JPEG bytes, as the sandbox's upload gives them)."""
        state = self.server.state
        content: JSON = {"photo": photo_sizes(state, state.add_file(data, "photos", "jpg"))}
        if caption is not None:
            content["caption"] = caption
        return await self._write(content, chat)

    async def send_document(
        self,
        file_name: str = "a.pdf",
        chat: ChatView | None = None,
        *,
        data: bytes = b"%PDF-1.4 test document",
        mime_type: str = "application/pdf",
    ) -> int:
        document = self._file(data, "documents", file_name.rpartition(".")[2])
        document.update(file_name=file_name, mime_type=mime_type)
        return await self._write({"document": document}, chat)

    async def send_contact(
        self, phone_number: str = "+380501234567", chat: ChatView | None = None
    ) -> int:
        contact = {
            "phone_number": phone_number,
            "first_name": self.user["first_name"],
            "user_id": self.id,
        }
        return await self._write({"contact": contact}, chat)

    async def send_location(
        self,
        latitude: float = 50.4501,
        longitude: float = 30.5234,
        chat: ChatView | None = None,
    ) -> int:
        return await self._write({"location": {"latitude": latitude, "longitude": longitude}}, chat)

    async def send_voice(self, duration: int = 3, chat: ChatView | None = None) -> int:
        voice = self._file(b"OggS-voice", "voice", "oga")
        voice.update(duration=duration, mime_type="audio/ogg")
        return await self._write({"voice": voice}, chat)

    def _file(self, data: bytes, folder: str, extension: str) -> JSON:
        stored = self.server.state.add_file(data, folder, extension)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
        }

    # -- buttons ------------------------------------------------------------------------------
    async def press(self, message: BotMessage, button_text: str) -> int:
        """Press the inline button labelled exactly ``button_text`` on ``message`` as it is
        now; AssertionError if the message is gone or has no such button."""
        stored = self._stored(message)
        if stored is None or stored.deleted:
            raise AssertionError(f"message {message.message_id} is not visible in the chat")
        current = stored.view()
        for button in (b for row in current.buttons for b in row):
            if button.text == button_text:
                if button.callback_data is None:
                    raise AssertionError(f"button {button_text!r} is not a callback button")
                return self._callback(stored.raw, button.callback_data)
        raise AssertionError(
            f"no button {button_text!r} on message {message.message_id};"
            f" buttons: {current.button_texts()}"
        )

    def press_at(self, chat: ChatView, message_id: int, row: int, column: int) -> str:
        """Press the callback button at ``row``/``column`` of a bot message as it is now
        (labels need not be unique); returns the callback query's id."""
        stored = chat.chat.messages.get(message_id)
        if stored is None or stored.deleted or not stored.from_bot:
            raise AssertionError(f"message {message_id} is not a visible bot message")
        self._stored(stored.view())
        buttons = stored.view().buttons
        if not (0 <= row < len(buttons) and 0 <= column < len(buttons[row])):
            raise AssertionError(f"no button at {row},{column} on message {message_id}")
        data = buttons[row][column].callback_data
        if data is None:
            raise AssertionError(f"button at {row},{column} is not a callback button")
        return self._queue_callback(stored.raw, data)[0]

    async def press_data(self, message: BotMessage, data: str) -> int:
        """Send a callback query with arbitrary (forged or stale) ``data`` for ``message``."""
        stored = self._stored(message)
        return self._callback(stored.raw if stored else message.raw, data)

    def _stored(self, message: BotMessage) -> StoredMessage | None:
        chat = self.server.state.chats.get(message.chat_id)
        if chat is None or (chat.is_private and chat.chat_id != self.id):
            raise AssertionError(f"user {self.id} cannot see chat {message.chat_id}")
        if not chat.is_private:
            admit(chat, self.user)
        stored = chat.messages.get(message.message_id)
        if stored is not None and not stored.from_bot:
            raise AssertionError(f"message {message.message_id} was not sent by the bot")
        return stored

    def _callback(self, raw: JSON, data: str) -> int:
        return self._queue_callback(raw, data)[1]

    def _queue_callback(self, raw: JSON, data: str) -> tuple[str, int]:
        """Queue a callback query; its id and the update's."""
        state = self.server.state
        query: JSON = {
            "id": state.new_id("4200"),
            "from": dict(self.user),
            "message": copy.deepcopy(raw),
            "chat_instance": str(abs(int(raw["chat"]["id"])) * 7919 + 17),
            "data": data,
        }
        state.callback_queries[query["id"]] = query
        return query["id"], state.enqueue_update("callback_query", copy.deepcopy(query))

    # -- blocking -----------------------------------------------------------------------------
    async def block_bot(self) -> int:
        """Block the bot: sends to this chat get 403; the bot gets a my_chat_member update."""
        self.chat.blocked = True
        return self._member_update("member", "kicked")

    async def unblock_bot(self) -> int:
        self.chat.blocked = False
        return self._member_update("kicked", "member")

    async def deactivate(self) -> None:
        """Delete the account: sends to this person get ``403 Forbidden: user is
        deactivated``, as Telegram answers (the bot is not told otherwise)."""
        self.chat.deactivated = True

    def _member_update(self, old: str, new: str) -> int:
        state = self.server.state
        bot = state.bot_user
        update = member_updated(
            self.chat, self.user, state.now(), simple_member(bot, old), simple_member(bot, new)
        )
        return state.enqueue_update("my_chat_member", update)
