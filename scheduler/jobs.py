"""The periodic jobs. Each takes what it needs as arguments; none talks to Telegram."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.outbox import purge_dead, purge_sent
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


async def purge_old_outbox(sessions: async_sessionmaker[AsyncSession], retention: timedelta) -> int:
    """Forget notifications delivered, or given up, longer than `retention` ago: their
    payloads hold what staff cards show (a resident's shared name), so neither kind is
    kept for ever."""
    cutoff = utcnow() - retention
    async with sessions() as session, session.begin():
        sent = await purge_sent(session, cutoff)
        dead = await purge_dead(session, cutoff)
    if sent or dead:
        log.info("forgot %d delivered and %d given-up notifications", sent, dead)
    return sent + dead
