"""Meeting messages into the outbox in bulk: a reminder or a notice to thousands of people
is one lookup of known keys per 500 and one multi-row INSERT, not a savepoint per person
(`outbox.enqueue`'s way). Safe without savepoints: only the transaction that closed the
reminder (or made the change) writes its rows, and a key already there is left out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repositories import outbox

CHUNK = 500  # dedup keys looked up per query

Row = tuple[int, str, dict[str, Any]]  # chat id, dedup key, payload


async def insert_outbox_rows(session: AsyncSession, rows: Sequence[Row], now: datetime) -> int:
    """Pending outbox rows; keys already there are left out. Returns how many were
    written, and marks the session so the pipeline wakes the dispatcher after the commit."""
    keys = [key for _chat, key, _payload in rows]
    known: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        found = await session.scalars(
            select(OutboxMessage.dedup_key).where(
                OutboxMessage.dedup_key.in_(keys[start : start + CHUNK])
            )
        )
        known.update(found)
    values = [
        {
            "chat_id": chat,
            "payload": body,
            "dedup_key": key,
            "status": outbox.PENDING,
            "attempts": 0,
            "not_before": now,
            "created_at": now,
        }
        for chat, key, body in rows
        if key not in known
    ]
    if values:
        await session.execute(insert(OutboxMessage), values)
        outbox.mark_enqueued(session)
    return len(values)
