"""Closing polls at their deadline and announcing the results: one job, every
`POLL_CHECK_SECONDS` and once right after start, so a deadline that passed while the bot
was down is caught at the next start. What is due is read from `polls` each time.

A second job makes the meetings' evaluation polls once an occurrence has ended
(`handlers/staff/polls_evaluation.py`), every `EVALUATION_CHECK_SECONDS` and right after
start too (an occurrence that ended while the bot was down, within the look-back).

A third keeps live results fresh on the voters' poll messages, every few seconds
(`handlers/staff/polls_live.py`: edits through the outbox, at most one pending per
message, never while other outbox traffic waits)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from locales import Translator
from storage.repositories import polls
from storage.types import utcnow

log = logging.getLogger(__name__)

POLL_CHECK_SECONDS = 20
JOB_ID = "close_due_polls"
EVALUATION_CHECK_SECONDS = 60
EVALUATION_JOB_ID = "evaluate_ended_meetings"
LIVE_JOB_ID = "refresh_live_poll_results"
Announce = Callable[[int], Awaitable[bool]]


async def close_due_polls(sessions: async_sessionmaker[AsyncSession], announce: Announce) -> int:
    """Close every open poll past its deadline, then announce every closed poll not yet
    announced (also one closed by hand whose announcement was interrupted)."""
    now = utcnow()
    async with sessions() as session, session.begin():
        closed = [
            poll_id
            for poll_id in await polls.due(session, now)
            if await polls.close(session, poll_id, now=now)
        ]
    async with sessions() as session:
        waiting = await polls.unannounced(session)
    announced = 0
    for poll_id in waiting:
        announced += int(await announce(poll_id))
    if closed or announced:
        log.info("closed %d polls, announced %d", len(closed), announced)
    return len(closed)


def add_poll_jobs(
    scheduler: AsyncIOScheduler,
    sessions: async_sessionmaker[AsyncSession],
    announce: Announce,
    translators: Mapping[str, Translator] | None = None,
) -> None:
    """The closing job, the meetings' evaluation job and the live results' refresh
    (`translators` default: the compiled catalogs)."""
    # imported here: the evaluation and the refresh render like a handler does
    from handlers.staff.polls_evaluation import evaluate_ended_meetings
    from handlers.staff.polls_live import LIVE_CHECK_SECONDS, refresh_live_results
    from locales import load_translators

    translators = translators if translators is not None else load_translators()

    scheduler.add_job(
        evaluate_ended_meetings,
        "interval",
        seconds=EVALUATION_CHECK_SECONDS,
        args=(sessions, translators),
        id=EVALUATION_JOB_ID,
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        close_due_polls,
        "interval",
        seconds=POLL_CHECK_SECONDS,
        args=(sessions, announce),
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        refresh_live_results,
        "interval",
        seconds=LIVE_CHECK_SECONDS,
        args=(sessions, translators),
        id=LIVE_JOB_ID,
        coalesce=True,
        max_instances=1,
    )
