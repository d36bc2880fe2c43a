"""The message ids of private chats that "Clear this chat" deletes: the person's own
messages (recorded by the pipeline), the bot's replies (after they went out), the
outbox's messages (when marked sent) and what flood control dropped (in batches). Kept
only while Telegram lets the bot delete them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatMessage, OutboxMessage
from storage.types import utcnow


def _private(chat_id: int) -> bool:
    return chat_id > 0  # group and channel ids are negative


async def remember(session: AsyncSession, chat_id: int, message_ids: Iterable[int]) -> None:
    """Keep these messages of a private chat (group chats are never kept)."""
    if not _private(chat_id):
        return
    now = utcnow()
    rows = [{"chat_id": chat_id, "message_id": m, "at": now} for m in message_ids]
    if rows:
        await session.execute(insert(ChatMessage), rows)


async def remember_pairs(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> None:
    """Keep (chat, message) pairs of several private chats in one INSERT (flood control's
    dropped messages, handlers/core/flood.py)."""
    now = utcnow()
    rows = [{"chat_id": c, "message_id": m, "at": now} for c, m in pairs if _private(c)]
    if rows:
        await session.execute(insert(ChatMessage), rows)


async def remember_outbox(session: AsyncSession, row_id: int, message_id: int) -> None:
    """The outbox row `row_id` made message `message_id` in its chat."""
    chat_id = await session.scalar(select(OutboxMessage.chat_id).where(OutboxMessage.id == row_id))
    if chat_id is not None:
        await remember(session, int(chat_id), [message_id])


async def deletable(session: AsyncSession, chat_id: int, since: datetime) -> list[int]:
    """The messages of `chat_id` kept since `since`, oldest first."""
    result = await session.execute(
        select(ChatMessage.message_id)
        .where(ChatMessage.chat_id == chat_id, ChatMessage.at >= since)
        .order_by(ChatMessage.id)
    )
    return list(dict.fromkeys(int(m) for m in result.scalars()))


async def forget_chat(session: AsyncSession, chat_id: int) -> int:
    result = await session.execute(delete(ChatMessage).where(ChatMessage.chat_id == chat_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def purge(session: AsyncSession, older_than: datetime) -> int:
    """Forget ids older than `older_than`: Telegram no longer lets the bot delete them."""
    result = await session.execute(delete(ChatMessage).where(ChatMessage.at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
