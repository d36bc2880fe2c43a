"""One person's updates never run at once, also across processes (webhook workers).

Within a process `handlers.core.processor` already runs a person's updates one after
another; across processes the pipeline's transaction takes `lock_person` first. On
PostgreSQL that is `pg_advisory_xact_lock` on a key derived from the person's Telegram id,
released by the transaction's COMMIT or ROLLBACK (so a crashed worker never leaves it
held). On SQLite every transaction is `BEGIN IMMEDIATE` (storage/engine.py): the first write
already serialises all writers, so there is nothing more to take.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


def person_lock_key(telegram_id: int) -> int:
    """A signed 64-bit advisory lock key for one person (stable across processes)."""
    digest = hashlib.sha256(f"hromada-person:{telegram_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock_person(session: AsyncSession, telegram_id: int) -> None:
    """Wait until no other transaction works for this person; held until this one ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"), {"key": person_lock_key(telegram_id)}
    )
