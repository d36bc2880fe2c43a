"""People who write to the bot."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.fsm_storage import TABLE as CONVERSATIONS
from storage.fsm_storage import preload_conversations
from storage.models import User
from storage.types import utcnow

# `last_seen_at` is kept to this precision (rounded down when written: /mydata says so, and
# a finer time of a person's last message is not needed), so that not every update writes
# the user row.
LAST_SEEN_PRECISION = timedelta(minutes=10)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seen_at(moment: datetime) -> datetime:
    """`moment` rounded down to `LAST_SEEN_PRECISION` (what `last_seen_at` stores)."""
    return moment - (moment - _EPOCH) % LAST_SEEN_PRECISION


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    result = await session.execute(select(User).where(User.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def users_by_id(session: AsyncSession, user_ids: Collection[int]) -> dict[int, User]:
    """The people with these (database) ids, in one query."""
    if not user_ids:
        return {}
    result = await session.execute(select(User).where(User.id.in_(set(user_ids))))
    return {user.id: user for user in result.scalars()}


async def _load_person(session: AsyncSession, telegram_id: int, bot_id: int) -> User | None:
    """The person and every row of their private conversation with `bot_id`, in one
    statement (the join uses the primary key's first columns); the rows go to the FSM
    storage's cache (`storage.fsm_storage.preload_conversations`)."""
    c = CONVERSATIONS.c
    result = await session.execute(
        select(User, c.bot_id, c.chat_id, c.user_id, c.thread_id)
        .add_columns(c.business_connection_id, c.destiny, c.state, c.data)
        .outerjoin(
            CONVERSATIONS,
            and_(
                c.bot_id == bot_id,
                c.chat_id == User.telegram_id,
                c.user_id == User.telegram_id,
            ),
        )
        .where(User.telegram_id == telegram_id),
        execution_options={"hromada_fsm": True},
    )
    rows = result.all()
    if not rows:
        return None
    found = [row for row in rows if row.destiny is not None]
    preload_conversations(session, bot_id, telegram_id, telegram_id, found)
    user: User = rows[0][0]
    return user


async def touch_user(session: AsyncSession, telegram_id: int, *, bot_id: int | None = None) -> User:
    """The person's row, created on first contact; marks them reachable and seen now.

    With `bot_id` (the pipeline), their private conversation with that bot is loaded in the
    same statement, so that reading it costs none (issue 11)."""
    if bot_id is None:
        user = await get_user(session, telegram_id)
    else:
        user = await _load_person(session, telegram_id, bot_id)
    now = utcnow()
    if user is None:
        user = User(telegram_id=telegram_id, created_at=now, last_seen_at=seen_at(now))
        session.add(user)
        await session.flush()
        if bot_id is not None:
            # A person has no conversation without a `users` row: the pipeline creates the
            # row before anything else, and erasure deletes both together.
            preload_conversations(session, bot_id, telegram_id, telegram_id, [])
    else:
        if seen_at(now) > user.last_seen_at:  # at most one write in ten minutes
            user.last_seen_at = seen_at(now)
        if not user.is_reachable:
            user.is_reachable = True
    return user


async def mark_unreachable(session: AsyncSession, telegram_id: int) -> None:
    """Telegram said the person blocked the bot: stop writing to them until they return."""
    await session.execute(
        update(User).where(User.telegram_id == telegram_id).values(is_reachable=False)
    )
