"""People who write to the bot."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User
from storage.types import utcnow

# `last_seen_at` is kept to this precision, so that not every update writes the user row.
LAST_SEEN_PRECISION = timedelta(minutes=10)


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    result = await session.execute(select(User).where(User.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def users_by_id(session: AsyncSession, user_ids: Collection[int]) -> dict[int, User]:
    """The people with these (database) ids, in one query."""
    if not user_ids:
        return {}
    result = await session.execute(select(User).where(User.id.in_(set(user_ids))))
    return {user.id: user for user in result.scalars()}


async def touch_user(session: AsyncSession, telegram_id: int) -> User:
    """The person's row, created on first contact; marks them reachable and seen now."""
    user = await get_user(session, telegram_id)
    now = utcnow()
    if user is None:
        user = User(telegram_id=telegram_id, created_at=now, last_seen_at=now)
        session.add(user)
        await session.flush()
    else:
        if now - user.last_seen_at > LAST_SEEN_PRECISION:
            user.last_seen_at = now
        if not user.is_reachable:
            user.is_reachable = True
    return user


async def mark_unreachable(session: AsyncSession, telegram_id: int) -> None:
    """Telegram said the person blocked the bot: stop writing to them until they return."""
    await session.execute(
        update(User).where(User.telegram_id == telegram_id).values(is_reachable=False)
    )
