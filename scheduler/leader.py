"""Who may dispatch the outbox: one process per bot token.

On PostgreSQL several processes can run the bot; the one holding a session-level advisory
lock (on a dedicated connection, kept for as long as it leads) sends, the others stand by and
try again every few seconds. If that connection dies, PostgreSQL drops the lock and another
process takes over. SQLite means one process: it always leads, no connection is held.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.repositories.outbox import advisory_unlock, ping, try_advisory_lock

log = logging.getLogger(__name__)


class Leader(Protocol):
    async def acquire(self) -> bool:
        """Try to become the dispatcher; True when this process now leads."""
        ...

    async def still_leading(self) -> bool:
        """False once leadership was lost (the lock's connection broke)."""
        ...

    async def release(self) -> None: ...


class AlwaysLeader:
    """One process only (SQLite, or a test)."""

    async def acquire(self) -> bool:
        return True

    async def still_leading(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class AdvisoryLockLeader:
    """`pg_try_advisory_lock(key)` on a dedicated AUTOCOMMIT connection; on any other
    database it behaves like `AlwaysLeader` and holds no connection."""

    def __init__(self, engine: AsyncEngine, key: int) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None
        self._needs_lock = engine.dialect.name == "postgresql"

    @property
    def holds_lock(self) -> bool:
        return self._conn is not None

    async def acquire(self) -> bool:
        if not self._needs_lock:
            return True
        if self._conn is not None:
            return True
        conn = await self._engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            taken = await try_advisory_lock(conn, self._key)
        except BaseException:
            await conn.close()
            raise
        if not taken:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def still_leading(self) -> bool:
        if not self._needs_lock:
            return True
        if self._conn is None:
            return False
        try:
            await ping(self._conn)
        except Exception as exc:
            log.warning("outbox lock connection lost (%s)", type(exc).__name__)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            await advisory_unlock(conn, self._key)
        except Exception as exc:  # the lock goes with the connection anyway
            log.warning("outbox lock release failed (%s)", type(exc).__name__)
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception as exc:
                log.warning("closing the outbox lock connection failed (%s)", type(exc).__name__)
