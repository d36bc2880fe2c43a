"""Inline keyboards. Button data is `prefix:arg`, short, and never trusted by its reader."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from flows.meetings_time import picker_days

Button = tuple[str, str]  # (label, callback data)
CHOSEN = "✓ "  # before the label of the choice a person made (an RSVP, a rating)


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


def day_picker(today: date, prefix: str) -> list[list[Button]]:
    """The eight-week calendar of the meeting and poll flows (`flows.meetings_time.
    picker_days`): a row a week, Monday first; a day's button is `prefix:day:YYYYMMDD`, a
    blank is `prefix:none`; today and each 1st show their month."""
    rows: list[list[Button]] = []
    for week in picker_days(today):
        row: list[Button] = []
        for day in week:
            if day is None:
                row.append(("·", data(prefix, "none")))
            else:
                label = (
                    f"{day.day}.{day.month:02d}" if day.day == 1 or day == today else str(day.day)
                )
                row.append((label, data(prefix, f"day:{day:%Y%m%d}")))
        rows.append(row)
    return rows


def mark_chosen(markup: InlineKeyboardMarkup, chosen: str) -> InlineKeyboardMarkup:
    """`markup` with the button whose data is `chosen` marked (`CHOSEN` before its label)
    and the mark taken off any other: the choice shows on the message, and can be changed."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        rows.append([])
        for button in row:
            label = button.text.removeprefix(CHOSEN)
            if button.callback_data == chosen:
                label = CHOSEN + label
            if label != button.text:
                button = InlineKeyboardButton(label, callback_data=button.callback_data)
            rows[-1].append(button)
    return InlineKeyboardMarkup(rows)


def pressed_choice(update: Update) -> tuple[str, InlineKeyboardMarkup] | None:
    """The pressed message's text (as HTML) and its keyboard with the pressed button marked
    (`mark_chosen`), to show in its place; None when the message cannot be redrawn (too
    old for Telegram to send it, or without text or buttons)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if (
        query is None
        or not isinstance(message, Message)
        or message.text is None
        or message.reply_markup is None
        or query.data is None
    ):
        return None
    return message.text_html, mark_chosen(message.reply_markup, query.data)
