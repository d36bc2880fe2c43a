"""/stats figures come from the database's aggregates; one known data set gives the same
exact figures on SQLite and PostgreSQL (odd and even counts for the median, waits that
differ by microseconds, requests outside the period and of another community)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import session_factory
from storage.models import Community, StaffRole
from storage.repositories import requests, staff
from storage.repositories.users import touch_user
from storage.types import set_clock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    frozen = Clock()
    set_clock(frozen)
    try:
        yield frozen
    finally:
        set_clock(None)


async def community_id(session: AsyncSession, code: str) -> int:
    return (await session.execute(select(Community.id).where(Community.code == code))).scalar_one()


async def moderator(session: AsyncSession, code: str, telegram_id: int) -> StaffRole:
    user = await touch_user(session, telegram_id)
    community = (
        await session.execute(select(Community).where(Community.code == code))
    ).scalar_one()
    invite = await staff.create_invite(session, role="moderator", community=community)
    role = (await staff.accept_invite(session, invite, user)).role
    assert role is not None
    return role


async def test_stats_known_data_set(db: AsyncSession, clock: Clock) -> None:
    dru, vuh = await community_id(db, "DRU"), await community_id(db, "VUH")
    mod_dru, mod_vuh = await moderator(db, "DRU", 9001), await moderator(db, "VUH", 9002)
    author = await touch_user(db, 9003)

    async def request(
        community: int,
        role: StaffRole,
        category: str,
        age: timedelta,
        wait: timedelta | None,
        helped: bool | None = None,
        closed: bool = False,
    ) -> None:
        clock.now = NOW - age
        created = await requests.create_request(
            db,
            author_id=author.id,
            community_id=community,
            category=category,
            text="?",
            photos=[],
            urgent=False,
        )
        if wait is not None:
            clock.now = NOW - age + wait
            assert await requests.answer(db, created, role, "ok")
            if helped is not None:
                assert await requests.rate(db, created, helped)
            if closed:
                assert await requests.close(db, created, actor_kind="resident")
        clock.now = NOW

    day, hour, minute = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
    await request(dru, mod_dru, "police", 2 * day, 10 * minute, helped=True)
    await request(dru, mod_dru, "social", 2 * day - hour, 30 * minute + 2 * US, helped=False)
    await request(dru, mod_dru, "police", 3 * day, 50 * minute)
    await request(dru, mod_dru, "police", 3 * day, None)  # still new
    await request(dru, mod_dru, "social", 20 * day, hour + 4 * US, closed=True)
    await request(dru, mod_dru, "police", 60 * day, 2 * hour)
    # Created at x.9996 s: a clock that keeps milliseconds only would round it up a second.
    await request(dru, mod_dru, "legal", 61 * day - 400 * US, 55 * minute + 500 * US)
    await request(dru, mod_dru, "police", 100 * day, 5 * minute)  # outside every period
    await request(vuh, mod_vuh, "police", day, minute)  # another community

    week = await requests.stats(db, dru, 7)
    assert week == requests.Stats(
        days=7,
        total=4,
        by_category={"police": 3, "social": 1},
        by_status={"answered": 3, "new": 1},
        median_first_answer=30 * minute + 2 * US,  # odd count: the middle one
        rated=2,
        helped=1,
    )
    month = await requests.stats(db, dru, 30)
    assert month == requests.Stats(
        days=30,
        total=5,
        by_category={"police": 3, "social": 2},
        by_status={"answered": 3, "new": 1, "closed": 1},
        median_first_answer=40 * minute + US,  # even count: (30 min 2 µs + 50 min) / 2
        rated=2,
        helped=1,
    )
    quarter = await requests.stats(db, dru, 90)
    assert quarter == requests.Stats(
        days=90,
        total=7,
        by_category={"police": 4, "social": 2, "legal": 1},
        by_status={"answered": 5, "new": 1, "closed": 1},
        # even count: (50 min + 55 min 500 µs) / 2, the latter created at 11:59:59.999600
        median_first_answer=52 * minute + 30 * timedelta(seconds=1) + 250 * US,
        rated=2,
        helped=1,
    )
    assert await requests.stats_by_period(db, dru, (7, 30, 90)) == [week, month, quarter]


async def test_stats_without_answers_or_requests(db: AsyncSession, clock: Clock) -> None:
    sar = await community_id(db, "SAR")
    author = await touch_user(db, 9004)
    clock.now = NOW - timedelta(days=2)
    await requests.create_request(
        db,
        author_id=author.id,
        community_id=sar,
        category="legal",
        text="?",
        photos=[],
        urgent=False,
    )
    clock.now = NOW
    unanswered = await requests.stats(db, sar, 7)
    assert (unanswered.total, unanswered.median_first_answer, unanswered.rated) == (1, None, 0)
    assert await requests.stats(db, sar, 1) == requests.Stats(1, 0, {}, {}, None, 0, 0)


async def test_stats_loads_no_request_into_python(engine: AsyncEngine) -> None:
    """The figures are aggregates: however many requests there are, none is loaded."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        dru = await community_id(session, "DRU")
        role = await moderator(session, "DRU", 9005)
        author = await touch_user(session, 9006)
        for n in range(30):
            created = await requests.create_request(
                session,
                author_id=author.id,
                community_id=dru,
                category=("police", "social")[n % 2],
                text="?",
                photos=[],
                urgent=False,
            )
            if n % 3:
                assert await requests.answer(session, created, role, "ok")
    loaded: list[object] = []

    async with sessions() as session:
        event.listen(session.sync_session, "loaded_as_persistent", lambda _s, o: loaded.append(o))
        figures = [await requests.stats(session, dru, days) for days in (7, 30, 90)]
    assert [f.total for f in figures] == [30, 30, 30]
    assert [type(o).__name__ for o in loaded] == []
