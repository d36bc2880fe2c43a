"""The outbox: messages to other people, committed with the change that caused them.

`enqueue` runs inside the caller's transaction, so a notification exists exactly when the
change that caused it committed. The dispatcher (`scheduler/dispatcher.py`) claims due rows
in a short transaction, sends them outside any transaction and records the outcomes of many
rows together in one short transaction (`mark_sent_many` for the delivered ones, one UPDATE;
`mark_retry`, `mark_dead`, `mark_chat_unreachable` for the others; `mark_sent` for one).

A payload is one Bot API call without its chat:
`{"method": "sendMessage", "params": {"text": ..., "parse_mode": "HTML", "reply_markup": ...}}`.

Statuses: `pending` (waiting or retrying), `sent`, `dead` (given up; `list_dead` shows them
and `retry_dead` puts one back). Sent and dead rows are deleted a retention after `sent_at`
/ `dead_at` (`purge_sent`, `purge_dead`, the scheduler's `purge_old_outbox` job). Errors
stored in `last_error` are short class names and Telegram's description, never the message
text.

Dialect-neutral SQL, except the advisory lock (PostgreSQL only), hidden in
`try_advisory_lock` / `advisory_unlock`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from storage.models import OutboxMessage, StaffChat, StaffChatCard, User
from storage.privacy import chat_messages
from storage.repositories import staff_chats
from storage.scrub import scrub_error
from storage.types import utcnow

PENDING = "pending"
SENT = "sent"
DEAD = "dead"

CHAT_UNREACHABLE = "chat unreachable"
MAX_ERROR_LENGTH = 300
MAX_DEDUP_KEY_LENGTH = 200
# The longest IN (...) list of chats a claim skips; beyond it they are simply claimed again.
MAX_EXCLUDED_CHATS = 500
_ENQUEUED = "outbox_enqueued"


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    dead: int


def _check_payload(payload: dict[str, Any]) -> None:
    method, params = payload.get("method"), payload.get("params")
    if not isinstance(method, str) or not method:
        raise ValueError("outbox payload needs a 'method' (a Bot API method name)")
    if not isinstance(params, dict):
        raise ValueError("outbox payload needs 'params' (a dict)")
    if "chat_id" in params:
        raise ValueError("outbox payload params must not hold chat_id (the row's chat is used)")


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    payload: dict[str, Any],
    dedup_key: str,
    not_before: datetime | None = None,
) -> bool:
    """Add a pending message in the caller's transaction; False if `dedup_key` exists.

    A duplicate changes nothing and leaves the caller's transaction usable: the key is looked
    up first, and the insert runs in a SAVEPOINT so that a concurrent insert of the same key
    (the unique constraint fires) rolls back only the savepoint.
    """
    if not dedup_key or len(dedup_key) > MAX_DEDUP_KEY_LENGTH:
        raise ValueError(f"dedup_key must be 1..{MAX_DEDUP_KEY_LENGTH} characters")
    _check_payload(payload)
    if not_before is not None and not_before.tzinfo is None:
        raise ValueError("not_before must be an aware datetime")
    known = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedup_key == dedup_key)
    )
    if known is not None:
        return False
    now = utcnow()
    row = OutboxMessage(
        chat_id=chat_id,
        payload=payload,
        dedup_key=dedup_key,
        status=PENDING,
        attempts=0,
        not_before=not_before or now,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    session.info[_ENQUEUED] = True
    return True


def mark_enqueued(session: AsyncSession) -> None:
    """Rows were added to the outbox by other means than `enqueue` (a bulk insert, see
    `storage/repositories/meetings_outbox.py`): wake the dispatcher after the commit."""
    session.info[_ENQUEUED] = True


def enqueued_in(session: AsyncSession) -> bool:
    """Whether `enqueue` added a row in this session (then wake the dispatcher after the
    commit; waking after updates that enqueued nothing only costs a claim query)."""
    return bool(session.info.get(_ENQUEUED))


def _due(now: datetime) -> Any:
    return and_(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)


async def _kill_unreachable_due(session: AsyncSession, now: datetime) -> int:
    """Due rows for a person who blocked the bot or an inactive staff chat: dead."""
    unreachable = or_(
        OutboxMessage.chat_id.in_(select(User.telegram_id).where(User.is_reachable.is_(False))),
        OutboxMessage.chat_id.in_(select(StaffChat.chat_id).where(StaffChat.is_active.is_(False))),
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(_due(now), unreachable)
        .values(status=DEAD, last_error=CHAT_UNREACHABLE, dead_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_due(
    session: AsyncSession,
    *,
    limit: int,
    now: datetime | None = None,
    exclude_chats: Collection[int] = (),
) -> list[OutboxMessage]:
    """Due pending rows, oldest first, for the dispatcher to send.

    - Due rows for unreachable chats (a person who blocked the bot, an inactive staff chat)
      are marked dead on the way instead ("chat unreachable").
    - Per-chat order: a row is held back while an older row of its chat waits for a retry
      (attempts > 0, not yet due), so a later message never overtakes an earlier one. A row
      merely scheduled for later (attempts = 0) holds nothing back.
    - `exclude_chats`: chats the dispatcher is busy with or that are rate limited right now.
    - Edits of a staff-chat card get the card's message id here, and wait while the card
      itself is on its way (`staff_chats.resolve_card_edits`).
    - PostgreSQL locks the rows `FOR UPDATE SKIP LOCKED` for the claiming transaction;
      SQLite ignores it (one writer at a time anyway). The dispatcher is the only sender
      (advisory lock), so the claim does not change the rows: it just reads them in a short
      transaction and records each outcome afterwards.
    """
    now = now or utcnow()
    await _kill_unreachable_due(session, now)
    earlier = aliased(OutboxMessage)
    retrying_before = exists().where(
        earlier.chat_id == OutboxMessage.chat_id,
        earlier.status == PENDING,
        earlier.id < OutboxMessage.id,
        earlier.attempts > 0,
        earlier.not_before > now,
    )
    statement = (
        select(OutboxMessage)
        .where(_due(now), ~retrying_before)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    excluded = list(exclude_chats)[:MAX_EXCLUDED_CHATS]
    if excluded:
        statement = statement.where(OutboxMessage.chat_id.not_in(excluded))
    result = await session.execute(statement)
    resolved = await staff_chats.resolve_card_edits(session, list(result.scalars()))
    for row_id, error in resolved.dead:
        await mark_dead(session, row_id, error=error)
    return resolved.ready


def short_error(error: str) -> str:
    """An error for `last_error` and the logs: scrubbed of anything that could echo message
    text (`storage.scrub`), at most 300 characters."""
    return scrub_error(error, MAX_ERROR_LENGTH)


async def mark_sent(
    session: AsyncSession,
    row_id: int,
    *,
    chat_id: int | None = None,
    message_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Telegram accepted it, in `chat_id` (the chat it was claimed for). Recorded whatever
    the row's status (it *was* delivered); the message it made (`message_id`) is kept if the
    row sent a staff-chat card."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=SENT, sent_at=now or utcnow(), attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if message_id is not None:
        if chat_id is None:
            raise ValueError("a message id needs the chat it is in")
        await _card_delivered(session, row_id, chat_id, message_id)
        await chat_messages.remember_outbox(session, row_id, message_id)  # "Clear this chat"


@dataclass(frozen=True)
class Delivered:
    """A row Telegram accepted: its id, the chat it went to, the message it made if known."""

    row_id: int
    chat_id: int
    message_id: int | None = None


async def mark_sent_many(
    session: AsyncSession, rows: Sequence[Delivered], *, now: datetime | None = None
) -> None:
    """`mark_sent` for many rows in a few statements: one UPDATE for them all, one SELECT
    for the staff-chat cards among them (each card then gets its message id), one INSERT
    of the private chats' message ids for "Clear this chat"."""
    if not rows:
        return
    ids = [row.row_id for row in rows]
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=SENT, sent_at=now or utcnow(), attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    made = {row.row_id: row for row in rows if row.message_id is not None}
    if not made:
        return
    cards = await session.scalars(
        select(StaffChatCard.outbox_id).where(StaffChatCard.outbox_id.in_(list(made)))
    )
    for row_id in list(cards):
        delivered = made[row_id] if row_id is not None else None
        if delivered is not None and delivered.message_id is not None:
            await _card_delivered(
                session, delivered.row_id, delivered.chat_id, delivered.message_id
            )
    pairs: list[tuple[int, int]] = []
    for row in made.values():
        if row.message_id is not None:
            pairs.append((row.chat_id, row.message_id))
    await chat_messages.remember_pairs(session, pairs)


async def _card_delivered(
    session: AsyncSession, row_id: int, chat_id: int, message_id: int
) -> None:
    """`staff_chats.card_delivered`; a card that moved to a supergroup while on its way (it
    reached the old group) is queued again, the same message, to where the card is now."""
    moved = await staff_chats.card_delivered(session, row_id, chat_id, message_id)
    if moved is None:
        return
    request_id, now_in = moved
    payload = await session.scalar(select(OutboxMessage.payload).where(OutboxMessage.id == row_id))
    if payload is None:
        return
    key = f"card-resent:{row_id}:{now_in}"
    await enqueue(session, chat_id=now_in, payload=dict(payload), dedup_key=key)
    again = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key))
    if again is not None:
        await staff_chats.card_resent(session, request_id, again)


async def mark_retry(
    session: AsyncSession,
    row_id: int,
    *,
    error: str,
    delay: timedelta,
    now: datetime | None = None,
) -> None:
    """A failed attempt: try again after `delay`."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .values(
            attempts=OutboxMessage.attempts + 1,
            not_before=(now or utcnow()) + delay,
            last_error=short_error(error),
        )
        .execution_options(synchronize_session=False)
    )


async def mark_dead(session: AsyncSession, row_id: int, *, error: str) -> None:
    """A failed attempt after which the row is given up (visible in `list_dead`)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .values(
            status=DEAD,
            attempts=OutboxMessage.attempts + 1,
            last_error=short_error(error),
            dead_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def mark_chat_unreachable(session: AsyncSession, chat_id: int) -> int:
    """Telegram refuses this chat (bot blocked, kicked, chat gone): the person becomes
    unreachable (until they write again), a staff chat inactive, and every pending row for
    the chat dead. Returns how many rows were given up."""
    await session.execute(
        update(User).where(User.telegram_id == chat_id).values(is_reachable=False)
    )
    await session.execute(
        update(StaffChat).where(StaffChat.chat_id == chat_id).values(is_active=False)
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=DEAD, last_error=CHAT_UNREACHABLE, dead_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def list_dead(session: AsyncSession, limit: int = 50) -> list[OutboxMessage]:
    """Dead rows, newest first."""
    result = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.status == DEAD)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def retry_dead(session: AsyncSession, row_id: int, *, now: datetime | None = None) -> bool:
    """Put a dead row back in the queue with fresh attempts; False if no such dead row.
    (A row for a chat that is still unreachable dies again when it comes due.)"""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == DEAD)
        .values(status=PENDING, attempts=0, not_before=now or utcnow(), dead_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def pending_count(session: AsyncSession) -> int:
    result = await session.execute(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == PENDING)
    )
    return int(result.scalar_one())


async def unsettled_count(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Pending rows that are due or waiting for a retry (not those scheduled for later)."""
    now = now or utcnow()
    result = await session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.status == PENDING,
            or_(OutboxMessage.not_before <= now, OutboxMessage.attempts > 0),
        )
    )
    return int(result.scalar_one())


async def stats(session: AsyncSession) -> OutboxStats:
    result = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_((PENDING, DEAD)))
        .group_by(OutboxMessage.status)
    )
    counts = {status: int(n) for status, n in result}
    return OutboxStats(pending=counts.get(PENDING, 0), dead=counts.get(DEAD, 0))


# -- the dispatcher's advisory lock (PostgreSQL only) ---------------------------------------


def advisory_lock_key(bot_id: int) -> int:
    """A signed 64-bit key for `pg_try_advisory_lock`, the same for every process of a bot."""
    digest = hashlib.sha256(f"hromada-outbox-dispatcher:{bot_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def needs_advisory_lock(conn: AsyncConnection) -> bool:
    """Only PostgreSQL serves several processes; SQLite is one process, one dispatcher."""
    return conn.dialect.name == "postgresql"


async def try_advisory_lock(conn: AsyncConnection, key: int) -> bool:
    """Take the session-level advisory lock on `conn` (held until released or the
    connection closes); True when taken. Always True on SQLite."""
    if not needs_advisory_lock(conn):
        return True
    result = await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
    return bool(result.scalar_one())


async def advisory_unlock(conn: AsyncConnection, key: int) -> None:
    if needs_advisory_lock(conn):
        await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


async def ping(conn: AsyncConnection) -> None:
    """A cheap round trip on the lock's connection (the lock dies with the connection)."""
    await conn.execute(text("SELECT 1"))


async def purge_sent(session: AsyncSession, older_than: datetime) -> int:
    """Forget rows sent before `older_than`. Their dedup keys go with them, so the retention
    must outlast any chance of the same key being enqueued again (request notifications
    carry the event id in their key and are never enqueued twice)."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == SENT, OutboxMessage.sent_at < older_than
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_dead(session: AsyncSession, older_than: datetime) -> int:
    """Forget rows given up before `older_than`. **Decision:** deleted, not kept with an
    emptied payload: a dead row's payload (a staff card may carry a resident's shared name)
    and its chat id (a person's Telegram id) are what identifies someone, and admins had the
    whole retention to see it in `outbox dead` and retry it."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == DEAD, OutboxMessage.dead_at < older_than
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
