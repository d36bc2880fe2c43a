"""The nightly retention job over residents' data (`storage/privacy/retention.py`), and the
hourly one for the clear-chat message ids (Telegram's 48 hours are shorter than a night's
margin). Handled update ids and outbox rows keep their own jobs in `jobs.py`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.privacy import retention
from storage.privacy.policy import Retention
from storage.types import utcnow

log = logging.getLogger(__name__)

Purge = Callable[[AsyncSession, datetime], Awaitable[int]]


async def _run(sessions: async_sessionmaker[AsyncSession], purge: Purge, cutoff: datetime) -> int:
    async with sessions() as session, session.begin():
        return await purge(session, cutoff)


async def nightly(sessions: async_sessionmaker[AsyncSession], periods: Retention) -> dict[str, int]:
    """Each purge in its own transaction, so one failing does not undo the others."""
    now = utcnow()
    steps: dict[str, tuple[Purge, datetime]] = {
        "closed_request_texts": (
            retention.scrub_closed_requests,
            now - periods.closed_request_text,
        ),
        "idle_conversations": (
            retention.forget_idle_conversations,
            now - periods.idle_conversation,
        ),
        "poll_vote_links": (retention.unlink_closed_poll_votes, now - periods.poll_vote_links),
        "clear_chat_ids": (retention.forget_clear_chat_ids, now - periods.clear_chat_ids),
    }
    done: dict[str, int] = {}
    for name, (purge, cutoff) in steps.items():
        try:
            done[name] = await _run(sessions, purge, cutoff)
        except Exception:
            log.exception("retention step %s failed; the others still run", name)
    log.info("retention: %s", ", ".join(f"{k}={v}" for k, v in done.items()))
    return done


async def clear_chat_ids(sessions: async_sessionmaker[AsyncSession], periods: Retention) -> int:
    return await _run(sessions, retention.forget_clear_chat_ids, utcnow() - periods.clear_chat_ids)
