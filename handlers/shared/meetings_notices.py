"""Telling everyone about a meeting at once: new, moved, new place, cancelled, postponed.

One outbox row per recipient in the update's transaction (bulk, see
`storage/repositories/meetings_outbox.py`), each in the recipient's language, with the
RSVP buttons (not on a cancellation); a sensitive group's rows are protected and do not
name it first. The key names the meeting, occurrence, news, start and place, so the same
news about the same start is never sent twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from flows.meetings_texts import MeetingText, News, notice_text, payload, rsvp_markup, title_in
from locales import Translator
from locales.dates import format_when
from storage.models import Meeting
from storage.repositories import meetings as repo
from storage.repositories import meetings_groups
from storage.repositories.meetings import Occurrence
from storage.repositories.meetings_outbox import insert_outbox_rows
from storage.types import utcnow


def notice_key(news: News, o: Occurrence, user_id: int) -> str:
    place = zlib.crc32(o.place.encode())
    return (
        f"mtn:{o.meeting_id}:{o.occurrence:%Y%m%d}:{news.value}:"
        f"{int(o.start_at.timestamp())}:{place}:{user_id}"
    )


async def tell_everyone(
    session: AsyncSession,
    meeting: Meeting,
    o: Occurrence,
    news: News,
    translators: Mapping[str, Translator],
    default_language: str,
    *,
    was: datetime | None = None,
) -> int:
    """Enqueue the news for every recipient; returns how many rows were written."""
    now = utcnow()
    people = await repo.recipients(session, meeting)
    sensitive = await repo.is_sensitive(session, meeting)
    rendered: dict[str, tuple[str, dict[str, object] | None]] = {}
    rows = []
    for person in people:
        language = person.language or default_language
        if language not in translators:
            language = default_language
        if language not in rendered:
            _ = translators[language].gettext
            view = MeetingText(
                meeting.id,
                o.occurrence,
                title_in(language, meeting.title_uk, meeting.title_ru),
                o.place,
                o.start_at,
                meeting.zone,
                sensitive,
                meeting.agenda if news is News.NEW else None,
            )
            before = format_when(was, language, meeting.zone, now=now) if was else None
            text = notice_text(_, news, view, language, now, was=before)
            markup = None if news is News.CANCELLED else rsvp_markup(_, meeting.id, o.occurrence)
            rendered[language] = (text, markup)
        text, markup = rendered[language]
        rows.append(
            (
                person.telegram_id,
                notice_key(news, o, person.id),
                payload(text, markup, sensitive=sensitive),
            )
        )
    written = await insert_outbox_rows(session, rows, now)
    chat = (
        await meetings_groups.linked_chat_id(session, meeting.group_id)
        if meeting.group_id
        else None
    )
    if chat is not None:
        # the group's own chat: in the community's default language, without RSVP buttons
        # (answers are personal: each member has them in private)
        _ = translators[default_language].gettext
        view = MeetingText(
            meeting.id,
            o.occurrence,
            title_in(default_language, meeting.title_uk, meeting.title_ru),
            o.place,
            o.start_at,
            meeting.zone,
            sensitive,
        )
        before = format_when(was, default_language, meeting.zone, now=now) if was else None
        text = notice_text(_, news, view, default_language, now, was=before)
        key = notice_key(news, o, 0).rsplit(":", 1)[0] + f":chat{chat}"
        written += await insert_outbox_rows(
            session, [(chat, key, payload(text, None, sensitive=sensitive))], now
        )
    return written
