"""Handlers of the Bot API methods that send, copy, edit and delete messages.

Each handler gets the :class:`~bot.botapi.state.ApiState` and the already validated
parameters, applies the call, and returns the ``result`` Telegram would send; refusals are
raised as :class:`~bot.botapi.state.ApiError` with Telegram's wording.  Only an inline
keyboard is part of the returned Message JSON (as on Telegram); a reply keyboard is kept on
the stored message for tests to read.

``protect_content`` becomes ``has_protected_content`` on the Message (such a message cannot
be forwarded or copied: ``400 message can't be forwarded`` / ``... copied``);
``disable_notification`` is kept on the stored message (:attr:`BotMessage.disable_notification`).
Sending, editing and deleting in a group pass :func:`~bot.botapi.members.check_bot_in_chat`
(migrated group: 400 with ``migrate_to_chat_id``; bot not in it: 403).  deleteMessage follows
Telegram's rules by the server clock: a message older than 48 hours cannot be deleted
(``message can't be deleted for everyone`` in a private chat, ``message can't be deleted`` in a
group), and in a group the bot deletes others' messages only as an administrator (in a
supergroup: with ``can_delete_messages``).
"""

from __future__ import annotations

import contextlib
import copy
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from .formatting import parse_formatted
from .members import check_bot_in_chat
from .spec import Upload
from .state import ApiError, ApiState, ChatState, StoredFile, StoredMessage

__all__ = ["MESSAGE_METHODS", "photo_sizes", "resolve_chat", "sending_chat"]

JSON = dict[str, Any]
Handler = Callable[[ApiState, JSON], Awaitable[Any]]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
_COPYABLE = (
    "text",
    "entities",
    "photo",
    "document",
    "sticker",
    "voice",
    "contact",
    "location",
    "caption",
    "caption_entities",
)
_MEDIA = ("photo", "document", "sticker", "voice")
DELETE_WINDOW = 48 * 3600


def resolve_chat(state: ApiState, chat_id: Any) -> ChatState:
    """The chat ``chat_id`` (an id or ``@username``) or ``400 chat not found``."""
    chat: ChatState | None = None
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        name = chat_id[1:].lower()
        chat = next(
            (c for c in state.chats.values() if str(c.info.get("username", "")).lower() == name),
            None,
        )
    elif isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.lstrip("-").isdigit()):
        chat = state.chats.get(int(chat_id))
    if chat is None:
        raise ApiError(400, "Bad Request: chat not found")
    return chat


def sending_chat(state: ApiState, chat_id: Any) -> ChatState:
    """Like :func:`resolve_chat`, but refuses chats where the bot may not write: a deleted
    account, a person who blocked the bot or never wrote, a group the bot is not in."""
    chat = resolve_chat(state, chat_id)
    check_bot_in_chat(chat, state.bot_id)
    if chat.is_private and chat.deactivated:
        raise ApiError(403, "Forbidden: user is deactivated")
    if chat.is_private and chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if chat.is_private and not chat.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    return chat


def _formatted(params: JSON, key: str, entities_key: str) -> JSON:
    parsed = parse_formatted(params[key], params.get("parse_mode"), params.get(entities_key))
    content: JSON = {key: parsed.text}
    if parsed.entities:
        content[entities_key] = parsed.entities
    return content


def _inline_markup(params: JSON) -> JSON | None:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _store(state: ApiState, chat: ChatState, params: JSON, content: JSON) -> StoredMessage:
    """Store a bot message with ``protect_content`` and ``disable_notification`` applied."""
    if params.get("protect_content"):
        content["has_protected_content"] = True
    stored = state.add_message(chat, state.bot_user, content)
    stored.disable_notification = bool(params.get("disable_notification"))
    return stored


def _deliver(state: ApiState, chat: ChatState, params: JSON, content: JSON) -> StoredMessage:
    """Store a bot message with reply parameters, markup and send options applied."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        source = resolve_chat(state, reply.get("chat_id", chat.chat_id))
        target = source.messages.get(reply["message_id"])
        if target is not None and not target.deleted:
            quoted = copy.deepcopy(target.raw)
            quoted.pop("reply_to_message", None)
            content["reply_to_message"] = quoted
        elif not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
    inline = _inline_markup(params)
    if inline is not None:
        content["reply_markup"] = inline
    stored = _store(state, chat, params, content)
    keyboard = params.get("reply_markup", {}).get("keyboard")
    if isinstance(keyboard, list):
        stored.reply_keyboard = [
            [b.get("text", "") if isinstance(b, dict) else str(b) for b in row] for row in keyboard
        ]
    return stored


def _file(state: ApiState, value: Any, folder: str) -> StoredFile:
    """The file behind an upload, a known file_id or an HTTP URL."""
    if isinstance(value, Upload):
        mime = value.content_type or mimetypes.guess_type(value.filename)[0]
        extension = PurePosixPath(value.filename).suffix
        return state.add_file(
            value.data, folder, extension, file_name=value.filename, mime_type=mime
        )
    if isinstance(value, str) and value in state.files:
        return state.files[value]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        name = PurePosixPath(value.split("?")[0]).name or "file"
        return state.add_file(value.encode(), folder, PurePosixPath(name).suffix, file_name=name)
    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")


def photo_sizes(state: ApiState, stored: StoredFile) -> list[JSON]:
    """PhotoSize list for a photo: a thumbnail and the full size, both downloadable."""
    thumb_id = stored.file_id + "-thumb"
    thumb = state.files.setdefault(
        thumb_id, replace(stored, file_id=thumb_id, file_unique_id=stored.file_unique_id + "t")
    )
    size = len(stored.data)
    return [
        {
            "file_id": thumb.file_id,
            "file_unique_id": thumb.file_unique_id,
            "file_size": size,
            "width": 90,
            "height": 68,
        },
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": size,
            "width": 1280,
            "height": 960,
        },
    ]


def _caption(params: JSON) -> JSON:
    return _formatted(params, "caption", "caption_entities") if "caption" in params else {}


async def send_message(state: ApiState, params: JSON) -> JSON:
    chat = sending_chat(state, params["chat_id"])
    return _deliver(state, chat, params, _formatted(params, "text", "entities")).raw


async def send_photo(state: ApiState, params: JSON) -> JSON:
    chat = sending_chat(state, params["chat_id"])
    content = {"photo": photo_sizes(state, _file(state, params["photo"], "photos"))}
    return _deliver(state, chat, params, {**content, **_caption(params)}).raw


async def send_document(state: ApiState, params: JSON) -> JSON:
    chat = sending_chat(state, params["chat_id"])
    stored = _file(state, params["document"], "documents")
    document: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return _deliver(state, chat, params, {"document": document, **_caption(params)}).raw


def _source(state: ApiState, params: JSON, verb: str) -> StoredMessage:
    source = resolve_chat(state, params["from_chat_id"]).messages.get(params["message_id"])
    if source is None or source.deleted:
        raise ApiError(400, f"Bad Request: message to {verb} not found")
    if source.raw.get("has_protected_content"):
        done = {"copy": "copied", "forward": "forwarded"}[verb]
        raise ApiError(400, f"Bad Request: message can't be {done}")
    return source


async def copy_message(state: ApiState, params: JSON) -> JSON:
    chat = sending_chat(state, params["chat_id"])
    source = _source(state, params, "copy")
    content = {k: copy.deepcopy(v) for k, v in source.raw.items() if k in _COPYABLE}
    if not content:
        raise ApiError(400, "Bad Request: message can't be copied")
    if "caption" in params:
        content.pop("caption_entities", None)
        content.update(_caption(params))
    return {"message_id": _deliver(state, chat, params, content).message_id}


async def forward_message(state: ApiState, params: JSON) -> JSON:
    chat = sending_chat(state, params["chat_id"])
    source = _source(state, params, "forward")
    content = {k: copy.deepcopy(v) for k, v in source.raw.items() if k in _COPYABLE}
    origin = {"type": "user", "sender_user": source.raw["from"], "date": source.raw["date"]}
    content["forward_origin"] = origin
    return _store(state, chat, params, content).raw


def _editable(state: ApiState, params: JSON) -> StoredMessage:
    if "inline_message_id" in params:
        raise ApiError(
            400, "Bad Request: inline messages are not supported by the test server", violation=True
        )
    if "chat_id" not in params or "message_id" not in params:
        raise ApiError(400, "Bad Request: message identifier is not specified", violation=True)
    stored = sending_chat(state, params["chat_id"]).messages.get(params["message_id"])
    if stored is None or stored.deleted:
        raise ApiError(400, "Bad Request: message to edit not found")
    if not stored.from_bot:
        raise ApiError(400, "Bad Request: message can't be edited", violation=True)
    return stored


def _apply_edit(state: ApiState, stored: StoredMessage, new: JSON, markup: JSON | None) -> JSON:
    """Replace content keys (None removes), the inline markup; refuse no-op edits."""
    old = {key: stored.raw.get(key) for key in new}
    if old == new and stored.raw.get("reply_markup") == markup:
        raise ApiError(400, NOT_MODIFIED)
    for key, value in new.items():
        if value is None:
            stored.raw.pop(key, None)
        else:
            stored.raw[key] = value
    if markup is None:
        stored.raw.pop("reply_markup", None)
    else:
        stored.raw["reply_markup"] = markup
    if set(new) - {"reply_markup"}:
        stored.raw["edit_date"] = state.now()
    stored.edited = True
    state.touch(stored)
    return stored.raw


async def edit_message_text(state: ApiState, params: JSON) -> JSON:
    stored = _editable(state, params)
    if "text" not in stored.raw:
        raise ApiError(400, "Bad Request: there is no text in the message to edit")
    new: JSON = {"entities": None, **_formatted(params, "text", "entities")}
    return _apply_edit(state, stored, new, _inline_markup(params))


async def edit_message_caption(state: ApiState, params: JSON) -> JSON:
    stored = _editable(state, params)
    if not any(key in stored.raw for key in _MEDIA):
        raise ApiError(400, "Bad Request: there is no caption in the message to edit")
    new: JSON = {"caption": None, "caption_entities": None, **_caption(params)}
    return _apply_edit(state, stored, new, _inline_markup(params))


async def edit_message_reply_markup(state: ApiState, params: JSON) -> JSON:
    stored = _editable(state, params)
    return _apply_edit(state, stored, {}, _inline_markup(params))


def _deletion_refused(state: ApiState, chat: ChatState, stored: StoredMessage) -> str | None:
    """Why Telegram would refuse to delete ``stored`` now, or None."""
    too_old = state.now() - int(stored.raw["date"]) >= DELETE_WINDOW
    if chat.is_private:
        return "Bad Request: message can't be deleted for everyone" if too_old else None
    bot = chat.members.get(state.bot_id, {})
    admin = bot.get("status") == "administrator"
    if chat.info["type"] == "supergroup":
        admin = admin and bool(bot.get("can_delete_messages"))
    if too_old or not (stored.from_bot or admin):
        return "Bad Request: message can't be deleted"
    return None


def _delete(state: ApiState, chat: ChatState, message_id: int) -> bool:
    """Delete one message; False if there is none; raise if Telegram would refuse."""
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        return False
    refused = _deletion_refused(state, chat, stored)
    if refused is not None:
        raise ApiError(400, refused)
    stored.deleted = True
    state.touch(stored)
    return True


def _deleting_chat(state: ApiState, chat_id: Any) -> ChatState:
    chat = resolve_chat(state, chat_id)
    check_bot_in_chat(chat, state.bot_id)
    return chat


async def delete_message(state: ApiState, params: JSON) -> bool:
    chat = _deleting_chat(state, params["chat_id"])
    if not _delete(state, chat, params["message_id"]):
        raise ApiError(400, "Bad Request: message to delete not found")
    return True


async def delete_messages(state: ApiState, params: JSON) -> bool:
    """Deletes what it may; messages not found or not deletable are skipped, as documented."""
    chat = _deleting_chat(state, params["chat_id"])
    if not 1 <= len(params["message_ids"]) <= 100:
        raise ApiError(400, "Bad Request: message_ids must contain 1-100 ids", violation=True)
    for message_id in params["message_ids"]:
        with contextlib.suppress(ApiError):
            _delete(state, chat, message_id)
    return True


async def send_chat_action(state: ApiState, params: JSON) -> bool:
    sending_chat(state, params["chat_id"])
    return True


MESSAGE_METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "sendChatAction": send_chat_action,
}
