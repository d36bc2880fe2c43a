"""A person editing what they sent: Telegram then sends an ``edited_message`` update.

    message_id = sent_by(user)[-1]
    await edit_text(user, message_id, "the corrected text")

The message keeps its id and date; its text (or a photo's caption) is replaced, ``edit_date``
is set from the server's clock, and an ``edited_message`` update carries the whole message
as it is now (as Telegram does). Only the person who wrote a message can edit it, and only
in their private chat with the bot.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .people import FakeUser

__all__ = ["edit_text", "sent_by"]


def sent_by(user: FakeUser) -> list[int]:
    """The ids of the messages ``user`` wrote in their private chat, oldest first."""
    return sorted(
        stored.message_id
        for stored in user.chat.messages.values()
        if not stored.from_bot and stored.raw.get("from", {}).get("id") == user.id
    )


async def edit_text(user: FakeUser, message_id: int, text: str) -> int:
    """Replace the text (or the caption) of ``user``'s message ``message_id``; returns the id
    of the ``edited_message`` update."""
    stored = user.chat.messages.get(message_id)
    if stored is None or stored.from_bot or stored.raw.get("from", {}).get("id") != user.id:
        raise AssertionError(f"message {message_id} was not written by user {user.id}")
    if not text:
        raise ValueError("Telegram does not let a message be edited to nothing")
    state = user.server.state
    field = "caption" if "caption" in stored.raw or "photo" in stored.raw else "text"
    stored.raw[field] = text
    stored.raw.pop("entities", None)
    stored.raw["edit_date"] = state.now()
    state.touch(stored)
    return state.enqueue_update("edited_message", copy.deepcopy(stored.raw))
