"""Meetings: the series, each occurrence as it stands now, RSVPs, opt-ins, armed reminders.

An occurrence as it stands = the series' rule (`flows/recurrence.py`) with its exception
(`meeting_changes`) applied: moved, another place, or cancelled. `arm` keeps the
`meeting_reminders` rows in step with that: a row for every (occurrence, start, offset)
whose due time is still ahead, and the not-yet-enqueued rows of a start that no longer
holds are closed as `gone`. Nothing is ever armed in the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.meetings_time import minutes_to_offsets
from flows.recurrence import Repeat, Series, instant
from storage.models import (
    Meeting,
    MeetingChange,
    MeetingOptIn,
    MeetingReminder,
    MeetingRsvp,
    User,
)
from storage.repositories import meetings_groups
from storage.types import utcnow

ARM_HORIZON = timedelta(days=14)  # twice the longest offset: armed a week before it is due
GONE, BEGUN, SENT, LATE = "gone", "begun", "sent", "late"


@dataclass(frozen=True)
class Occurrence:
    meeting_id: int
    occurrence: date  # the original local date: the occurrence's name
    start_local: datetime
    start_at: datetime
    place: str
    cancelled: bool


def series_of(meeting: Meeting) -> Series:
    return Series(meeting.first_local, meeting.zone, Repeat(meeting.repeat))


async def changes_of(session: AsyncSession, meeting_id: int) -> dict[date, MeetingChange]:
    rows = await session.scalars(
        select(MeetingChange).where(MeetingChange.meeting_id == meeting_id)
    )
    return {row.occurrence: row for row in rows}


def occurrences(
    meeting: Meeting,
    changes: dict[date, MeetingChange],
    after: datetime,
    until: datetime,
    *,
    include_cancelled: bool = False,
) -> list[Occurrence]:
    """Occurrences starting in (after, until], in start order, exceptions applied."""
    series = series_of(meeting)
    # an occurrence may have been moved up to a few weeks: look a little wider
    base = series.starts_between(after - timedelta(days=35), until + timedelta(days=35))
    result = []
    for local in base:
        change = changes.get(local.date())
        start_local = change.start_local if change and change.start_local else local
        start_at = instant(start_local, meeting.zone)
        cancelled = bool(change and change.cancelled) or (
            meeting.cancelled_from is not None and start_at >= meeting.cancelled_from
        )
        if not after < start_at <= until or (cancelled and not include_cancelled):
            continue
        place = change.place if change and change.place else meeting.place
        result.append(Occurrence(meeting.id, local.date(), start_local, start_at, place, cancelled))
    return sorted(result, key=lambda o: o.start_at)


async def occurrence(session: AsyncSession, meeting: Meeting, day: date) -> Occurrence | None:
    """The occurrence named `day` as it stands now (None if the rule has no such day)."""
    changes = await changes_of(session, meeting.id)
    far = instant(datetime.combine(day, meeting.first_local.time()), meeting.zone)
    found = occurrences(
        meeting, changes, far - timedelta(days=60), far + timedelta(days=60), include_cancelled=True
    )
    return next((o for o in found if o.occurrence == day), None)


async def create_meeting(session: AsyncSession, meeting: Meeting) -> Meeting:
    session.add(meeting)
    await session.flush()
    await arm(session, meeting)
    return meeting


async def arm(session: AsyncSession, meeting: Meeting, now: datetime | None = None) -> int:
    """Arm the reminders of the occurrences starting within the horizon; close the
    pending ones whose start no longer holds. Returns how many were armed."""
    now = now or utcnow()
    changes = await changes_of(session, meeting.id)
    coming = occurrences(meeting, changes, now, now + ARM_HORIZON)
    wanted = {
        (o.occurrence, o.start_at, minutes): o.start_at - timedelta(minutes=minutes)
        for o in coming
        for minutes in meeting.offsets
    }
    pending = await session.scalars(
        select(MeetingReminder).where(
            MeetingReminder.meeting_id == meeting.id, MeetingReminder.enqueued_at.is_(None)
        )
    )
    for row in pending:
        # a start already passed is the scan's to close (as begun), not ours
        if row.start_at > now and (row.occurrence, row.start_at, row.offset_minutes) not in wanted:
            row.enqueued_at, row.outcome = now, GONE
    known_rows = await session.execute(
        select(
            MeetingReminder.occurrence, MeetingReminder.start_at, MeetingReminder.offset_minutes
        ).where(MeetingReminder.meeting_id == meeting.id, MeetingReminder.start_at > now)
    )
    known = {(day, start_at, minutes) for day, start_at, minutes in known_rows}
    armed = 0
    for (day, start_at, minutes), due in wanted.items():
        if due <= now or (day, start_at, minutes) in known:
            continue  # never armed in the past; armed once per start
        session.add(
            MeetingReminder(
                meeting_id=meeting.id,
                occurrence=day,
                start_at=start_at,
                offset_minutes=minutes,
                due_at=due,
            )
        )
        armed += 1
    await session.flush()
    return armed


async def arm_all(session: AsyncSession, now: datetime | None = None) -> int:
    """Roll every live series forward (the scan's first step)."""
    now = now or utcnow()
    meetings = await session.scalars(
        select(Meeting).where((Meeting.cancelled_from.is_(None)) | (Meeting.cancelled_from > now))
    )
    return sum([await arm(session, meeting, now) for meeting in list(meetings)])


async def due_reminders(session: AsyncSession, now: datetime, limit: int) -> list[MeetingReminder]:
    """Reminders due at or before `now` not yet enqueued: a missed minute skips nothing."""
    rows = await session.scalars(
        select(MeetingReminder)
        .where(MeetingReminder.enqueued_at.is_(None), MeetingReminder.due_at <= now)
        .order_by(MeetingReminder.due_at, MeetingReminder.id)
        .limit(limit)
    )
    return list(rows)


async def close_reminder(
    session: AsyncSession, reminder_id: int, outcome: str, recipients: int, now: datetime
) -> bool:
    """Mark a reminder enqueued; False if another process did first (then roll back)."""
    result = await session.execute(
        update(MeetingReminder)
        .where(MeetingReminder.id == reminder_id, MeetingReminder.enqueued_at.is_(None))
        .values(enqueued_at=now, outcome=outcome, recipients=recipients)
    )
    return bool(getattr(result, "rowcount", 0))


# who hears of a meeting


async def opted_in(session: AsyncSession, user_id: int) -> bool:
    return await session.get(MeetingOptIn, user_id) is not None


async def set_opt_in(session: AsyncSession, user_id: int, on: bool) -> None:
    if on:
        if not await opted_in(session, user_id):
            session.add(MeetingOptIn(user_id=user_id, at=utcnow()))
            await session.flush()
    else:
        await session.execute(delete(MeetingOptIn).where(MeetingOptIn.user_id == user_id))


async def recipients(session: AsyncSession, meeting: Meeting) -> list[User]:
    """Who hears of a meeting: the group's accepted members, or the community's residents
    who opted in. People who blocked the bot are left out (the outbox would skip them)."""
    if meeting.group_id is not None:
        ids = await meetings_groups.accepted_member_ids(session, meeting.group_id)
        if not ids:
            return []
        query = select(User).where(User.id.in_(list(ids)))
    else:
        query = (
            select(User)
            .join(MeetingOptIn, MeetingOptIn.user_id == User.id)
            .where(User.community_id == meeting.community_id)
        )
    rows = await session.scalars(query.where(User.is_reachable.is_(True)).order_by(User.id))
    return list(rows)


async def may_hear(session: AsyncSession, meeting: Meeting, user: User) -> bool:
    """Whether `user` is among the meeting's recipients now (checked on every RSVP)."""
    if meeting.group_id is not None:
        return await meetings_groups.is_accepted_member(session, meeting.group_id, user.id)
    return user.community_id == meeting.community_id and await opted_in(session, user.id)


async def is_sensitive(session: AsyncSession, meeting: Meeting) -> bool:
    """A sensitive group's messages do not name it first and are protected."""
    if meeting.group_id is None:
        return False
    return await meetings_groups.is_sensitive(session, meeting.group_id)


# RSVPs


async def set_rsvp(
    session: AsyncSession, meeting_id: int, day: date, user_id: int, going: bool
) -> bool:
    """Record going / not going; False if it was already so (a double press)."""
    row = await session.get(MeetingRsvp, (meeting_id, day, user_id))
    if row is None:
        session.add(
            MeetingRsvp(
                meeting_id=meeting_id, occurrence=day, user_id=user_id, going=going, at=utcnow()
            )
        )
        await session.flush()
        return True
    if row.going == going:
        return False
    row.going, row.at = going, utcnow()
    return True


async def rsvp_counts(session: AsyncSession, meeting_id: int, day: date) -> tuple[int, int]:
    """(going, not going) of one occurrence."""
    rows = await session.execute(
        select(MeetingRsvp.going, func.count())
        .where(MeetingRsvp.meeting_id == meeting_id, MeetingRsvp.occurrence == day)
        .group_by(MeetingRsvp.going)
    )
    counts = {bool(going): int(n) for going, n in rows}
    return counts.get(True, 0), counts.get(False, 0)


async def rsvp_of(session: AsyncSession, meeting_id: int, day: date, user_id: int) -> bool | None:
    row = await session.get(MeetingRsvp, (meeting_id, day, user_id))
    return None if row is None else row.going


# changes


async def change_occurrence(
    session: AsyncSession,
    meeting: Meeting,
    day: date,
    *,
    start_local: datetime | None = None,
    place: str | None = None,
    cancelled: bool | None = None,
) -> None:
    """Move one occurrence, give it another place, or cancel it; re-arm its reminders."""
    row = await session.get(MeetingChange, (meeting.id, day))
    if row is None:
        row = MeetingChange(meeting_id=meeting.id, occurrence=day, cancelled=False)
        session.add(row)
    if start_local is not None:
        row.start_local = start_local
    if place is not None:
        row.place = place
    if cancelled is not None:
        row.cancelled = cancelled
    await session.flush()
    await arm(session, meeting)


async def change_series_from(
    session: AsyncSession,
    meeting: Meeting,
    day: date,
    *,
    start_local: datetime | None = None,
    place: str | None = None,
) -> None:
    """ "All coming ones": the series from occurrence `day` on starts at `start_local` (its
    weekday and time become the rule's) and/or meets at `place`; exceptions of the coming
    occurrences are dropped. Past occurrences are history and are not recomputed."""
    if start_local is not None:
        meeting.first_local = start_local
        await session.execute(
            delete(MeetingChange).where(
                MeetingChange.meeting_id == meeting.id, MeetingChange.occurrence >= day
            )
        )
    if place is not None:
        meeting.place = place
        await session.execute(
            update(MeetingChange)
            .where(and_(MeetingChange.meeting_id == meeting.id, MeetingChange.occurrence >= day))
            .values(place=None)
        )
    await session.flush()
    await arm(session, meeting)


async def cancel_series_from(session: AsyncSession, meeting: Meeting, start_at: datetime) -> None:
    """ "All coming ones" cancelled: no occurrence at or after `start_at` happens."""
    meeting.cancelled_from = start_at
    await session.flush()
    await arm(session, meeting)


# reading


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def coming_for(
    session: AsyncSession, user: User, group_ids: Sequence[int], limit: int = 10
) -> list[tuple[Meeting, Occurrence]]:
    """The person's coming occurrences: their community's working group (if opted in) and
    their groups', soonest first."""
    now = utcnow()
    conditions = []
    if user.community_id is not None and await opted_in(session, user.id):
        conditions.append(
            and_(Meeting.community_id == user.community_id, Meeting.group_id.is_(None))
        )
    if group_ids:
        conditions.append(Meeting.group_id.in_(list(group_ids)))
    if not conditions:
        return []
    meetings = await session.scalars(select(Meeting).where(or_(*conditions)))
    found: list[tuple[Meeting, Occurrence]] = []
    for meeting in meetings:
        changes = await changes_of(session, meeting.id)
        for o in occurrences(meeting, changes, now, now + timedelta(days=62))[:3]:
            found.append((meeting, o))
    found.sort(key=lambda pair: pair[1].start_at)
    return found[:limit]


async def organised_by(
    session: AsyncSession, community_ids: Sequence[int], group_ids: Sequence[int]
) -> list[Meeting]:
    """Meetings an organiser may change: their communities' working-group meetings (a
    moderator) and their groups' (a facilitator)."""
    conditions = []
    if community_ids:
        conditions.append(
            and_(Meeting.community_id.in_(list(community_ids)), Meeting.group_id.is_(None))
        )
    if group_ids:
        conditions.append(Meeting.group_id.in_(list(group_ids)))
    if not conditions:
        return []
    rows = await session.scalars(select(Meeting).where(or_(*conditions)).order_by(Meeting.id))
    return list(rows)


def offsets_of(meeting: Meeting) -> tuple[timedelta, ...]:
    return minutes_to_offsets(meeting.offsets)
