"""What a meeting's notices and reminders say, in the recipient's language.

Pure (no Telegram, no database): the reminder scan (`scheduler/reminders.py`) and the
handlers render through these, each recipient with their own gettext. Dates come from
`locales.dates.format_when` in the community's zone with the zone named.

A sensitive group's message never names the group or the meeting in its first line (what
a phone's lock screen shows): that line says only that "your group" meets; the title comes
last. Such messages also go with `protect_content` (`payload`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from html import escape
from typing import Any

from locales import n_
from locales.dates import format_when

Gettext = Callable[[str], str]
RSVP_PREFIX = "mr"


class News(StrEnum):
    NEW = "new"
    MOVED = "moved"
    PLACE = "place"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


@dataclass(frozen=True)
class MeetingText:
    """What every message about one occurrence needs, for one reader."""

    meeting_id: int
    occurrence: date
    title: str  # in the reader's language (or the other one)
    place: str
    start_at: datetime
    zone: str
    sensitive: bool
    agenda: str | None = None


def title_in(language: str, title_uk: str, title_ru: str) -> str:
    """Staff content in the reader's language, the other one if that is empty."""
    first, other = (title_ru, title_uk) if language == "ru" else (title_uk, title_ru)
    return first or other


_HEADLINES = {
    News.NEW: (n_("📅 New meeting: {title}"), n_("📅 Your group has a new meeting")),
    News.MOVED: (n_("🕒 The meeting has moved: {title}"), n_("🕒 Your group's meeting has moved")),
    News.PLACE: (
        n_("📍 New place for the meeting: {title}"),
        n_("📍 Your group's meeting has a new place"),
    ),
    News.CANCELLED: (
        n_("❌ Meeting cancelled: {title}"),
        n_("❌ Your group's meeting is cancelled"),
    ),
    News.POSTPONED: (
        n_("⏳ The meeting is postponed: {title}"),
        n_("⏳ Your group's meeting is postponed"),
    ),
}


def _body(_: Gettext, m: MeetingText, language: str, now: datetime) -> list[str]:
    return [
        _("When: {when}").format(when=format_when(m.start_at, language, m.zone, now=now)),
        _("Place: {place}").format(place=escape(m.place)),
    ]


def _tail(_: Gettext, m: MeetingText) -> list[str]:
    lines = []
    if m.sensitive:
        lines.append(_("Meeting: {title}").format(title=escape(m.title)))
    if m.agenda:
        lines.append(_("Agenda: {agenda}").format(agenda=escape(m.agenda)))
    return lines


def notice_text(
    _: Gettext, news: News, m: MeetingText, language: str, now: datetime, *, was: str | None = None
) -> str:
    """A notice to everyone: new, moved, new place, cancelled, postponed."""
    plain, sensitive = _HEADLINES[news]
    head = _(sensitive) if m.sensitive else _(plain).format(title=escape(m.title))
    lines = [head, *_body(_, m, language, now)]
    if was:
        lines.append(_("Was: {was}").format(was=was))
    if news is News.CANCELLED:
        lines = [
            head,
            _("It was to be: {when}").format(
                when=format_when(m.start_at, language, m.zone, now=now)
            ),
        ]
    return "\n".join(lines + _tail(_, m))


def reminder_text(_: Gettext, m: MeetingText, language: str, now: datetime, *, late: bool) -> str:
    head = (
        _("⏰ Reminder: your group meets soon")
        if m.sensitive
        else _("⏰ Reminder: {title}").format(title=escape(m.title))
    )
    lines = [head, *_body(_, m, language, now)]
    if late:
        lines.append(_("This reminder is late: the bot was not running when it was due. Sorry."))
    return "\n".join(lines + _tail(_, m))


def rsvp_data(meeting_id: int, day: date, going: bool) -> str:
    return f"{RSVP_PREFIX}:{meeting_id}:{day:%Y%m%d}{'y' if going else 'n'}"


def rsvp_markup(_: Gettext, meeting_id: int, day: date) -> dict[str, Any]:
    """The Going / Not going buttons as Bot API JSON (outbox payloads hold JSON)."""
    return {
        "inline_keyboard": [
            [
                {"text": _("✅ I'm going"), "callback_data": rsvp_data(meeting_id, day, True)},
                {"text": _("🚫 Can't come"), "callback_data": rsvp_data(meeting_id, day, False)},
            ]
        ]
    }


def payload(text: str, markup: dict[str, Any] | None, *, sensitive: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        params["reply_markup"] = markup
    if sensitive:
        params["protect_content"] = True
    return {"method": "sendMessage", "params": params}


def parse_rsvp(arg: str) -> tuple[int, date, bool] | None:
    """`42:20261201y` -> (42, 2026-12-01, True); None for anything forged."""
    meeting, _sep, rest = arg.partition(":")
    if not (meeting.isascii() and meeting.isdigit() and len(rest) == 9 and rest[:8].isdigit()):
        return None
    if rest[8] not in "yn" or not rest[:8].isascii():
        return None
    try:
        day = date(int(rest[:4]), int(rest[4:6]), int(rest[6:8]))
    except ValueError:
        return None
    return int(meeting), day, rest[8] == "y"
