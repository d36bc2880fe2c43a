"""What kind of thing a person sent, in the words the router and the hints use."""

from __future__ import annotations

from enum import Enum

from telegram import Message


class Content(Enum):
    TEXT = "text"
    COMMAND = "command"
    PHOTO = "photo"
    OTHER = "other"  # stickers, voice, video, documents, locations, contacts, ...


def classify(message: Message) -> Content:
    if message.text is not None:
        if message.text.startswith("/"):
            return Content.COMMAND
        return Content.TEXT
    if message.photo:
        return Content.PHOTO
    return Content.OTHER


def command_name(message: Message, bot_username: str) -> str | None:
    """`/start@OurBot payload` gives "start"; a command addressed to another bot gives None."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    head = text.split(maxsplit=1)[0][1:]
    name, _, addressee = head.partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


def command_args(message: Message) -> str:
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
