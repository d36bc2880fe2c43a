"""A resident's reply to staff (asked for more, a follow-up, or reopening): one text, photos
allowed. Nothing happens to the request before the text is taken: "Ask again" followed by
/cancel leaves it as it was.

One state that only validates a text, so a plain function rather than a machine: the
handler stores `start_data(...)` with `ReplyForm.text` and passes what arrives to `take`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flows.fsm import State, StatesGroup
from flows.text import TextProblem, continues_paste, text_problem

REPLY_TEXT_LIMIT = 2000
REPLY_PHOTO_LIMIT = 3


class ReplyForm(StatesGroup):
    text = State()


class FollowUpForm(StatesGroup):
    """A text the bot offers to add to a sent request (an edit after Send, or a message
    with no conversation running while a request is open): Add, or No."""

    confirm = State()


class FollowUpReason(StrEnum):
    EDITED = "edited"  # the person edited a message of a sent request
    IDLE = "idle"  # a message with no conversation running, while a request is open


def follow_up_data(
    request_id: int, text: str, message_id: int, reason: FollowUpReason
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "text": text,
        "message_id": message_id,
        "reason": reason.value,
    }


class ReplyMode(StrEnum):
    REPLY = "reply"  # staff asked for more: the answer to their question
    ADD = "add"  # more words on an open request (a follow-up)
    REOPEN = "reopen"  # "Ask again" on a finished request: reopened only when the text is sent


@dataclass(frozen=True)
class Reply:
    request_id: int
    mode: ReplyMode
    text: str
    photos: list[str]


def start_data(request_id: int, mode: ReplyMode) -> dict[str, Any]:
    return {"request_id": request_id, "mode": mode.value}


def take(
    data: Mapping[str, Any],
    text: str,
    photos: Sequence[str] = (),
    sent_at: float | None = None,
) -> Reply | TextProblem:
    """The reply in `text` (stripped), or why it cannot be taken; `sent_at` (the message's
    Telegram date) tells the rest of a long paste (`flows/text.py`)."""
    if continues_paste(data, sent_at):
        return TextProblem.PASTE_REST
    problem = text_problem(text, REPLY_TEXT_LIMIT)
    if problem is not None:
        return problem
    return Reply(
        request_id=int(data["request_id"]),
        mode=ReplyMode(data.get("mode", ReplyMode.REPLY)),
        text=text.strip(),
        photos=[str(p) for p in photos][:REPLY_PHOTO_LIMIT],
    )
