"""Vote privacy (issue 10): /forget and the retention unlink votes from people while every
count stays right; /mydata lists a person's votes; migration 0013 gives the votes already
there their ballots. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from scheduler import retention
from storage.engine import session_factory
from storage.models import Community, MeetingOptIn, Poll, PollRecipient, PollVote, User
from storage.privacy.erase import Outcome, erase_user
from storage.privacy.export import export_user
from storage.privacy.policy import PrivacyPolicy, Retention
from storage.repositories import polls
from storage.repositories.polls import Vote
from storage.types import set_clock
from tests.test_fsm_migration import _alembic, empty_engine
from tests.test_polls_storage import _people as storage_people
from tests.test_polls_storage import _poll as storage_poll
from tests.test_polls_storage import _race as race
from tests.test_polls_storage import postgres_only

__all__ = ["empty_engine", "postgres_only"]

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock()
    set_clock(frozen)
    try:
        yield frozen
    finally:
        set_clock(None)


async def _people(session: AsyncSession, n: int) -> list[User]:
    community = await session.scalar(select(Community.id).order_by(Community.id))
    people = [
        User(
            telegram_id=7000 + i,
            language="ru" if i % 2 else "uk",
            community_id=community,
            is_reachable=True,
        )
        for i in range(n)
    ]
    session.add_all(people)
    await session.flush()
    session.add_all(MeetingOptIn(user_id=p.id, at=T0) for p in people)
    await session.flush()
    return people


async def _poll(session: AsyncSession, *, multiple: bool) -> Poll:
    community = await session.scalar(select(Community.id).order_by(Community.id))
    assert community is not None
    poll = await polls.create_poll(
        session,
        community_id=community,
        creator_id=None,
        question_uk="Що важливо?",
        question_ru="Что важно?",
        options=[("Вода", "Вода"), ("Світло", "Свет"), ("Дороги", "Дороги")],
        multiple=multiple,
        audience="community",
        closes_at=T0 + timedelta(days=7),
        results_live=True,
        min_votes=1,
    )
    await polls.add_recipients(session, poll.id, await polls.audience(session, poll))
    return poll


async def _vote(session: AsyncSession, poll: Poll, user: User, *positions: int) -> None:
    for position in positions:
        outcome = await polls.cast(session, poll, user.id, position, language="uk", now=T0)
        assert outcome in (Vote.CHOSEN, Vote.CHANGED)


async def test_forget_unlinks_votes_and_the_counts_stay(db: AsyncSession) -> None:
    olena, petro, ira = await _people(db, 3)
    single = await _poll(db, multiple=False)
    several = await _poll(db, multiple=True)
    await _vote(db, single, olena, 1)
    await _vote(db, single, petro, 1)
    await _vote(db, single, ira, 2)
    await _vote(db, several, olena, 1, 2, 3)
    await _vote(db, several, petro, 2)
    before = (await polls.tally(db, single.id), await polls.tally(db, several.id))
    assert before[1].counts == {1: 1, 2: 2, 3: 1} and before[1].voters == 2

    policy = PrivacyPolicy(retention=Retention())
    assert (await erase_user(db, olena, policy)).outcome is Outcome.ERASED

    after = (await polls.tally(db, single.id), await polls.tally(db, several.id))
    assert after == before  # counts and distinct voters unchanged
    unlinked = await db.scalar(
        select(func.count()).select_from(PollVote).where(PollVote.user_id.is_(None))
    )
    assert unlinked == 4  # her one single-choice row and three multiple-choice rows
    times = await db.scalars(
        select(PollVote.voted_at, Poll.created_at)
        .join(Poll, Poll.id == PollVote.poll_id)
        .where(PollVote.user_id.is_(None), PollVote.voted_at != Poll.created_at)
    )
    assert list(times) == []  # no exact second of hers left to match against anything
    assert await db.scalar(select(func.count()).select_from(User).where(User.id == olena.id)) == 0
    assert not await polls.is_recipient(db, several.id, olena.id)
    assert await polls.choices_of(db, several.id, petro.id) == {2}  # others untouched
    # the voters' list (who gets the results) no longer holds her
    assert [r.user_id for r in await polls.voters(db, several.id)] == [petro.id]
    # a vote still linked can be changed without counting twice
    assert await polls.cast(db, several, petro.id, 1, language="uk", now=T0) is Vote.CHOSEN
    assert (await polls.tally(db, several.id)).voters == 2


async def test_mydata_lists_the_persons_votes_and_nobody_elses(db: AsyncSession) -> None:
    olena, petro = await _people(db, 2)
    several = await _poll(db, multiple=True)
    await _vote(db, several, olena, 1, 3)
    await _vote(db, several, petro, 2)
    exported = await export_user(db, petro, lambda s: s)
    section = exported["sections"]["polls"]
    assert section["data"] == [
        {"poll": "Что важно?", "answer": "Свет", "voted": "2026-03-01T09:00:00Z", "closed": None}
    ]  # petro reads Russian
    assert set(section["fields"]) == {"poll", "answer", "voted", "closed"}
    mine = (await export_user(db, olena, lambda s: s))["sections"]["polls"]["data"]
    assert [v["answer"] for v in mine] == ["Вода", "Дороги"]


async def test_retention_unlinks_closed_polls_votes_after_180_days(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        people = await _people(session, 3)
        closed = await _poll(session, multiple=True)
        still_open = await _poll(session, multiple=False)
        for person in people:
            await _vote(session, closed, person, 1, 2)
            await _vote(session, still_open, person, 3)
        assert await polls.close(session, closed.id, now=T0)
        ids = (closed.id, still_open.id)
    async with sessions() as session:
        before = [await polls.tally(session, i) for i in ids]
    assert before[0].counts == {1: 3, 2: 3, 3: 0} and before[0].voters == 3

    clock.now = T0 + timedelta(days=180)
    assert (await retention.nightly(sessions, Retention()))["poll_vote_links"] == 0

    clock.now = T0 + timedelta(days=180, seconds=1)
    assert (await retention.nightly(sessions, Retention()))["poll_vote_links"] == 6
    async with sessions() as session:
        assert [await polls.tally(session, i) for i in ids] == before
        linked = dict(
            (
                await session.execute(
                    select(PollVote.poll_id, func.count(PollVote.user_id)).group_by(
                        PollVote.poll_id
                    )
                )
            ).all()
        )
        assert linked == {ids[0]: 0, ids[1]: 3}  # the open poll's votes keep their link
        recipients = await session.scalar(
            select(func.count()).select_from(PollRecipient).where(PollRecipient.poll_id == ids[0])
        )
        assert recipients == 0  # nothing left that ties a ballot to a person
        assert await polls.voters(session, ids[0]) == []
        assert await polls.votes_of(session, people[0].id) != []  # only the open poll's
        assert {v.poll.id for v in await polls.votes_of(session, people[0].id)} == {ids[1]}
    assert (await retention.nightly(sessions, Retention()))["poll_vote_links"] == 0


async def _insert(conn: object, sql: str, **values: object) -> None:
    await conn.execute(text(sql), values)  # type: ignore[attr-defined]


async def test_migration_0013_gives_existing_votes_ballots(empty_engine: AsyncEngine) -> None:
    await _alembic(empty_engine, command.upgrade, "0012")
    async with empty_engine.begin() as conn:
        await _insert(
            conn,
            "INSERT INTO communities (id, code, slug, name_uk, name_ru, oblast, timezone,"
            " is_active, request_seq, created_at) VALUES (1, 'DRU', 'dru', 'Д', 'Д', '',"
            " 'Europe/Kyiv', true, 0, CURRENT_TIMESTAMP)",
        )
        for uid in (1, 2, 3):
            await _insert(
                conn,
                "INSERT INTO users (id, telegram_id, is_reachable, created_at, last_seen_at)"
                " VALUES (:id, :tid, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                id=uid,
                tid=100 + uid,
            )
        for poll_id, multiple in ((1, False), (2, True)):
            await _insert(
                conn,
                "INSERT INTO polls (id, community_id, template, question_uk, question_ru,"
                " multiple, audience, results_live, min_votes, closes_at, created_at)"
                " VALUES (:id, 1, 'custom', 'П', '', :multiple, 'community', true, 1,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                id=poll_id,
                multiple=multiple,
            )
            for position in (1, 2):
                await _insert(
                    conn,
                    "INSERT INTO poll_options (id, poll_id, position, text_uk, text_ru)"
                    " VALUES (:id, :poll, :position, 'в', '')",
                    id=poll_id * 10 + position,
                    poll=poll_id,
                    position=position,
                )
            for uid in (1, 2, 3):
                await _insert(
                    conn,
                    "INSERT INTO poll_recipients (poll_id, user_id, language)"
                    " VALUES (:poll, :user, 'uk')",
                    poll=poll_id,
                    user=uid,
                )
        votes = [(1, 1, 0, 11), (1, 2, 0, 12), (2, 1, 1, 21), (2, 1, 2, 22), (2, 3, 2, 22)]
        for poll_id, uid, slot, option in votes:
            await _insert(
                conn,
                "INSERT INTO poll_votes (poll_id, user_id, slot, option_id, language, voted_at)"
                " VALUES (:poll, :user, :slot, :option, 'uk', CURRENT_TIMESTAMP)",
                poll=poll_id,
                user=uid,
                slot=slot,
                option=option,
            )
    await _alembic(empty_engine, command.upgrade, "0013")

    async with empty_engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT poll_id, user_id, ballot FROM poll_votes ORDER BY id"))
        ).all()
        recipients = dict(
            ((p, u), b)
            for p, u, b in (
                await conn.execute(text("SELECT poll_id, user_id, ballot FROM poll_recipients"))
            ).all()
        )
    assert len(rows) == 5 and all(ballot for _, _, ballot in rows)
    for poll_id, uid, ballot in rows:
        assert recipients[(poll_id, uid)] == ballot  # the vote carries its recipient's ballot
    assert rows[2][2] == rows[3][2]  # one multiple-choice voter: one ballot on both rows
    assert len({ballot for _, _, ballot in rows}) == 4  # four voters across the two polls
    assert len(set(recipients.values())) == 6  # every recipient a ballot of their own

    sessions = session_factory(empty_engine)
    async with sessions() as session, session.begin():
        await session.execute(text("DELETE FROM users WHERE id = 1"))  # ON DELETE SET NULL
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PollVote)) == 5
        tally = await polls.tally(session, 2)
        assert tally.counts == {1: 1, 2: 2} and tally.voters == 2
    # and back: the unlinked votes go (no person to return them to), the others stay
    await _alembic(empty_engine, command.downgrade, "0012")
    async with empty_engine.connect() as conn:
        left = (await conn.execute(text("SELECT poll_id, user_id FROM poll_votes"))).all()
        options = await conn.scalar(text("SELECT count(*) FROM poll_options"))
    assert sorted(tuple(r) for r in left) == [(1, 2), (2, 3)] and options == 4
    await _alembic(empty_engine, command.upgrade, "head")


async def test_simultaneous_presses_of_several_options_share_one_ballot(
    engine: AsyncEngine, postgres_only: None
) -> None:
    """Twenty presses at once by one person on a multiple-choice poll, over three options:
    one row per option, all with the person's one ballot, so one voter (PostgreSQL)."""
    async with session_factory(engine)() as session, session.begin():
        (user,) = await storage_people(session, 1)
        poll_id = (await storage_poll(session, multiple=True)).id
    outcomes = await race(engine, poll_id, [(user, 1 + n % 3) for n in range(20)])
    assert outcomes.count(Vote.CHOSEN) == 3 and outcomes.count(Vote.ALREADY) == 17
    async with session_factory(engine)() as session:
        rows = list(await session.scalars(select(PollVote).order_by(PollVote.slot)))
        assert [r.slot for r in rows] == [1, 2, 3]
        assert len({r.ballot for r in rows}) == 1
        assert (await polls.tally(session, poll_id)).voters == 1
