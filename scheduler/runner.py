"""Builds the APScheduler that runs the periodic jobs in the bot's event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler import jobs, reminders, retention
from storage.privacy.policy import Retention

log = logging.getLogger(__name__)
STOP_WAIT_SECONDS = 10.0  # how long shutdown waits for cancelled jobs to end


@dataclass(frozen=True)
class SchedulerConfig:
    timezone: str
    processed_updates_retention: timedelta
    outbox_retention: timedelta = timedelta(days=30)
    # the meeting-reminder scan runs when translators are given (the bot gives them)
    translators: Mapping[str, reminders.Translates] = field(default_factory=dict)
    default_language: str = "uk"
    wake_outbox: Callable[[], None] | None = None
    reminder_scan_every: timedelta = timedelta(seconds=30)
    privacy: Retention = field(default_factory=Retention)


def build_scheduler(
    sessions: async_sessionmaker[AsyncSession], config: SchedulerConfig
) -> AsyncIOScheduler:
    """Jobs live in memory only: each recomputes what is due from the database, so a
    restart loses nothing (the first run happens right after start)."""
    scheduler = AsyncIOScheduler(timezone=config.timezone)
    scheduler.add_job(
        jobs.purge_old_updates,
        "interval",
        hours=6,
        args=(sessions, config.processed_updates_retention),
        id="purge_old_updates",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        jobs.purge_old_outbox,
        "interval",
        hours=6,
        args=(sessions, config.outbox_retention),
        id="purge_old_outbox",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    if config.translators:
        # due reminders are selected "at or before now", so a missed run skips nothing
        scheduler.add_job(
            reminders.send_due_reminders,
            "interval",
            seconds=config.reminder_scan_every.total_seconds(),
            args=(sessions, config.translators, config.default_language, config.wake_outbox),
            id="send_due_reminders",
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
    scheduler.add_job(
        retention.nightly,
        "cron",
        hour=3,
        minute=30,
        args=(sessions, config.privacy),
        id="privacy_retention",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        retention.clear_chat_ids,
        "interval",
        hours=1,
        args=(sessions, config.privacy),
        id="clear_chat_ids",
        coalesce=True,
        max_instances=1,
    )
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Stop the scheduler and wait until the jobs it was running have ended.

    APScheduler's asyncio executor cancels its running jobs at `shutdown` but cannot wait
    for them (it is not a coroutine); a cancelled job then rolls its transaction back while
    the caller already disposes of the engine, and on SQLite that rollback could wait on the
    disposed connection for ever (the event loop's teardown hung on it). So the running jobs'
    tasks are taken first and awaited after the cancel; their CancelledError is expected.
    """
    if not scheduler.running:
        return
    running: list[asyncio.Future[object]] = []
    for executor in scheduler._executors.values():  # private: there is no public accessor
        pending = getattr(executor, "_pending_futures", None)
        if pending is None:  # an APScheduler that renamed it: say so, do not skip silently
            log.warning("scheduler: cannot see the running jobs of %s", type(executor).__name__)
            continue
        running.extend(f for f in pending if isinstance(f, asyncio.Future) and not f.done())
    scheduler.shutdown(wait=False)
    if running:
        _done, left = await asyncio.wait(running, timeout=STOP_WAIT_SECONDS)
        if left:  # a job that ignores its cancel must not hold the shutdown for ever
            log.warning("scheduler: %d job(s) still running at shutdown", len(left))
