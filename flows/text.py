"""The check shared by the steps that take one free text (a reply, a staff answer), and
the rule for a long paste that Telegram splits into several messages.

A paste longer than Telegram's 4,096 characters arrives as several messages, all but the
last close to 4,096 long, a second or so apart (their Telegram dates). Every step's limit
is below that, so the first part is refused; the rest must not be taken on its own, as if
it were the whole text. **Rule:** a text refused as too long that may be such a part
(`SPLIT_PART_MIN` to 4,096 characters) opens a window of `PASTE_WINDOW` seconds, by the
messages' own dates (`Message.date`, the server's clock): a text dated within it is the rest
of the paste (`PASTE_REST`), refused and given back as well, and extends the window. A
text dated later is taken as usual. The step keeps the date of the last refused part in
its data under `PASTE_KEY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

TELEGRAM_TEXT_LIMIT = 4096
SPLIT_PART_MIN = 3000  # a refused text at least this long may be the first part of a split
PASTE_WINDOW = 3.0  # seconds between the dates of the parts of one paste, at the most
PASTE_KEY = "paste_at"


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    PASTE_REST = "paste_rest"  # arrived with a long text just refused: part of the same paste


def may_be_split(text: str) -> bool:
    """Whether a refused `text` may be one part of a paste Telegram split into several."""
    return SPLIT_PART_MIN <= len(text.strip()) <= TELEGRAM_TEXT_LIMIT


def continues_paste(data: Mapping[str, Any], sent_at: float | None) -> bool:
    """Whether a text dated `sent_at` is the rest of a paste whose part was just refused."""
    last = data.get(PASTE_KEY)
    if sent_at is None or not isinstance(last, int | float):
        return False
    return 0 <= sent_at - last <= PASTE_WINDOW


def paste_mark(text: str, sent_at: float | None, *, rest: bool = False) -> float | None:
    """What to keep under `PASTE_KEY` after refusing `text` (too long, or the rest of a
    paste): its date when more parts may follow, else None."""
    return sent_at if rest or may_be_split(text) else None


def text_problem(text: str, limit: int) -> TextProblem | None:
    """None for a usable text; why not otherwise (its length counted after the outer
    whitespace is stripped)."""
    stripped = text.strip()
    if not stripped:
        return TextProblem.EMPTY
    if len(stripped) > limit:
        return TextProblem.TOO_LONG
    return None
