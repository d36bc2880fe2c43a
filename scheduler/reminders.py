"""The reminder scan: due reminders become outbox rows, once, in each reader's language.

Every run (every 30 seconds, and right after start):

1. `arm_all` rolls every live series forward (reminders of occurrences within the next
   fortnight are armed; never one in the past).
2. Reminders due *at or before now* and not yet enqueued are taken in batches. Each is
   closed in the same transaction that writes its outbox rows, so a crash writes all of
   them or none, and a second process finds it closed (`close_reminder`'s UPDATE).
   - its start no longer holds (moved, cancelled): closed as `gone`, nothing sent;
   - the meeting has begun (the bot was down over its due time): `begun`, nothing sent;
   - otherwise one row per recipient, `dedup_key` =
     `rem:{meeting}:{occurrence}:{start epoch}:{user}:{offset}`, so a reminder is never
     sent twice and a moved start gets fresh ones; sent more than `LATE_AFTER` after its
     due time, it says it is late.

Rows are inserted in bulk (`storage/repositories/meetings_outbox.py`): 5,000 recipients
in one statement batch instead of 5,000 look-ups and savepoints; the reminder's own
UPDATE makes it safe (only the process that closed the reminder writes its rows).
`bench/reminders.py` measures it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.meetings_texts import MeetingText, payload, reminder_text, rsvp_markup, title_in
from flows.meetings_time import is_late
from storage.models import Meeting, MeetingReminder, User
from storage.repositories import meetings as repo
from storage.repositories.meetings_outbox import insert_outbox_rows
from storage.types import utcnow

log = logging.getLogger(__name__)

BATCH = 20  # reminders per transaction


class Translates(Protocol):
    def gettext(self, message: str) -> str: ...


def dedup_key(reminder: MeetingReminder, user_id: int) -> str:
    return (
        f"rem:{reminder.meeting_id}:{reminder.occurrence:%Y%m%d}:"
        f"{int(reminder.start_at.timestamp())}:{user_id}:{reminder.offset_minutes}"
    )


async def fan_out(
    session: AsyncSession,
    reminder: MeetingReminder,
    translators: Mapping[str, Translates],
    default_language: str,
    now: datetime,
) -> str:
    """Close one due reminder and write its outbox rows; returns its outcome."""
    meeting = await session.get(Meeting, reminder.meeting_id)
    current = (
        None if meeting is None else await repo.occurrence(session, meeting, reminder.occurrence)
    )
    if (
        meeting is None
        or current is None
        or current.cancelled
        or current.start_at != reminder.start_at
    ):
        await repo.close_reminder(session, reminder.id, repo.GONE, 0, now)
        return repo.GONE
    if current.start_at <= now:
        await repo.close_reminder(session, reminder.id, repo.BEGUN, 0, now)
        return repo.BEGUN
    late = is_late(reminder.due_at, now)
    people: list[User] = await repo.recipients(session, meeting)
    sensitive = await repo.is_sensitive(session, meeting)
    rendered: dict[str, tuple[str, dict[str, Any]]] = {}
    rows = []
    for person in people:
        language = person.language or default_language
        if language not in translators:
            language = default_language
        if language not in rendered:
            _ = translators[language].gettext
            view = MeetingText(
                meeting.id,
                current.occurrence,
                title_in(language, meeting.title_uk, meeting.title_ru),
                current.place,
                current.start_at,
                meeting.zone,
                sensitive,
            )
            text = reminder_text(_, view, language, now, late=late)
            rendered[language] = (text, rsvp_markup(_, meeting.id, current.occurrence))
        text, markup = rendered[language]
        rows.append(
            (
                person.telegram_id,
                dedup_key(reminder, person.id),
                payload(text, markup, sensitive=sensitive),
            )
        )
    outcome = repo.LATE if late else repo.SENT
    if not await repo.close_reminder(session, reminder.id, outcome, len(rows), now):
        raise _Taken()
    await insert_outbox_rows(session, rows, now)
    return outcome


class _Taken(Exception):
    """Another process closed the reminder first: this transaction writes nothing."""


async def send_due_reminders(
    sessions: async_sessionmaker[AsyncSession],
    translators: Mapping[str, Translates],
    default_language: str,
    wake: Callable[[], None] | None = None,
) -> int:
    """One scan (see the module's docstring); returns how many reminders it closed."""
    now = utcnow()
    try:
        async with sessions() as session, session.begin():
            await repo.arm_all(session, now)
    except IntegrityError:
        # another process (a second webhook worker) armed the same reminder first: its row
        # stands, and the due ones are taken below all the same
        log.info("reminders were armed by another process meanwhile")
    closed = 0
    while True:
        try:
            async with sessions() as session, session.begin():
                due = await repo.due_reminders(session, now, BATCH)
                for reminder in due:
                    await fan_out(session, reminder, translators, default_language, now)
        except _Taken:
            continue  # the other process has them; look again
        closed += len(due)
        if due and wake is not None:
            wake()
        if len(due) < BATCH:
            break
    if closed:
        log.info("closed %d due meeting reminders", closed)
    return closed
