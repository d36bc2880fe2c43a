"""One person's updates never run at once, also across processes (webhook workers), and
their replies go out in order.

Within a process `handlers.core.processor` already runs a person's updates one after
another, replies included. Across processes the pipeline runs each update inside
`person_turn`: on PostgreSQL a dedicated connection takes the session-level
`pg_advisory_lock` on a key derived from the person's Telegram id, the update's
transaction runs on that same connection, and the lock is released only after the replies
were sent (a transaction-level lock would be gone at COMMIT, before the replies, and the
next update on another worker could answer first). A crashed worker's connection closes
and PostgreSQL drops its locks. On SQLite every transaction is `BEGIN IMMEDIATE`
(storage/engine.py), which serialises writers, and a SQLite deployment is one process.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

Sessions = Callable[[], AsyncSession]


def person_lock_key(telegram_id: int) -> int:
    """A signed 64-bit advisory lock key for one person (stable across processes)."""
    digest = hashlib.sha256(f"hromada-person:{telegram_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def person_turn(
    sessions: async_sessionmaker[AsyncSession], telegram_id: int
) -> AsyncIterator[Sessions]:
    """Wait for the person's turn; yields the session factory to use during it."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "postgresql":
        yield sessions
        return
    key = {"key": person_lock_key(telegram_id)}
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
        await conn.commit()
        try:
            yield lambda: AsyncSession(bind=conn, expire_on_commit=False)
        finally:
            try:
                if conn.in_transaction():
                    await conn.rollback()
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                await conn.commit()
            except Exception as exc:  # closing the connection for good releases the lock
                log.warning("person lock not released (%s); connection dropped", type(exc).__name__)
                await conn.invalidate()
