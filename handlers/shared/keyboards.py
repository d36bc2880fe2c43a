"""Inline keyboards. Button data is `prefix:arg`, short, and never trusted by its reader."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Button = tuple[str, str]  # (label, callback data)


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def data(prefix: str, arg: object = "") -> str:
    value = f"{prefix}:{arg}"
    if len(value.encode()) > 64:
        raise ValueError("callback data over Telegram's 64 bytes")
    return value


def pager(
    page: int, has_next: bool, to_page: Callable[[int], str], _: Callable[[str], str]
) -> list[Button]:
    """The "◀ Previous / Next ▶" row of a paginated list (empty on a single page)."""
    row: list[Button] = []
    if page > 0:
        row.append((_("◀ Previous"), to_page(page - 1)))
    if has_next:
        row.append((_("Next ▶"), to_page(page + 1)))
    return row
