"""The reminder scan on both backends with a frozen clock: due at or before now, once, in
each reader's language; moved starts re-armed, never in the past; late and begun; both
clock changes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flows.meetings_texts import News
from flows.recurrence import instant
from handlers.shared.meetings_notices import tell_everyone
from locales import load_translators
from scheduler.reminders import send_due_reminders
from storage.engine import session_factory
from storage.models import (
    Community,
    GroupChat,
    GroupMembership,
    Meeting,
    MeetingReminder,
    OutboxMessage,
    SelfHelpGroup,
    User,
)
from storage.repositories import meetings as repo
from storage.types import set_clock

KYIV = "Europe/Kyiv"
TRANSLATORS = load_translators()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    frozen = Clock(datetime(2026, 11, 29, 12, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    set_clock(None)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def setup(
    sessions: async_sessionmaker[AsyncSession], start: datetime, repeat: str = "none"
) -> tuple[int, list[int]]:
    """A working-group meeting at `start` (wall time, Kyiv) and two opted-in residents, one
    reading Ukrainian and one Russian, plus one resident who did not opt in."""
    async with sessions() as session, session.begin():
        community = await session.scalar(select(Community).order_by(Community.id).limit(1))
        assert community is not None
        people = [
            User(telegram_id=7001, language="uk", community_id=community.id),
            User(telegram_id=7002, language="ru", community_id=community.id),
            User(telegram_id=7003, language="uk", community_id=community.id),
        ]
        session.add_all(people)
        await session.flush()
        await repo.set_opt_in(session, people[0].id, True)
        await repo.set_opt_in(session, people[1].id, True)
        meeting = Meeting(
            community_id=community.id,
            title_uk="Звіт поліції",
            title_ru="Отчёт полиции",
            place="Будинок культури",
            first_local=start,
            zone=KYIV,
            duration_minutes=90,
            repeat=repeat,
            offsets=[24 * 60, 120],
        )
        await repo.create_meeting(session, meeting)
        return meeting.id, [p.id for p in people]


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def scan(sessions: async_sessionmaker[AsyncSession]) -> int:
    return await send_due_reminders(sessions, TRANSLATORS, "uk")


async def test_24h_and_2h_in_each_readers_language_once(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    start = datetime(2026, 12, 1, 18)  # Tuesday
    meeting_id, _people = await setup(sessions, start)
    start_at = instant(start, KYIV)
    assert await scan(sessions) == 0 and await outbox_rows(sessions) == []
    clock.now = start_at - timedelta(hours=24)  # exactly due
    assert await scan(sessions) == 1
    rows = await outbox_rows(sessions)
    assert sorted(r.chat_id for r in rows) == [7001, 7002]  # not the one who did not opt in
    texts = {r.chat_id: r.payload["params"]["text"] for r in rows}
    assert "вівторок, 1 грудня, 18:00 за київським часом" in texts[7001]
    assert "Звіт поліції" in texts[7001] and "Будинок культури" in texts[7001]
    assert "вторник, 1 декабря, 18:00 по киевскому времени" in texts[7002]
    assert "Отчёт полиции" in texts[7002]
    assert all("late" not in t and "запізн" not in t for t in texts.values())
    buttons = rows[0].payload["params"]["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [
        f"mr:{meeting_id}:20261201y",
        f"mr:{meeting_id}:20261201n",
    ]
    clock.now += timedelta(minutes=5)
    assert await scan(sessions) == 0 and len(await outbox_rows(sessions)) == 2  # once
    clock.now = start_at - timedelta(hours=1, minutes=59)  # a minute past the 2 h one
    assert await scan(sessions) == 1
    assert len(await outbox_rows(sessions)) == 4


async def test_missed_while_down_sent_late_if_not_begun_else_nothing(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    start = datetime(2026, 12, 1, 18)
    await setup(sessions, start)
    start_at = instant(start, KYIV)
    clock.now = start_at - timedelta(hours=3)  # down over the 24 h reminder's time
    assert await scan(sessions) == 1
    rows = await outbox_rows(sessions)
    assert len(rows) == 2
    assert all(
        "late" in r.payload["params"]["text"]
        or "запізн" in r.payload["params"]["text"]
        or "опозд" in r.payload["params"]["text"]
        for r in rows
    )
    clock.now = start_at + timedelta(minutes=5)  # down over the 2 h one and the start
    assert await scan(sessions) == 1
    assert len(await outbox_rows(sessions)) == 2  # the begun meeting got nothing
    async with sessions() as session:
        outcomes = sorted(
            (r.offset_minutes, r.outcome) for r in await session.scalars(select(MeetingReminder))
        )
    assert outcomes == [(120, repo.BEGUN), (1440, repo.LATE)]


async def test_moved_start_rearms_and_sends_again_never_in_the_past(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    start = datetime(2026, 12, 1, 18)
    meeting_id, _people = await setup(sessions, start)
    start_at = instant(start, KYIV)
    clock.now = start_at - timedelta(hours=23)
    assert await scan(sessions) == 1  # the 24 h reminder for the old start
    async with sessions() as session, session.begin():
        meeting = await repo.get_meeting(session, meeting_id)
        assert meeting is not None
        await repo.change_occurrence(
            session, meeting, start.date(), start_local=datetime(2026, 12, 2, 19)
        )
    new_at = instant(datetime(2026, 12, 2, 19), KYIV)
    clock.now = new_at - timedelta(hours=24)
    assert await scan(sessions) == 1
    rows = await outbox_rows(sessions)
    assert len(rows) == 4  # sent again for the new time
    assert (
        "середа, 2 грудня, 19:00"
        in rows[2].payload["params"]["text"] + rows[3].payload["params"]["text"]
    )
    # now Tuesday 19:00; moved to 20:00 today: neither offset is still ahead, so nothing is
    # armed in the past and the 2 h reminder of Wednesday's start is closed
    async with sessions() as session, session.begin():
        meeting = await repo.get_meeting(session, meeting_id)
        assert meeting is not None
        await repo.change_occurrence(
            session, meeting, start.date(), start_local=datetime(2026, 12, 1, 20, 0)
        )
        pending = await session.scalars(
            select(MeetingReminder).where(MeetingReminder.enqueued_at.is_(None))
        )
        assert list(pending) == []
    clock.now += timedelta(minutes=50)
    assert await scan(sessions) == 0
    assert len(await outbox_rows(sessions)) == 4


async def test_cancelled_occurrence_gets_no_reminder_series_goes_on(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    start = datetime(2026, 12, 1, 18)
    meeting_id, _people = await setup(sessions, start, repeat="weekly")
    async with sessions() as session, session.begin():
        meeting = await repo.get_meeting(session, meeting_id)
        assert meeting is not None
        await repo.change_occurrence(session, meeting, start.date(), cancelled=True)
    clock.now = instant(start, KYIV) - timedelta(hours=2)
    assert await scan(sessions) == 0
    assert await outbox_rows(sessions) == []
    clock.now = instant(datetime(2026, 12, 8, 18), KYIV) - timedelta(hours=24)
    assert await scan(sessions) == 1
    assert len(await outbox_rows(sessions)) == 2


@pytest.mark.parametrize(
    ("first", "meeting", "due_local"),
    [
        # weekly on Sundays at 18:00; the Sunday of the spring change: due Saturday 17:00
        (datetime(2026, 3, 15, 18), datetime(2026, 3, 29, 18), datetime(2026, 3, 28, 17)),
        # the Sunday of the autumn change: due Saturday 19:00
        (datetime(2026, 10, 11, 18), datetime(2026, 10, 25, 18), datetime(2026, 10, 24, 19)),
    ],
)
async def test_clock_changes(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    first: datetime,
    meeting: datetime,
    due_local: datetime,
) -> None:
    clock.now = instant(first, KYIV) + timedelta(hours=1)
    await setup(sessions, first, repeat="weekly")
    due = instant(due_local, KYIV)
    clock.now = due - timedelta(seconds=1)
    await scan(sessions)
    before = len(await outbox_rows(sessions))
    clock.now = due
    assert await scan(sessions) == 1
    rows = (await outbox_rows(sessions))[before:]
    assert len(rows) == 2
    day = "29 березня" if meeting.month == 3 else "25 жовтня"
    assert any(
        f"неділя, {day}, 18:00 за київським часом" in r.payload["params"]["text"] for r in rows
    )


async def test_a_sensitive_groups_reminder_reaches_accepted_members_only_unnamed_protected(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        community = await session.scalar(select(Community).order_by(Community.id).limit(1))
        assert community is not None
        group = SelfHelpGroup(
            community_id=community.id,
            title_uk="Батьки дітей з інвалідністю",
            title_ru="Родители детей с инвалидностью",
            topic="disability",
            join_policy="approval",
            sensitive=True,
        )
        member = User(telegram_id=8001, language="ru", community_id=community.id)
        pending = User(telegram_id=8002, language="uk", community_id=community.id)
        session.add_all([group, member, pending])
        await session.flush()
        session.add_all(
            [
                GroupMembership(group_id=group.id, user_id=member.id, status="accepted"),
                GroupMembership(group_id=group.id, user_id=pending.id, status="pending"),
            ]
        )
        start = datetime(2026, 12, 1, 18)
        meeting = Meeting(
            community_id=community.id,
            group_id=group.id,
            title_uk="Зустріч батьків",
            title_ru="Встреча родителей",
            place="Школа №2",
            first_local=start,
            zone=KYIV,
            duration_minutes=90,
            repeat="none",
            offsets=[120],
        )
        await repo.create_meeting(session, meeting)
    clock.now = instant(start, KYIV) - timedelta(hours=2)
    assert await scan(sessions) == 1
    rows = await outbox_rows(sessions)
    assert [r.chat_id for r in rows] == [8001]  # the pending member gets nothing
    params = rows[0].payload["params"]
    first_line = params["text"].splitlines()[0]
    assert "родител" not in first_line.lower() and "Встреча родителей" in params["text"]
    assert params["protect_content"] is True


async def test_a_notice_also_goes_to_the_groups_linked_chat_without_buttons(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    async with sessions() as session, session.begin():
        community = await session.scalar(select(Community).order_by(Community.id).limit(1))
        assert community is not None
        group = SelfHelpGroup(
            community_id=community.id,
            title_uk="Ромська ініціатива",
            title_ru="Ромская инициатива",
            topic="ethnicity",
            sensitive=False,
        )
        member = User(telegram_id=9001, language="uk", community_id=community.id)
        session.add_all([group, member])
        await session.flush()
        session.add_all(
            [
                GroupMembership(group_id=group.id, user_id=member.id, status="accepted"),
                GroupChat(group_id=group.id, chat_id=-100777, is_active=True),
            ]
        )
        meeting = Meeting(
            community_id=community.id,
            group_id=group.id,
            title_uk="Зустріч ініціативи",
            title_ru="Встреча инициативы",
            place="Бібліотека",
            first_local=datetime(2026, 12, 3, 17),
            zone=KYIV,
            duration_minutes=60,
            repeat="none",
            offsets=[120],
        )
        await repo.create_meeting(session, meeting)
        o = await repo.occurrence(session, meeting, datetime(2026, 12, 3).date())
        assert o is not None
        written = await tell_everyone(session, meeting, o, News.NEW, TRANSLATORS, "uk")
        again = await tell_everyone(session, meeting, o, News.NEW, TRANSLATORS, "uk")
    assert written == 2
    assert again == 0  # the same news about the same start: keys already there, left out
    rows = {r.chat_id: r.payload["params"] for r in await outbox_rows(sessions)}
    assert set(rows) == {9001, -100777}
    assert "reply_markup" in rows[9001] and "reply_markup" not in rows[-100777]
    assert rows[-100777]["text"].startswith("📅")
    assert "четвер, 3 грудня, 17:00 за київським часом" in rows[-100777]["text"]


async def test_two_processes_scanning_at_once_enqueue_each_reminder_once(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, backend: str
) -> None:
    if backend != "postgresql" and backend != "postgres":
        pytest.skip("SQLite writers never overlap (BEGIN IMMEDIATE): the race needs PostgreSQL")
    start = datetime(2026, 12, 1, 18)
    await setup(sessions, start)
    clock.now = instant(start, KYIV) - timedelta(hours=2)
    closed = await asyncio.gather(scan(sessions), scan(sessions))
    assert sum(closed) == 2  # the 24 h one (late) and the 2 h one, each closed by one scan
    rows = await outbox_rows(sessions)
    assert len(rows) == 4  # two reminders (24 h late, 2 h) to two people, once each
    assert len({r.dedup_key for r in rows}) == 4
