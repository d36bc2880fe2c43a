"""Limits of the Bot API that the spec states only in prose.

:func:`check_limits` is called by :func:`bot.botapi.spec.validate_call` once a call has the
right parameters and types.  Each returned string is a reason Telegram answers
``400 Bad Request: <reason>``:

* ``text`` of sendMessage/editMessageText: 1-4096 characters after entity parsing;
* ``caption`` (any method): at most 1024 characters after entity parsing;
* inline keyboards: at most 100 buttons, non-empty button text, exactly one action field,
  ``callback_data`` 1-64 bytes of UTF-8; reply keyboards: non-empty button text;
* answerCallbackQuery ``text``: at most 200 characters;
* set/get/deleteMyCommands: at most 100 commands, command 1-32 of ``[a-z0-9_]``, description
  1-256 characters, ``language_code`` empty or two lowercase letters;
* sendChatAction ``action``: one of the documented actions.
"""

from __future__ import annotations

import re
from typing import Any

from .formatting import EntityParseError, parse_formatted

__all__ = ["CHAT_ACTIONS", "check_limits"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_TEXT_LIMIT = 200
MAX_INLINE_BUTTONS = 100
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?")


def check_limits(method: str, params: dict[str, Any]) -> list[str]:
    """Reasons the well-typed call ``method(**params)`` breaks a documented limit."""
    problems: list[str] = []
    if method in ("sendMessage", "editMessageText"):
        problems.extend(_text_problems(params, "text", "entities", 1, TEXT_LIMIT))
    if "caption" in params:
        problems.extend(_text_problems(params, "caption", "caption_entities", 0, CAPTION_LIMIT))
    markup = params.get("reply_markup")
    if isinstance(markup, dict):
        problems.extend(_markup_problems(markup))
    if method == "answerCallbackQuery" and len(params.get("text", "")) > CALLBACK_TEXT_LIMIT:
        length = len(params["text"])
        problems.append(f"callback answer text is too long ({length} characters, max 200)")
    if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
        problems.extend(_command_problems(params))
    if method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
        problems.append(f"wrong parameter action in request: {params.get('action')!r}")
    return problems


def _text_problems(
    params: dict[str, Any], key: str, entities_key: str, minimum: int, maximum: int
) -> list[str]:
    try:
        parsed = parse_formatted(params[key], params.get("parse_mode"), params.get(entities_key))
    except EntityParseError as exc:
        return [str(exc)]
    length = len(parsed.text)
    what = "message text" if key == "text" else "message caption"
    if length < minimum:
        return [f"{what} is empty"]
    if length > maximum:
        return [f"{what} is too long ({length} characters after entity parsing, max {maximum})"]
    return []


def _markup_problems(markup: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    rows = markup.get("inline_keyboard")
    if isinstance(rows, list):
        buttons = [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]
        if len(buttons) > MAX_INLINE_BUTTONS:
            problems.append(f"REPLY_MARKUP_TOO_LONG: {len(buttons)} inline buttons (max 100)")
        for button in buttons:
            problems.extend(_inline_button_problems(button))
    keyboard = markup.get("keyboard")
    if isinstance(keyboard, list):
        for row in keyboard:
            for button in row if isinstance(row, list) else []:
                text = button.get("text") if isinstance(button, dict) else button
                if not text:
                    problems.append("BUTTON_TEXT_EMPTY: a reply keyboard button has no text")
    return problems


def _inline_button_problems(button: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    label = button.get("text", "")
    if not isinstance(label, str) or not label.strip():
        problems.append("BUTTON_TEXT_EMPTY: an inline keyboard button has empty text")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        problems.append(f"text buttons are unallowed in the inline keyboard (button {label!r})")
    elif len(actions) > 1:
        problems.append(f"button {label!r} has several action fields: {', '.join(actions)}")
    data = button.get("callback_data")
    if isinstance(data, str):
        size = len(data.encode("utf-8"))
        if not 1 <= size <= 64:
            problems.append(
                f"BUTTON_DATA_INVALID: callback_data of button {label!r} is {size} bytes"
                " (must be 1-64)"
            )
    return problems


def _command_problems(params: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    language = params.get("language_code", "")
    if not isinstance(language, str) or not _LANGUAGE_RE.fullmatch(language):
        problems.append(f"language_code {language!r} must be empty or a two-letter ISO 639-1 code")
    commands = params.get("commands", [])
    if len(commands) > 100:
        problems.append(f"too many commands ({len(commands)}, max 100)")
    for item in commands:
        command = item.get("command", "")
        description = item.get("description", "")
        if not _COMMAND_RE.fullmatch(command):
            problems.append(
                f"BOT_COMMAND_INVALID: {command!r} must be 1-32 characters of a-z, 0-9 and _"
            )
        if not 1 <= len(description.strip()) <= 256:
            problems.append(
                f"BOT_COMMAND_DESCRIPTION_INVALID: description of {command!r} must be 1-256"
                f" characters, has {len(description)}"
            )
    return problems
