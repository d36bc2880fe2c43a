"""Each worker's share of the deployment-wide limits (bot/worker_share.py): the arithmetic,
the rate limiter that applies it, and the worker slots on PostgreSQL, with a real process
SIGKILLed and the refresh driven by the test."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import RetryAfter

from bot.app import build_application
from bot.botapi.server import BotApiServer
from bot.worker_share import (
    SharedRateLimiter,
    WorkerSlots,
    share_of_rate,
    share_of_threshold,
    slot_namespace,
)
from tests.running_bot import bot_settings

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = slot_namespace(1234)


def test_the_rates_are_divided_exactly() -> None:
    assert share_of_rate(30, 1, 1) == (30, 1)
    assert share_of_rate(30, 1, 2) == (15, 1)
    assert share_of_rate(30, 1, 4) == (7.5, 1)
    assert share_of_rate(20, 60, 3) == pytest.approx((20 / 3, 60))
    assert share_of_rate(30, 1, 0) == (30, 1)  # never fewer than this worker


def test_a_share_under_one_call_becomes_one_call_per_longer_period() -> None:
    calls, period = share_of_rate(20, 60, 40)  # half a call a minute
    assert (calls, period) == (1.0, 120.0)
    assert share_of_rate(30, 1, 60) == (1.0, 2.0)


def test_a_limit_switched_off_stays_off() -> None:
    assert share_of_rate(0, 1, 3) == (0.0, 1)
    assert share_of_threshold(0, 3) == 0


def test_the_flood_threshold_is_rounded_up() -> None:
    assert share_of_threshold(30, 1) == 30
    assert share_of_threshold(30, 2) == 15
    assert share_of_threshold(30, 4) == 8  # 4 x 8 = 32: at most N - 1 over the figure
    assert share_of_threshold(5, 2) == 3
    assert share_of_threshold(2, 5) == 1  # never 0, which would mean "off"
    for limit in range(1, 50):
        for workers in range(1, 12):
            share = share_of_threshold(limit, workers)
            assert limit <= workers * share <= limit + workers - 1


def test_the_limiter_applies_the_share_of_the_live_workers() -> None:
    limiter = SharedRateLimiter(overall_per_second=30, group_per_minute=20)
    assert (limiter.overall, limiter.group) == ((30, 1), (20, 60))
    limiter.set_workers(2)
    assert (limiter.overall, limiter.group) == ((15, 1), (10, 60))
    limiter.set_workers(1)
    assert (limiter.overall, limiter.group) == ((30, 1), (20, 60))


async def test_the_limiter_keeps_ptbs_retry_after_a_429() -> None:
    limiter = SharedRateLimiter(overall_per_second=30, group_per_minute=20, max_retries=2)
    limiter.set_workers(3)
    tries: list[dict[str, object]] = []

    async def call(**kwargs: object) -> dict[str, object]:
        tries.append(kwargs)
        if len(tries) == 1:
            raise RetryAfter(0)
        return {"ok": True}

    data = {"chat_id": -100, "text": "x"}
    result = await limiter.process_request(call, (), {"n": 1}, "sendMessage", data, None)
    assert result == {"ok": True}
    assert tries == [{"n": 1}, {"n": 1}]


def test_the_application_wires_the_share_to_the_limiter_and_flood_control(
    botapi: BotApiServer, tmp_path: Path
) -> None:
    settings = bot_settings(
        botapi,
        f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3",
        rate_limit_overall_per_second=30,
        rate_limit_group_per_minute=20,
        flood_updates_per_minute=7,
    )
    app = build_application(settings)
    lifecycle = app.lifecycle
    assert app.bot.rate_limiter is lifecycle.limiter
    lifecycle.apply_share(2)
    assert (lifecycle.limiter.overall, lifecycle.flood.limit) == ((15, 1), 4)
    lifecycle.apply_share(1)
    assert (lifecycle.limiter.overall, lifecycle.flood.limit) == ((30, 1), 7)


async def test_on_sqlite_there_is_one_worker(engine: AsyncEngine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the SQLite case (PostgreSQL: the tests below)")
    seen: list[int] = []
    slots = WorkerSlots(engine, NAMESPACE, on_change=seen.append)
    await slots.start()
    assert (await slots.refresh(), slots.slot, seen) == (1, None, [])
    await slots.stop()


@pytest.fixture
def pg_engine(backend: str, engine: AsyncEngine) -> AsyncEngine:
    if backend != "postgres":
        pytest.skip("worker slots are PostgreSQL advisory locks (SQLite: one process)")
    return engine


async def held_slots(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
            " AND classid = CAST(:ns AS oid)"
        )
        return int((await conn.execute(query, {"ns": NAMESPACE})).scalar_one())


async def slots_held_become(engine: AsyncEngine, n: int) -> None:
    """Poll PostgreSQL (the observable state) until `n` slots are held, at most 30 s."""
    async with asyncio.timeout(30):
        while True:
            if await held_slots(engine) == n:
                return
            await asyncio.sleep(0.05)


HOLDER = """
import asyncio, sys
from storage.engine import create_engine
from bot.worker_share import WorkerSlots

async def main():
    engine = create_engine(sys.argv[1])
    slots = WorkerSlots(engine, int(sys.argv[2]), on_change=lambda n: None, period=3600)
    await slots.start()
    print("slot", slots.slot, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_workers_see_each_other_and_a_killed_one_frees_its_share(
    pg_engine: AsyncEngine, database_url: str
) -> None:
    seen: list[int] = []
    mine = WorkerSlots(pg_engine, NAMESPACE, on_change=seen.append, period=3600)
    limiter = SharedRateLimiter(overall_per_second=30, group_per_minute=20)
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        database_url,
        str(NAMESPACE),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert other.stdout is not None
        line = await asyncio.wait_for(other.stdout.readline(), 60)
        assert line == b"slot 0\n"
        assert await mine.refresh() == 2  # driven by the test, not by its loop
        limiter.set_workers(mine.live)
        assert (mine.slot, seen, limiter.overall, share_of_threshold(30, mine.live)) == (
            1,
            [2],
            (15, 1),
            15,
        )
        assert await mine.refresh() == 2 and seen == [2]  # no change, no call

        other.send_signal(signal.SIGKILL)
        await other.wait()
        # PostgreSQL ends the killed process's session on its own time; once it has,
        # the very next refresh counts one worker again.
        await slots_held_become(pg_engine, 1)
        assert await mine.refresh() == 1
        limiter.set_workers(mine.live)
        assert (seen, limiter.overall) == ([2, 1], (30, 1))
    finally:
        if other.returncode is None:
            other.kill()
            await other.wait()
        await mine.stop()
    assert await held_slots(pg_engine) == 0  # stop gave the slot back


async def test_a_lost_slot_connection_is_taken_again(pg_engine: AsyncEngine) -> None:
    seen: list[int] = []
    first = WorkerSlots(pg_engine, NAMESPACE, on_change=seen.append, period=3600)
    second = WorkerSlots(pg_engine, NAMESPACE, on_change=seen.append, period=3600)
    try:
        assert (await first.refresh(), await second.refresh()) == (1, 2)
        assert await first.refresh() == 2
        async with pg_engine.connect() as conn:  # the first one's session dies
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND objsubid = 2 AND classid = CAST(:ns AS oid) AND objid = 0"
                ),
                {"ns": NAMESPACE},
            )
        assert await first.refresh() == 2  # the error: the last count stays
        await slots_held_become(pg_engine, 1)
        assert await second.refresh() == 1
        assert await first.refresh() == 2  # took a slot again
        assert await second.refresh() == 2
        assert {first.slot, second.slot} == {0, 1}
    finally:
        await first.stop()
        await second.stop()
