"""The periodic jobs. Each takes what it needs as arguments; none talks to Telegram."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.outbox import purge_sent
from storage.repositories.updates import purge_processed_updates
from storage.types import utcnow

log = logging.getLogger(__name__)


async def purge_old_updates(
    sessions: async_sessionmaker[AsyncSession], retention: timedelta
) -> int:
    """Forget update ids older than `retention`; Telegram does not resend those."""
    async with sessions() as session, session.begin():
        removed = await purge_processed_updates(session, utcnow() - retention)
    if removed:
        log.info("forgot %d old update ids", removed)
    return removed


async def purge_sent_outbox(
    sessions: async_sessionmaker[AsyncSession], retention: timedelta
) -> int:
    """Forget notifications delivered longer than `retention` ago."""
    async with sessions() as session, session.begin():
        removed = await purge_sent(session, utcnow() - retention)
    if removed:
        log.info("forgot %d delivered notifications", removed)
    return removed
