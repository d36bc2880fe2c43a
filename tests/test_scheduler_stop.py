"""Stopping the scheduler waits for the jobs it was running (`scheduler.runner.stop_scheduler`):
the bot disposes of its engine right after, and a job still rolling back then could hang the
event loop's teardown on SQLite."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.runner import stop_scheduler


async def test_a_running_job_has_ended_when_stop_returns() -> None:
    scheduler = AsyncIOScheduler(timezone="Europe/Kyiv")
    started = asyncio.Event()
    ended: list[str] = []

    async def job() -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # a job in the middle of its work
        finally:
            await asyncio.sleep(0)  # its clean-up takes turns of the loop, like a rollback
            ended.append("cleaned up")

    scheduler.add_job(job, "date", run_date=datetime.now(UTC), id="busy")
    scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=10)
    await stop_scheduler(scheduler)
    assert ended == ["cleaned up"]
    assert not scheduler.running


async def test_stopping_a_stopped_scheduler_is_harmless() -> None:
    scheduler = AsyncIOScheduler(timezone="Europe/Kyiv")
    await stop_scheduler(scheduler)
    assert not scheduler.running
