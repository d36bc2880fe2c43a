"""Reminders across SIGKILL, counted at the local Bot API server: a reminder that became due
while the bot was down goes out once on start (saying it is late), a meeting that began
meanwhile gets none, and a restarted bot sends nothing twice.

The bot runs as a real `python -m bot run` process on the system clock, so the meetings are
placed around the real now: their reminders are armed as the bot armed them before it went
down (rows in `meeting_reminders`), with due times already passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.botapi.server import BotApiServer
from bot.botapi.state import JSON
from flows.recurrence import wall_time
from storage.engine import session_factory
from storage.models import Community, Meeting, MeetingReminder, OutboxMessage, User
from storage.repositories import meetings as repo
from tests.test_e2e_restart import kill, launch

pytestmark = pytest.mark.e2e
KYIV = "Europe/Kyiv"


async def add_meeting(
    engine: AsyncEngine, title: str, start: datetime, offset: timedelta, due: datetime
) -> int:
    """A working-group meeting at `start` with one reminder `offset` before, armed with
    `due` (as the bot armed it before it went down)."""
    start = start.replace(second=0, microsecond=0)
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community).order_by(Community.id).limit(1))
        assert community is not None
        meeting = Meeting(
            community_id=community.id,
            title_uk=title,
            title_ru=title,
            place="Будинок культури",
            first_local=wall_time(start, KYIV),
            zone=KYIV,
            duration_minutes=90,
            repeat="none",
            offsets=[int(offset.total_seconds() // 60)],
        )
        session.add(meeting)
        await session.flush()
        session.add(
            MeetingReminder(
                meeting_id=meeting.id,
                occurrence=wall_time(start, KYIV).date(),
                start_at=start,
                offset_minutes=int(offset.total_seconds() // 60),
                due_at=due,
            )
        )
        return meeting.id


def sent_to(botapi: BotApiServer, chat_id: int, words: str) -> int:
    return sum(
        1
        for call in botapi.calls
        if call.method == "sendMessage"
        and str(call.params.get("chat_id")) == str(chat_id)
        and words in str(call.params.get("text", ""))
    )


def to_chat(chat_id: int, words: str) -> Callable[[JSON], bool]:
    return lambda p: str(p.get("chat_id")) == str(chat_id) and words in str(p.get("text", ""))


async def received(botapi: BotApiServer, chats: tuple[int, ...], words: str) -> None:
    """Until each chat has got a message with `words` (already, or within 60 s)."""
    for chat in chats:
        if sent_to(botapi, chat, words) == 0:  # no await before wait_for_call's baseline
            await botapi.wait_for_call("sendMessage", to_chat(chat, words), timeout=60)


async def recorded_as_sent(engine: AsyncEngine, within: float = 30.0) -> None:
    """Until every outbox row is marked sent. The bot is another process, so its outbox is
    watched in the database (polled; nothing the server sees follows the mark)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(OutboxMessage.status))).scalars().all()
        if rows and all(status == "sent" for status in rows):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox rows not all sent within {within}s: {rows}")
        await asyncio.sleep(0.05)


async def test_due_while_down_sent_once_begun_gets_none_restart_sends_nothing_twice(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    olena, ivan = botapi.user(), botapi.user()
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community).order_by(Community.id).limit(1))
        assert community is not None
        people = [
            User(telegram_id=olena.id, language="uk", community_id=community.id),
            User(telegram_id=ivan.id, language="ru", community_id=community.id),
        ]
        session.add_all(people)
        await session.flush()
        for person in people:
            await repo.set_opt_in(session, person.id, True)
    now = datetime.now(UTC)
    # due an hour ago while the bot was down; the meeting is an hour ahead
    await add_meeting(
        engine,
        "Зустріч А",
        now + timedelta(hours=1, minutes=1),
        timedelta(hours=2),
        now - timedelta(hours=1),
    )
    # due while down, and the meeting began ten minutes ago: no reminder at all
    await add_meeting(
        engine,
        "Зустріч Б",
        now - timedelta(minutes=10),
        timedelta(hours=2),
        now - timedelta(hours=2, minutes=10),
    )

    process = await launch(botapi, database_url, tmp_path)
    try:
        await received(botapi, (olena.id, ivan.id), "Зустріч А")
        await recorded_as_sent(engine)  # killed after the outbox knows it was delivered
    finally:
        kill(process)
    assert sent_to(botapi, olena.id, "Зустріч А") == 1
    assert sent_to(botapi, ivan.id, "Зустріч А") == 1
    assert "запізнилося" in olena.last_message().text  # type: ignore[operator]
    assert "опоздало" in ivan.last_message().text  # type: ignore[operator]

    # a third reminder due now: when it arrives, the restarted bot has scanned and sent
    now = datetime.now(UTC)
    await add_meeting(
        engine, "Зустріч В", now + timedelta(hours=2, minutes=1), timedelta(hours=2), now
    )
    process = await launch(botapi, database_url, tmp_path)
    try:
        await received(botapi, (olena.id, ivan.id), "Зустріч В")
        await recorded_as_sent(engine)
    finally:
        kill(process)
    for resident in (olena, ivan):
        assert sent_to(botapi, resident.id, "Зустріч А") == 1  # not again after the restart
        assert sent_to(botapi, resident.id, "Зустріч В") == 1
        assert sent_to(botapi, resident.id, "Зустріч Б") == 0  # began while the bot was down
    async with engine.connect() as conn:
        outcomes = dict(
            (await conn.execute(select(MeetingReminder.meeting_id, MeetingReminder.outcome))).all()
        )
    assert sorted(str(o) for o in outcomes.values()) == ["begun", "late", "sent"]
