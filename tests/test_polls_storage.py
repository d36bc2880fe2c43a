"""Poll votes in the database: one per resident and poll (by the unique constraint), a
change replaces, refusals change nothing; races on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import session_factory
from storage.models import (
    Community,
    MeetingOptIn,
    OutboxMessage,
    Poll,
    PollRecipient,
    PollVote,
    User,
)
from storage.repositories import polls, polls_live
from storage.repositories.polls import Vote

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
WAVE = 20  # sessions racing at once: the test engine's pool (10 + 10 overflow)


async def _people(session: AsyncSession, n: int, start: int = 1000) -> list[int]:
    community = await session.scalar(select(Community.id).order_by(Community.id))
    rows = [
        {
            "telegram_id": start + i,
            "language": "ru" if i % 2 else "uk",
            "community_id": community,
            "is_reachable": True,
            "created_at": NOW,
            "last_seen_at": NOW,
        }
        for i in range(n)
    ]
    await session.execute(insert(User), rows)
    ids = list(
        await session.scalars(select(User.id).where(User.telegram_id >= start).order_by(User.id))
    )
    # opted in to working-group news: a community poll's audience
    await session.execute(insert(MeetingOptIn), [{"user_id": i, "at": NOW} for i in ids])
    return ids


async def _poll(session: AsyncSession, *, multiple: bool = False) -> Poll:
    community = await session.scalar(select(Community.id).order_by(Community.id))
    assert community is not None
    poll = await polls.create_poll(
        session,
        community_id=community,
        creator_id=None,
        question_uk="Питання",
        question_ru="",
        options=[("Так", "Да"), ("Ні", "Нет"), ("Не знаю", "")],
        multiple=multiple,
        audience="community",
        closes_at=NOW + timedelta(days=1),
        results_live=True,
        min_votes=5,
    )
    await polls.add_recipients(session, poll.id, await polls.audience(session, poll))
    return poll


async def test_single_choice_one_row_changed_in_place(db: AsyncSession) -> None:
    (user,) = await _people(db, 1)
    poll = await _poll(db)
    assert await polls.cast(db, poll, user, 1, language="uk", now=NOW) is Vote.CHOSEN
    assert await polls.cast(db, poll, user, 1, language="uk", now=NOW) is Vote.ALREADY
    assert await polls.cast(db, poll, user, 2, language="uk", now=NOW) is Vote.CHANGED
    tally = await polls.tally(db, poll.id)
    assert tally.counts == {1: 0, 2: 1, 3: 0} and tally.voters == 1
    assert await polls.choices_of(db, poll.id, user) == {2}


async def test_multiple_choice_one_row_per_option(db: AsyncSession) -> None:
    (user,) = await _people(db, 1)
    poll = await _poll(db, multiple=True)
    assert await polls.cast(db, poll, user, 1, language="ru", now=NOW) is Vote.CHOSEN
    assert await polls.cast(db, poll, user, 1, language="ru", now=NOW) is Vote.ALREADY
    assert await polls.cast(db, poll, user, 3, language="ru", now=NOW) is Vote.CHOSEN
    assert await polls.cast(db, poll, user, 1, language="ru", choose=False, now=NOW) is Vote.REMOVED
    assert await polls.cast(db, poll, user, 1, language="ru", choose=False, now=NOW) is Vote.ALREADY
    assert await polls.choices_of(db, poll.id, user) == {3}
    assert await polls.tally_by_language(db, poll.id) == {(3, "ru"): 1}


async def test_community_audience_is_who_opted_in(db: AsyncSession) -> None:
    await _people(db, 3)
    community = await db.scalar(select(Community.id).order_by(Community.id))
    db.add(User(telegram_id=555, language="uk", community_id=community))  # not opted in
    await db.flush()
    poll = await _poll(db)
    assert len(await polls.audience(db, poll)) == 3


async def test_refusals_change_nothing(db: AsyncSession) -> None:
    (user,) = await _people(db, 1)
    poll = await _poll(db)
    outsider = User(telegram_id=999_999, language="uk", community_id=None)
    db.add(outsider)
    await db.flush()
    assert await polls.cast(db, poll, outsider.id, 1, language="uk", now=NOW) is Vote.NOT_RECIPIENT
    assert await polls.cast(db, poll, user, 11, language="uk", now=NOW) is Vote.NO_OPTION
    late = poll.closes_at
    assert await polls.cast(db, poll, user, 1, language="uk", now=late) is Vote.CLOSED
    assert (await polls.tally(db, poll.id)).voters == 0
    assert await polls.due(db, late) == [poll.id]
    assert await polls.close(db, poll.id, now=late)
    assert not await polls.close(db, poll.id, now=late)


async def test_refresh_throttle_per_message(db: AsyncSession) -> None:
    (user,) = await _people(db, 1)
    poll = await _poll(db)
    assert await polls.refresh_allowed(db, poll.id, user, every=5, now=NOW)
    assert not await polls.refresh_allowed(
        db, poll.id, user, every=5, now=NOW + timedelta(seconds=4)
    )
    assert await polls.refresh_allowed(db, poll.id, user, every=5, now=NOW + timedelta(seconds=9))


async def _race(engine: AsyncEngine, poll_id: int, voters: list[tuple[int, int]]) -> list[Vote]:
    """Each (user, option) in its own session and transaction, all at once."""
    sessions = session_factory(engine)
    gate = asyncio.Event()
    ready = 0

    async def one(user: int, option: int) -> Vote:
        nonlocal ready
        async with sessions() as session, session.begin():
            poll = await polls.get_poll(session, poll_id)
            assert poll is not None
            ready += 1
            if ready == len(voters):  # a barrier: everyone has read before anyone writes
                gate.set()
            await gate.wait()
            return await polls.cast(session, poll, user, option, language="uk", now=NOW)

    return await asyncio.gather(*(one(u, o) for u, o in voters))


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("races need concurrent writers: SQLite runs one writer at a time")


async def test_a_thousand_residents_at_once(engine: AsyncEngine, postgres_only: None) -> None:
    async with session_factory(engine)() as session, session.begin():
        people = await _people(session, 1000)
        poll_id = (await _poll(session)).id
    # in waves as wide as the engine's pool (20 connections): within a wave every session
    # has read the poll before any writes; the waves follow one another at once
    ballots = [(u, 1 + u % 3) for u in people]
    outcomes = []
    for start in range(0, len(ballots), WAVE):
        outcomes += await _race(engine, poll_id, ballots[start : start + WAVE])
    assert outcomes.count(Vote.CHOSEN) == 1000
    async with session_factory(engine)() as session:
        total = await session.scalar(select(func.count()).select_from(PollVote))
        distinct = await session.scalar(select(func.count(func.distinct(PollVote.user_id))))
    assert total == 1000 and distinct == 1000


async def test_a_thousand_residents_each_pressing_two_answers_at_once(
    engine: AsyncEngine, postgres_only: None
) -> None:
    """Every resident presses two different answers at the same moment (both presses in the
    same wave): still exactly 1,000 rows, one per person, each the last word of one of the
    two presses."""
    async with session_factory(engine)() as session, session.begin():
        people = await _people(session, 1000)
        poll_id = (await _poll(session)).id
    presses = [press for u in people for press in ((u, 1), (u, 2))]
    outcomes = []
    for start in range(0, len(presses), WAVE):
        outcomes += await _race(engine, poll_id, presses[start : start + WAVE])
    assert outcomes.count(Vote.CHOSEN) == 1000  # one first vote each
    assert (
        outcomes.count(Vote.CHOSEN) + outcomes.count(Vote.CHANGED) + outcomes.count(Vote.ALREADY)
        == 2000
    )
    async with session_factory(engine)() as session:
        total = await session.scalar(select(func.count()).select_from(PollVote))
        distinct = await session.scalar(select(func.count(func.distinct(PollVote.user_id))))
        tally = await polls.tally(session, poll_id)
    assert total == 1000 and distinct == 1000
    assert tally.voters == 1000 and tally.counts[1] + tally.counts[2] == 1000


async def test_twenty_presses_of_one_person_one_row(
    engine: AsyncEngine, postgres_only: None
) -> None:
    async with session_factory(engine)() as session, session.begin():
        (user,) = await _people(session, 1)
        poll_id = (await _poll(session)).id
    outcomes = await _race(engine, poll_id, [(user, 2)] * 20)
    assert outcomes.count(Vote.CHOSEN) == 1
    assert outcomes.count(Vote.ALREADY) == 19
    async with session_factory(engine)() as session:
        rows = list(await session.scalars(select(PollVote)))
    assert len(rows) == 1 and rows[0].slot == 0


async def _live_edit(
    db: AsyncSession, poll_id: int, user: int, at: int, status: str, error: str | None = None
) -> None:
    key = polls_live.edit_key(poll_id, user, 77, NOW + timedelta(seconds=at))
    db.add(
        OutboxMessage(
            chat_id=user,
            payload={},
            dedup_key=key,
            status=status,
            not_before=NOW,
            last_error=error,
        )
    )
    await db.flush()


async def _live_keys(db: AsyncSession) -> set[tuple[str, str]]:
    rows = await db.execute(
        select(OutboxMessage.dedup_key, OutboxMessage.status).where(
            OutboxMessage.dedup_key.like("poll:%:live:%")
        )
    )
    return {(str(k), str(s)) for k, s in rows.all()}


async def test_a_redraw_and_the_close_drop_the_queued_live_edits(db: AsyncSession) -> None:
    """A live edit drawn before the person's own redraw (or before the close) would put back
    their older choice (or show the poll open): it is deleted while it waits; sent and
    dead rows, and other people's edits, stay (review finding)."""
    first, second = await _people(db, 2)
    poll = await _poll(db)
    await _live_edit(db, poll.id, first, 0, "pending")
    await _live_edit(db, poll.id, first, 1, "sent")
    await _live_edit(db, poll.id, second, 2, "pending")
    await _live_edit(db, poll.id, second, 3, "dead")
    assert await polls_live.drop_pending(db, poll.id, first) == 1
    keys = await _live_keys(db)
    assert all(
        not (k.startswith(f"poll:{poll.id}:live:{first}:") and s == "pending") for k, s in keys
    )
    assert len(keys) == 3
    assert await polls.close(db, poll.id, now=NOW)
    assert sorted(s for _, s in await _live_keys(db)) == ["dead", "sent"]


async def _shows_on(db: AsyncSession, poll_id: int, users: list[int], message: int | None) -> None:
    await db.execute(
        update(PollRecipient)
        .where(PollRecipient.poll_id == poll_id, PollRecipient.user_id.in_(users))
        .values(message_id=message)
    )


async def _messages(db: AsyncSession, poll_id: int) -> dict[int, int | None]:
    rows = await db.execute(
        select(PollRecipient.user_id, PollRecipient.message_id).where(
            PollRecipient.poll_id == poll_id
        )
    )
    return {int(u): m for u, m in rows.all()}


async def test_only_a_message_gone_for_good_is_forgotten_and_only_once(db: AsyncSession) -> None:
    """Review finding: any dead live edit made `forget_lost` forget the message, so retries
    run out during an outage stopped a live message for good, and a message the person
    voted on again was forgotten again at every run. Only "message to edit not found" (or
    "can't be edited") forgets, and the dead row that said so is spent."""
    outage, deleted = await _people(db, 2)
    poll = await _poll(db)
    await _shows_on(db, poll.id, [outage, deleted], 77)
    await _live_edit(db, poll.id, outage, 0, "dead", "TimedOut")
    await _live_edit(db, poll.id, deleted, 1, "dead", "Message to edit not found")
    assert await polls_live.forget_lost(db, poll.id) == 1
    shown = await _messages(db, poll.id)
    assert shown[outage] == 77 and shown[deleted] is None
    assert [s for k, s in await _live_keys(db) if f":live:{deleted}:" in k] == []
    await _shows_on(db, poll.id, [deleted], 77)  # the person votes on that message again
    assert await polls_live.forget_lost(db, poll.id) == 0
    assert (await _messages(db, poll.id))[deleted] == 77
