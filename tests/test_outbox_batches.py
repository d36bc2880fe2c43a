"""The dispatcher's batches (issue 11): outcomes written together, each row's its own; a
crash between send and write resends at most a batch; and the overall limiter's pacing
against the way the server counts (any one-second window at its end). Storage tests run on
SQLite and PostgreSQL; the pacing test is pure, on an injected clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from scheduler import outcomes
from scheduler.buckets import OverallLimiter, RateLimits
from scheduler.dispatcher import OutboxDispatcher
from scheduler.sending import Permanent, SendResult, Sent, Unreachable
from storage.engine import session_factory
from storage.models import ChatMessage, OutboxMessage, User
from storage.repositories import outbox
from storage.repositories.users import touch_user

Sessions = async_sessionmaker[AsyncSession]
FAST: dict[str, Any] = {
    "limits": RateLimits.unlimited(),
    "poll_interval": 0.5,
    "stop_timeout": 5.0,
}


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return session_factory(engine)


def text_message(text: str) -> dict[str, Any]:
    return {"method": "sendMessage", "params": {"text": text}}


async def enqueue_all(sessions: Sessions, rows: list[tuple[int, str]]) -> dict[str, int]:
    async with sessions() as session, session.begin():
        for chat_id, key in rows:
            assert await outbox.enqueue(
                session, chat_id=chat_id, payload=text_message(key), dedup_key=key
            )
    async with sessions() as session:
        found = await session.execute(select(OutboxMessage.dedup_key, OutboxMessage.id))
        return {key: row_id for key, row_id in found}


async def statuses(sessions: Sessions) -> dict[str, tuple[str, int, str | None]]:
    async with sessions() as session:
        found = await session.scalars(select(OutboxMessage))
        return {r.dedup_key: (r.status, r.attempts, r.last_error) for r in found}


class Scripted:
    """A sender answering by the message's text: 'refused…' Permanent, 'blocked…'
    Unreachable, anything else Sent with a fresh message id. Counts the sends per text."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.message_id = 100

    async def __call__(self, chat_id: int, payload: dict[str, Any]) -> SendResult:
        text = payload["params"]["text"]
        self.sent[text] += 1
        if text.startswith("refused"):
            return Permanent("BadRequest: message is too long")
        if text.startswith("blocked"):
            return Unreachable("Forbidden: bot was blocked by the user")
        self.message_id += 1
        return Sent(self.message_id)


async def test_one_batch_records_each_rows_own_outcome_in_one_write(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[list[int]] = []
    record_many = outcomes.record_many

    async def counted(
        sessions_: Sessions, written: list[outcomes.Outcome], stopping: asyncio.Event
    ) -> None:
        writes.append([o.row_id for o in written])
        await record_many(sessions_, written, stopping)

    monkeypatch.setattr(outcomes, "record_many", counted)
    async with sessions() as session, session.begin():
        await touch_user(session, 7)
    ids = await enqueue_all(
        sessions,
        [
            (1, "ok 1"),
            (2, "refused 2"),
            (3, "ok 3"),
            (4, "ok 4 first"),
            (4, "refused 4 second"),
            (4, "ok 4 third"),  # a dead row does not hold its chat back
            (7, "blocked 7"),
            (7, "blocked 7 later"),  # dead with its chat, never tried
            (8, "ok 8"),
        ],
    )
    sender = Scripted()
    dispatcher = OutboxDispatcher(sessions, sender, batch=20, **FAST)
    await dispatcher.start()
    try:
        await asyncio.wait_for(dispatcher.drain(), 20)
    finally:
        await dispatcher.stop()
    assert len(writes) == 1 and sorted(writes[0]) == sorted(
        ids[k] for k in ids if k != "blocked 7 later"
    )
    found = await statuses(sessions)
    for key in ("ok 1", "ok 3", "ok 4 first", "ok 4 third", "ok 8"):
        assert found[key] == ("sent", 1, None)
    for key in ("refused 2", "refused 4 second"):
        assert found[key] == ("dead", 1, "BadRequest: message is too long")
    assert found["blocked 7"][:2] == ("dead", 1)
    assert "chat unreachable" in (found["blocked 7"][2] or "")
    assert found["blocked 7 later"] == ("dead", 0, "chat unreachable")
    assert sender.sent["blocked 7 later"] == 0
    assert sender.sent.most_common(1)[0][1] == 1  # each sent once
    async with sessions() as session:
        person = await session.scalar(select(User).where(User.telegram_id == 7))
        assert person is not None and not person.is_reachable
        kept = set((await session.execute(select(ChatMessage.chat_id))).scalars())
    assert kept == {1, 3, 4, 8}  # "Clear this chat" knows the delivered messages


async def test_sent_rows_are_written_in_a_few_statements(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    ids = await enqueue_all(sessions, [(n, f"m{n}") for n in range(1, 41)])
    done = [
        outcomes.Outcome(row_id, n, Sent(1000 + n), 1, False, None)
        for n, row_id in enumerate(ids.values(), 1)
    ]
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with sessions() as session, session.begin():
            await outcomes.write_outcomes(session, done)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    writes = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(writes) <= 3, writes  # one UPDATE, the cards' SELECT, one INSERT
    found = await statuses(sessions)
    assert set(found.values()) == {("sent", 1, None)}


async def test_a_crash_between_send_and_write_resends_at_most_one_batch(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process 'dies' at the 8th send: from then on nothing is written. The next
    dispatcher sends again exactly the rows whose outcome was not written, at most `batch`."""
    batch = 5
    await enqueue_all(sessions, [(n, f"m{n}") for n in range(1, 13)])
    sender = Scripted()
    crashed = asyncio.Event()
    write_outcomes = outcomes.write_outcomes
    write_outcome = outcomes.write_outcome

    async def crashing(chat_id: int, payload: dict[str, Any]) -> SendResult:
        if sum(sender.sent.values()) == 7:
            crashed.set()
        return await sender(chat_id, payload)

    async def many(session: AsyncSession, written: list[outcomes.Outcome]) -> None:
        if crashed.is_set():
            raise ConnectionError("the process is gone")
        await write_outcomes(session, written)

    async def one(session: AsyncSession, outcome: outcomes.Outcome) -> None:
        if crashed.is_set():
            raise ConnectionError("the process is gone")
        await write_outcome(session, outcome)

    monkeypatch.setattr(outcomes, "write_outcomes", many)
    monkeypatch.setattr(outcomes, "write_outcome", one)
    first = OutboxDispatcher(sessions, crashing, batch=batch, **FAST)
    await first.start()
    await asyncio.wait_for(crashed.wait(), 20)
    await first.stop()  # nothing more is written: as good as killed
    after_crash = await statuses(sessions)
    unwritten = {text for text in sender.sent if after_crash[text][0] == "pending"}
    assert 0 < len(unwritten) <= batch

    monkeypatch.undo()
    second = OutboxDispatcher(sessions, sender, batch=batch, **FAST)
    await second.start()
    try:
        await asyncio.wait_for(second.drain(), 20)
    finally:
        await second.stop()
    twice = {text for text, n in sender.sent.items() if n > 1}
    assert twice == unwritten  # at least once each, again only what was not written
    assert set(sender.sent) == {f"m{n}" for n in range(1, 13)}
    assert max(sender.sent.values()) == 2
    assert set((await statuses(sessions)).values()) == {("sent", 1, None)}


# -- pacing against the server's count ------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def simulate(
    limiter: OverallLimiter, clock: Clock, count: int, latency: Any, concurrency: int = 8
) -> list[tuple[float, float]]:
    """Send `count` messages through `limiter` as the dispatcher does (at most `concurrency`
    at once); each answer comes `latency()` seconds after its take. (take, answer) each."""
    in_flight: list[tuple[float, float]] = []  # (answer time, take time)
    done: list[tuple[float, float]] = []
    while len(done) < count:
        while in_flight and in_flight[0][0] <= clock.now:
            answered, taken = heapq.heappop(in_flight)
            limiter.release()
            done.append((taken, answered))
        started = len(done) + len(in_flight)
        if started < count and len(in_flight) < concurrency and limiter.try_acquire():
            heapq.heappush(in_flight, (clock.now + latency(), clock.now))
            continue
        waits = [limiter.delay()] if started < count else []
        waits += [in_flight[0][0] - clock.now] if in_flight else []
        clock.now += max(min((w for w in waits if w > 0), default=0.0), 1e-4)
    return done


def worst_window(arrivals: list[float]) -> int:
    """The most messages in any window [t, t + 1) (the server's count, bench/outbox.py)."""
    times = sorted(arrivals)
    j, most = 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + 1.0:
            j += 1
        most = max(most, j - i)
    return most


def test_no_window_at_the_server_holds_more_than_the_limit_whatever_the_latency() -> None:
    rng = random.Random(11)
    clock = Clock()
    created = clock.now
    limiter = OverallLimiter(30, clock=clock)
    sends = simulate(limiter, clock, 600, lambda: rng.choice((0.002, 0.01, 0.15, 0.4)))
    assert min(taken for taken, _answer in sends) >= created + 1 / 30  # starts empty
    # The server got each message somewhere between its take and its answer: the earliest
    # messages as late as possible and the later ones as early, and the other way round.
    for late_first in (True, False):
        arrivals = [
            (answer if (i < len(sends) // 2) == late_first else taken)
            for i, (taken, answer) in enumerate(sorted(sends))
        ]
        assert worst_window(arrivals) <= 30
    for _ in range(20):
        arrivals = [rng.uniform(taken, answer) for taken, answer in sends]
        assert worst_window(arrivals) <= 30


def test_the_rate_stays_close_to_the_limit_at_a_steady_latency() -> None:
    clock = Clock()
    sends = simulate(OverallLimiter(30, clock=clock), clock, 600, lambda: 0.01)
    takes = sorted(taken for taken, _answer in sends)
    after = [t for t in takes if t >= takes[0] + 1.0]
    rate = (len(after) - 1) / (after[-1] - after[0])
    assert 0.97 * 30 <= rate <= 30
    gaps = [b - a for a, b in itertools.pairwise(takes)]
    assert min(gaps) >= 1 / 30 - 1e-9  # evenly paced: never two at once
