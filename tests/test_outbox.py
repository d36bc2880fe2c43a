"""The outbox repository on both backends, the token buckets, and the `outbox` CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from scheduler.buckets import ChatBuckets, RateLimits, TokenBucket
from storage.engine import session_factory
from storage.models import Community, OutboxMessage, StaffChat, User
from storage.repositories import outbox
from storage.repositories.users import touch_user
from storage.types import utcnow

ROOT = Path(__file__).resolve().parent.parent


def message(text: str) -> dict[str, object]:
    return {"method": "sendMessage", "params": {"text": text}}


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        result = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(result.scalars())


async def claim(sessions: async_sessionmaker[AsyncSession], **kwargs: object) -> list[int]:
    async with sessions() as session, session.begin():
        claimed = await outbox.claim_due(session, limit=50, **kwargs)  # type: ignore[arg-type]
        return [row.id for row in claimed]


# -- enqueue ------------------------------------------------------------------------------


async def test_duplicate_key_changes_nothing_and_keeps_the_transaction_usable(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        assert await outbox.enqueue(session, chat_id=1, payload=message("a"), dedup_key="k:1")
        assert not await outbox.enqueue(session, chat_id=1, payload=message("b"), dedup_key="k:1")
        # The caller's transaction goes on: it can read, write and commit.
        session.add(User(telegram_id=555))
        await session.flush()
        assert await session.scalar(select(User.id).where(User.telegram_id == 555)) is not None
    async with sessions() as session, session.begin():
        assert not await outbox.enqueue(session, chat_id=1, payload=message("c"), dedup_key="k:1")
        assert not outbox.enqueued_in(session)  # nothing new: no need to wake the dispatcher
        assert await outbox.enqueue(session, chat_id=1, payload=message("d"), dedup_key="k:2")
    assert outbox.enqueued_in(session)
    stored = await rows(sessions)
    assert [(r.dedup_key, r.payload["params"]["text"]) for r in stored] == [
        ("k:1", "a"),
        ("k:2", "d"),
    ]
    assert all(r.status == "pending" and r.attempts == 0 for r in stored)
    async with sessions() as session:
        assert await session.scalar(select(User.id).where(User.telegram_id == 555)) is not None


async def test_concurrent_duplicate_hits_the_savepoint_not_the_caller(
    sessions: async_sessionmaker[AsyncSession], backend: str
) -> None:
    """Another transaction commits the key after ours took its snapshot: our look-up misses
    it, the unique constraint fires inside the SAVEPOINT, and our transaction goes on."""
    if backend == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no such race")
    async with sessions() as first:
        await first.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        await first.execute(text("SELECT 1"))  # the snapshot is taken here
        async with sessions() as second, second.begin():
            assert await outbox.enqueue(second, chat_id=1, payload=message("x"), dedup_key="r")
        assert not await outbox.enqueue(first, chat_id=1, payload=message("y"), dedup_key="r")
        assert await outbox.enqueue(first, chat_id=1, payload=message("z"), dedup_key="after")
        await first.commit()
    assert [r.payload["params"]["text"] for r in await rows(sessions)] == ["x", "z"]


async def test_rolled_back_enqueue_leaves_no_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await outbox.enqueue(session, chat_id=1, payload=message("a"), dedup_key="gone")
        await session.rollback()
    assert await rows(sessions) == []


@pytest.mark.parametrize(
    "payload",
    [
        {"params": {"text": "x"}},
        {"method": "sendMessage"},
        message("x") | {"params": {"chat_id": 1}},
    ],
    ids=["no-method", "no-params", "chat-in-params"],
)
async def test_malformed_payload_is_refused(
    sessions: async_sessionmaker[AsyncSession], payload: dict[str, object]
) -> None:
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError):
            await outbox.enqueue(session, chat_id=1, payload=payload, dedup_key="bad")


# -- claiming -----------------------------------------------------------------------------


async def test_claim_order_schedule_and_exclusions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()
    async with sessions() as session, session.begin():
        await outbox.enqueue(session, chat_id=1, payload=message("1a"), dedup_key="a")
        await outbox.enqueue(
            session,
            chat_id=1,
            payload=message("later"),
            dedup_key="later",
            not_before=now + timedelta(hours=1),
        )
        await outbox.enqueue(session, chat_id=2, payload=message("2a"), dedup_key="b")
        await outbox.enqueue(session, chat_id=1, payload=message("1b"), dedup_key="c")
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    # Oldest first; the row scheduled for later is not due and holds nothing back.
    assert await claim(sessions) == [ids["a"], ids["b"], ids["c"]]
    assert await claim(sessions, exclude_chats={1}) == [ids["b"]]
    assert await claim(sessions, now=now + timedelta(hours=2)) == [
        ids["a"],
        ids["later"],
        ids["b"],
        ids["c"],
    ]


async def test_row_waiting_for_retry_holds_back_later_rows_of_its_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        for key, chat in (("first", 1), ("second", 1), ("other", 2)):
            await outbox.enqueue(session, chat_id=chat, payload=message(key), dedup_key=key)
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    async with sessions() as session, session.begin():
        await outbox.mark_retry(
            session, ids["first"], error="NetworkError: x", delay=timedelta(seconds=60)
        )
    assert await claim(sessions) == [ids["other"]]
    assert await claim(sessions, now=utcnow() + timedelta(seconds=61)) == [
        ids["first"],
        ids["second"],
        ids["other"],
    ]


async def test_outcomes_dead_rows_and_retry(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        for key in ("sent", "retry", "dead"):
            await outbox.enqueue(session, chat_id=7, payload=message(key), dedup_key=key)
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    long_error = 'BadRequest: can\'t parse entities: unsupported tag "secret words" ' + "x" * 400
    async with sessions() as session, session.begin():
        await outbox.mark_sent(session, ids["sent"])
        await outbox.mark_retry(session, ids["retry"], error="TimedOut", delay=timedelta(0))
        await outbox.mark_dead(session, ids["dead"], error=long_error)
        assert await outbox.pending_count(session) == 1
    by_key = {r.dedup_key: r for r in await rows(sessions)}
    assert by_key["sent"].status == "sent" and by_key["sent"].sent_at is not None
    assert (by_key["retry"].status, by_key["retry"].attempts) == ("pending", 1)
    dead = by_key["dead"]
    assert (dead.status, dead.attempts) == ("dead", 1)
    assert dead.last_error is not None and len(dead.last_error) <= 300
    assert "secret words" not in dead.last_error  # quoted fragments may echo message text

    async with sessions() as session, session.begin():
        assert [r.id for r in await outbox.list_dead(session)] == [ids["dead"]]
        assert await outbox.retry_dead(session, ids["dead"])
        assert not await outbox.retry_dead(session, ids["dead"])  # no longer dead
        assert not await outbox.retry_dead(session, ids["sent"])
    again = {r.dedup_key: r for r in await rows(sessions)}["dead"]
    assert (again.status, again.attempts) == ("pending", 0)
    # A sent row is never touched by retry/dead marks.
    async with sessions() as session, session.begin():
        await outbox.mark_dead(session, ids["sent"], error="late")
    assert {r.dedup_key: r for r in await rows(sessions)}["sent"].status == "sent"


async def test_unreachable_chats_get_nothing_until_they_return(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await touch_user(session, 42)
        community = await session.scalar(select(Community).limit(1))
        assert community is not None
        session.add(StaffChat(community_id=community.id, chat_id=-100500))
        await outbox.enqueue(session, chat_id=42, payload=message("a"), dedup_key="a")
        await outbox.enqueue(
            session,
            chat_id=42,
            payload=message("tomorrow"),
            dedup_key="tomorrow",
            not_before=utcnow() + timedelta(days=1),
        )
        await outbox.enqueue(session, chat_id=-100500, payload=message("g"), dedup_key="g")
        await outbox.enqueue(session, chat_id=43, payload=message("other"), dedup_key="other")
    async with sessions() as session, session.begin():
        assert await outbox.mark_chat_unreachable(session, 42) == 2
        assert await outbox.mark_chat_unreachable(session, -100500) == 1
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.telegram_id == 42))
        chat = await session.scalar(select(StaffChat).where(StaffChat.chat_id == -100500))
        assert user is not None and not user.is_reachable
        assert chat is not None and not chat.is_active
    assert {r.dedup_key: r.status for r in await rows(sessions)} == {
        "a": "dead",
        "tomorrow": "dead",
        "g": "dead",
        "other": "pending",
    }

    # New rows for a chat that is still unreachable die when claimed, they are not sent.
    async with sessions() as session, session.begin():
        await outbox.enqueue(session, chat_id=42, payload=message("b"), dedup_key="b")
        await outbox.enqueue(session, chat_id=-100500, payload=message("g2"), dedup_key="g2")
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    assert await claim(sessions) == [ids["other"]]
    statuses = {r.dedup_key: (r.status, r.last_error) for r in await rows(sessions)}
    assert statuses["b"] == ("dead", "chat unreachable")
    assert statuses["g2"] == ("dead", "chat unreachable")

    # The person writes again: reachable, and new rows are claimed normally.
    async with sessions() as session, session.begin():
        await touch_user(session, 42)
        await outbox.enqueue(session, chat_id=42, payload=message("c"), dedup_key="c")
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    assert await claim(sessions) == [ids["other"], ids["c"]]


def test_advisory_lock_key_is_stable_and_fits_a_bigint() -> None:
    key = outbox.advisory_lock_key(123456)
    assert key == outbox.advisory_lock_key(123456) != outbox.advisory_lock_key(123457)
    assert -(2**63) <= key < 2**63


# -- token buckets (a fake clock: deterministic and instant) -------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_private_chat_one_a_second_with_a_burst_of_three() -> None:
    clock = FakeClock()
    buckets = ChatBuckets(RateLimits(private_per_second=1, private_burst=3), clock=clock)
    bucket = buckets.get(42)
    assert [bucket.try_take() for _ in range(4)] == [True, True, True, False]
    assert bucket.delay() == pytest.approx(1.0)
    clock.now += 0.5
    assert not bucket.try_take()
    assert bucket.delay() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.try_take() and not bucket.try_take()
    # Five messages in a row: three at once, then one a second.
    clock.now += 10
    sent_at: list[float] = []
    while len(sent_at) < 5:
        if bucket.try_take():
            sent_at.append(clock.now)
        else:
            clock.now += bucket.delay()
    assert [t - sent_at[0] for t in sent_at] == pytest.approx([0, 0, 0, 1, 2])
    # Another chat has a bucket of its own.
    assert buckets.get(43).try_take()


def test_group_chat_twenty_a_minute() -> None:
    clock = FakeClock()
    buckets = ChatBuckets(RateLimits(group_per_minute=20), clock=clock)
    group = buckets.get(-1001234)
    sent = 0
    start = clock.now
    while clock.now < start + 59.5:  # one minute: at 0 s, 3 s ... 57 s
        if group.try_take():
            sent += 1
        else:
            clock.now += group.delay()
    assert sent == 20
    assert group.try_take()  # 60 s: the next minute's first
    assert group.delay() == pytest.approx(3.0)


def test_overall_rate_and_unlimited() -> None:
    clock = FakeClock()
    overall = TokenBucket(30, 30, clock=clock)
    assert sum(overall.try_take() for _ in range(100)) == 30
    clock.now += 0.1
    assert sum(overall.try_take() for _ in range(100)) == 3
    unlimited = TokenBucket(0, 0, clock=clock)
    assert all(unlimited.try_take() for _ in range(1000)) and unlimited.delay() == 0
    free = ChatBuckets(RateLimits.unlimited(), clock=clock)
    assert all(free.get(1).try_take() for _ in range(100))
    assert all(free.get(-1).try_take() for _ in range(100))


def test_idle_chat_buckets_are_forgotten() -> None:
    clock = FakeClock()
    buckets = ChatBuckets(RateLimits(), clock=clock)
    for chat_id in range(1, ChatBuckets.PRUNE_ABOVE + 1):
        buckets.get(chat_id).try_take()
    clock.now += 10  # all refilled
    busy = buckets.get(5000)
    busy.try_take()
    assert len(buckets) == 1
    assert buckets.get(5000) is busy


# -- CLI ----------------------------------------------------------------------------------


async def _cli(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_lists_and_retries_dead_rows(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    async with sessions() as session, session.begin():
        await outbox.enqueue(
            session, chat_id=42, payload=message("private words"), dedup_key="notice:1:42"
        )
        await outbox.enqueue(session, chat_id=-100, payload=message("g"), dedup_key="card:7")
    ids = {r.dedup_key: r.id for r in await rows(sessions)}
    async with sessions() as session, session.begin():
        await outbox.mark_dead(session, ids["notice:1:42"], error="BadRequest: message is too long")

    code, out, _ = await _cli(database_url, "outbox", "dead")
    assert code == 0
    assert f"{ids['notice:1:42']}\t" in out and "private" in out and "message is too long" in out
    assert "private words" not in out and "\t42\t" not in out  # no text, no chat id
    assert "1 dead, 1 pending" in out

    code, out, _ = await _cli(database_url, "outbox", "retry", str(ids["notice:1:42"]))
    assert code == 0 and "queued again" in out
    code, _, err = await _cli(database_url, "outbox", "retry", str(ids["card:7"]))
    assert code == 1 and "no dead outbox message" in err
    assert {r.dedup_key: r.status for r in await rows(sessions)} == {
        "notice:1:42": "pending",
        "card:7": "pending",
    }
