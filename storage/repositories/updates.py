"""The record of handled Telegram updates (duplicate delivery is skipped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.types import utcnow


async def record_update(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    """Remember `update_id`; False when it was handled before (then skip it).

    Updates of one person are processed one after another, so a plain read-then-insert is
    enough; if two processes ever raced, the primary key makes the later commit fail and
    that update is rolled back as a whole.
    """
    if await session.get(ProcessedUpdate, (bot_id, update_id)) is not None:
        return False
    session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, processed_at=utcnow()))
    await session.flush()
    return True


async def purge_processed_updates(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)
