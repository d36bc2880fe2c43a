"""Live results refreshed on every voter's poll message (issue 9), through the local Bot API
server, SQLite and PostgreSQL: after another person votes, an earlier voter's message is
edited to the new counts by the refresh job, at most once per message per refresh period
(the job's clock frozen and moved by hand, the job run by the test); below the minimum no
refresh edit is made (so none carries a count); a "results after closing" poll never gets
one; a message Telegram can no longer edit is given up after one refused edit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from handlers.staff.polls_live import REFRESH_SECONDS
from handlers.staff.polls_publish import publish
from locales import load_translators
from scheduler.polls import LIVE_JOB_ID
from storage.engine import session_factory
from storage.models import OutboxMessage, PollRecipient, User
from storage.repositories import polls
from storage.types import set_clock, system_clock
from tests.request_steps import outbox_drained
from tests.test_e2e_polls import poll_of, residents, vote

pytestmark = pytest.mark.e2e

COUNTED = r"%|█|\d+ · "


class FrozenClock:
    """Time stands still until the test moves it."""

    def __init__(self) -> None:
        self.at = system_clock()

    def __call__(self) -> datetime:
        return self.at

    def move(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    clock = FrozenClock()
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(None)


async def open_poll(
    bot: HromadaApp, engine: AsyncEngine, people: list[FakeUser], *, live: bool, minimum: int
) -> int:
    """A community poll (Так / Ні) published to `people`' community through the outbox.
    Made in the database: the creation flow offers minimums of 5, 10 or 20 only."""
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(
            select(User.community_id).where(User.telegram_id == people[0].id)
        )
        assert community is not None
        poll = await polls.create_poll(
            session,
            community_id=community,
            creator_id=None,
            question_uk="Чи продовжувати зустрічі?",
            question_ru="Продолжать встречи?",
            options=[("Так", "Да"), ("Ні", "Нет")],
            multiple=False,
            audience="community",
            closes_at=system_clock() + timedelta(days=2),
            results_live=live,
            min_votes=minimum,
        )
        assert await publish(session, poll, load_translators(), "Europe/Kyiv") == len(people)
        poll_id = poll.id
    await outbox_drained(bot)
    return poll_id


def live_job(bot: HromadaApp) -> Any:
    """The refresh job, paused in the scheduler: the test runs it itself."""
    scheduler = bot.lifecycle.scheduler
    assert scheduler is not None
    job = scheduler.get_job(LIVE_JOB_ID)
    assert job is not None
    job.pause()
    return job


async def run_job(bot: HromadaApp, job: Any) -> None:
    await job.func(*job.args)
    await outbox_drained(bot)


def edits_to(botapi: BotApiServer, person: FakeUser) -> list[dict[str, Any]]:
    """Every editMessageText of the person's poll message (their own votes' too)."""
    message_id = str(poll_of(person).message_id)
    return [
        c
        for c in botapi.calls_of("editMessageText")
        if str(c.get("chat_id")) == str(person.id) and str(c.get("message_id")) == message_id
    ]


async def live_rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedup_key.like("poll:%:live:%"))
        )
    return int(count or 0)


async def test_a_vote_refreshes_the_other_voters_messages_once_per_period(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, frozen: FrozenClock
) -> None:
    a, b, c = await residents(botapi, "uk ru uk")
    job = live_job(bot)
    await open_poll(bot, engine, [a, b, c], live=True, minimum=2)
    await vote(botapi, a, "Так")
    assert "менше ніж 2" in (poll_of(a).text or "")  # one vote: hidden
    frozen.move(REFRESH_SECONDS)
    await vote(botapi, b, "Да")
    assert "2 · 100% · Да" in (poll_of(b).text or "")  # b's own message, redrawn at once
    own = len(edits_to(botapi, a))
    await run_job(bot, job)
    # the server's view of a's chat: the message now shows both votes, in Ukrainian
    assert "2 · 100% · Так" in (poll_of(a).text or ""), a.history()
    assert "Ваш вибір: Так" in (poll_of(a).text or "")
    assert len(edits_to(botapi, a)) == own + 1
    assert not edits_to(botapi, c)  # c has not voted: no counts, no refresh

    # a burst of votes within one period: no more edits of a's or b's message
    b_before = len(edits_to(botapi, b))
    await vote(botapi, c, "Ні")
    await run_job(bot, job)
    await vote(botapi, c, "Так")
    await run_job(bot, job)
    await vote(botapi, c, "Ні")
    await run_job(bot, job)
    assert len(edits_to(botapi, a)) == own + 1
    assert len(edits_to(botapi, b)) == b_before
    assert "2 · 100% · Так" in (poll_of(a).text or "")  # stale until the period is over

    frozen.move(REFRESH_SECONDS)
    await run_job(bot, job)
    await run_job(bot, job)  # nothing stale any more: no second edit
    assert len(edits_to(botapi, a)) == own + 2
    assert len(edits_to(botapi, b)) == b_before + 1
    assert "2 · 67% · Так" in (poll_of(a).text or "") and "1 · 33% · Ні" in (poll_of(a).text or "")
    assert "2 · 67% · Да" in (poll_of(b).text or "") and "Ваш выбор: Да" in (poll_of(b).text or "")
    assert len(edits_to(botapi, c)) == 3  # c's own three votes only
    assert await live_rows(engine) == 3  # a twice, b once: one outbox row per refresh


async def test_below_the_minimum_no_refresh_edit(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, frozen: FrozenClock
) -> None:
    a, b, c = await residents(botapi, "uk ru uk")
    job = live_job(bot)
    await open_poll(bot, engine, [a, b, c], live=True, minimum=3)
    await vote(botapi, a, "Так")
    frozen.move(REFRESH_SECONDS)
    await vote(botapi, b, "Нет")
    frozen.move(REFRESH_SECONDS)
    await run_job(bot, job)
    assert await live_rows(engine) == 0  # the hidden sentence did not change: no edit
    texts = [str(call.get("text") or "") for call in botapi.calls_of("editMessageText")]
    assert texts and not any(re.search(COUNTED, t) for t in texts), texts
    await vote(botapi, c, "Так")  # the third vote reaches the minimum
    await run_job(bot, job)
    assert "2 · 67% · Так" in (poll_of(a).text or ""), a.history()
    assert "1 · 33% · Нет" in (poll_of(b).text or ""), b.history()
    assert await live_rows(engine) == 2


async def test_results_after_closing_never_get_refresh_edits(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, frozen: FrozenClock
) -> None:
    a, b, c = await residents(botapi, "uk ru uk")
    job = live_job(bot)
    poll_id = await open_poll(bot, engine, [a, b, c], live=False, minimum=2)
    for person, label in ((a, "Так"), (b, "Нет"), (c, "Ні")):
        await vote(botapi, person, label)
        frozen.move(REFRESH_SECONDS)
        await run_job(bot, job)
    assert await live_rows(engine) == 0
    for person in (a, b, c):
        assert len(edits_to(botapi, person)) == 1  # the person's own vote
        assert "%" not in (poll_of(person).text or "")
    async with engine.connect() as conn:
        remembered = await conn.scalar(
            select(func.count())
            .select_from(PollRecipient)
            .where(PollRecipient.poll_id == poll_id, PollRecipient.message_id.is_not(None))
        )
    assert remembered == 0


async def test_a_message_that_cannot_be_edited_is_given_up(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, frozen: FrozenClock
) -> None:
    a, b = await residents(botapi, "uk uk")
    job = live_job(bot)
    poll_id = await open_poll(bot, engine, [a, b], live=True, minimum=1)
    await vote(botapi, a, "Так")
    async with session_factory(engine)() as session, session.begin():
        # as if a deleted the poll message: the stored id points at nothing
        await session.execute(
            update(PollRecipient)
            .where(PollRecipient.poll_id == poll_id, PollRecipient.message_id.is_not(None))
            .values(message_id=987654)
        )
    frozen.move(REFRESH_SECONDS)
    await vote(botapi, b, "Ні")
    await run_job(bot, job)  # one edit, refused: "message to edit not found"
    assert "message to edit not found" in " ".join(botapi.errors_returned)
    frozen.move(REFRESH_SECONDS)
    await run_job(bot, job)  # the refused message is forgotten ...
    await vote(botapi, b, "Так")
    frozen.move(REFRESH_SECONDS)
    await run_job(bot, job)  # ... so a new count makes no new edit of it
    async with engine.connect() as conn:
        dead = await conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "dead", OutboxMessage.dedup_key.like("poll:%:live:%"))
        )
        stored = await conn.scalar(
            select(PollRecipient.message_id)
            .join(User, User.id == PollRecipient.user_id)
            .where(PollRecipient.poll_id == poll_id, User.telegram_id == a.id)
        )
    assert dead == 0 and stored is None  # the dead edit that said so is spent
    assert await live_rows(engine) == 0  # and no new edit of the forgotten message
