"""The record of handled Telegram updates (duplicate delivery is skipped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedUpdate
from storage.types import utcnow


class DuplicateUpdate(Exception):
    """This update was handled before; the caller rolls back and skips it."""


async def record_update(session: AsyncSession, bot_id: int, update_id: int) -> None:
    """Remember `update_id` as the update's first write; raise DuplicateUpdate if it was
    handled before. One INSERT, no read first: the primary key decides, also between two
    processes (the transaction is then unusable and must be rolled back). A Core INSERT, not
    the ORM's unit of work: nothing reads the row back (issue 11)."""
    statement = insert(ProcessedUpdate).values(
        bot_id=bot_id, update_id=update_id, processed_at=utcnow()
    )
    try:
        await session.execute(statement)
    except IntegrityError as exc:
        raise DuplicateUpdate(update_id) from exc


async def purge_processed_updates(session: AsyncSession, older_than: datetime) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)
