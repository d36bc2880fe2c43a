"""Live results on the recipients' poll messages: which message of a person shows live counts
(`poll_recipients.message_id`, the one they last voted on), what it shows
(`poll_recipients.shown`, a `flows.polls.shown_key`) and when it was last redrawn
(`refreshed_at`); which of them are stale; the outbox rows that refresh them.

An edit's dedup key is `poll:<poll>:live:<user>:<message>:<ms>` (the refresh's instant in
milliseconds since the epoch): a message has at most one pending edit (`stale` leaves out a
recipient with one), and one that Telegram refused for good (the person deleted the
message: "message to edit not found") makes `forget_lost` stop refreshing that message
(other dead edits, such as retries run out in an outage, do not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    String,
    cast,
    delete,
    exists,
    func,
    literal,
    nulls_first,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Poll, PollRecipient, User
from storage.repositories import outbox


@dataclass(frozen=True)
class Shown:
    """A recipient's poll message that shows stale live counts."""

    user_id: int
    telegram_id: int
    language: str
    message_id: int


def key_prefix(poll_id: int) -> str:
    return f"poll:{poll_id}:live:"


def edit_key(poll_id: int, user_id: int, message_id: int, now: datetime) -> str:
    return f"{key_prefix(poll_id)}{user_id}:{message_id}:{int(now.timestamp() * 1000)}"


async def remember(
    session: AsyncSession,
    poll_id: int,
    user_id: int,
    *,
    message_id: int | None,
    shown: str | None,
    now: datetime,
) -> None:
    """The person's message `message_id` now shows `shown` (drawn at `now`); None: none of
    their messages shows live counts (e.g. they took every answer back)."""
    await session.execute(
        update(PollRecipient)
        .where(PollRecipient.poll_id == poll_id, PollRecipient.user_id == user_id)
        .values(message_id=message_id, shown=shown, refreshed_at=now)
        .execution_options(synchronize_session=False)
    )


async def drop_pending(session: AsyncSession, poll_id: int, user_id: int | None = None) -> int:
    """Delete the poll's live edits still waiting in the outbox (one person's, or all when
    `user_id` is None): drawn earlier, they would put back an older choice over the person's
    own redraw, or show an open poll after its close. An edit the dispatcher already holds
    still goes out (at most one per message). Returns how many were deleted."""
    prefix = key_prefix(poll_id) + (f"{user_id}:" if user_id is not None else "")
    result = await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status == outbox.PENDING, OutboxMessage.dedup_key.like(prefix + "%"))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def backlog(session: AsyncSession, now: datetime) -> int:
    """Outbox rows due now and not sent yet: the refresh yields while other traffic waits."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == outbox.PENDING, OutboxMessage.not_before <= now)
        )
        or 0
    )


async def live_polls(session: AsyncSession, now: datetime) -> list[Poll]:
    """Open polls with live results where some message shows live counts, oldest first."""
    shows = exists().where(PollRecipient.poll_id == Poll.id, PollRecipient.message_id.is_not(None))
    result = await session.scalars(
        select(Poll)
        .where(
            Poll.results_live.is_(True),
            Poll.closed_at.is_(None),
            Poll.closes_at > now,
            shows,
        )
        .order_by(Poll.id)
    )
    return list(result)


async def stale(
    session: AsyncSession, poll_id: int, shown: str, *, before: datetime, limit: int
) -> list[Shown]:
    """Messages of the poll that show something other than `shown`, last drawn at or before
    `before`, of reachable people, with no edit of theirs waiting in the outbox; the
    longest-unrefreshed first, at most `limit`."""
    pending = exists().where(
        OutboxMessage.chat_id == User.telegram_id,
        OutboxMessage.status == outbox.PENDING,
        OutboxMessage.dedup_key.like(
            literal(key_prefix(poll_id)) + cast(PollRecipient.user_id, String) + ":%"
        ),
    )
    rows = await session.execute(
        select(PollRecipient.user_id, User.telegram_id, User.language, PollRecipient.message_id)
        .join(User, User.id == PollRecipient.user_id)
        .where(
            PollRecipient.poll_id == poll_id,
            PollRecipient.message_id.is_not(None),
            (PollRecipient.shown.is_(None)) | (PollRecipient.shown != shown),
            (PollRecipient.refreshed_at.is_(None)) | (PollRecipient.refreshed_at <= before),
            User.is_reachable.is_(True),
            ~pending,
        )
        .order_by(nulls_first(PollRecipient.refreshed_at), PollRecipient.user_id)
        .limit(limit)
    )
    return [Shown(int(u), int(t), lang or "uk", int(m)) for u, t, lang, m in rows if m is not None]


async def claim(
    session: AsyncSession,
    poll_id: int,
    user_ids: Sequence[int],
    shown: str,
    *,
    before: datetime,
    now: datetime,
) -> set[int]:
    """Take the refresh of these people's messages (to `shown`, rendered at `now`): only
    those not redrawn since `before` are taken, in one UPDATE, so that two runs at once
    (two processes) never both edit a message in the same period. Returns who was taken."""
    if not user_ids:
        return set()
    result = await session.execute(
        update(PollRecipient)
        .where(
            PollRecipient.poll_id == poll_id,
            PollRecipient.user_id.in_(list(user_ids)),
            PollRecipient.message_id.is_not(None),
            (PollRecipient.refreshed_at.is_(None)) | (PollRecipient.refreshed_at <= before),
        )
        .values(shown=shown, refreshed_at=now)
        .returning(PollRecipient.user_id)
        .execution_options(synchronize_session=False)
    )
    return {int(u) for u in result.scalars()}


# Telegram's refusals that mean the message is gone for good (lower case; PTB may capitalise).
LOST = ("message to edit not found", "message can't be edited")


async def forget_lost(session: AsyncSession, poll_id: int) -> int:
    """Stop refreshing messages whose edit Telegram refused because the message is gone
    (deleted by the person) or no longer editable: the message id goes, so no new edit is
    made for it, and the dead edit rows that said so are deleted, spent (review finding:
    any dead edit counted, so retries run out in an outage forgot a live message, and a
    message the person voted on again was forgotten again at every run). Returns how many
    were forgotten."""
    prefix = key_prefix(poll_id)
    error = func.lower(func.coalesce(OutboxMessage.last_error, ""))
    rows = await session.execute(
        select(OutboxMessage.id, OutboxMessage.dedup_key).where(
            OutboxMessage.status == outbox.DEAD,
            OutboxMessage.dedup_key.like(prefix + "%"),
            or_(*(error.like(f"%{lost}%") for lost in LOST)),
        )
    )
    forgotten = 0
    spent: list[int] = []
    for row_id, key in rows.all():
        spent.append(int(row_id))
        user, _, rest = key.removeprefix(prefix).partition(":")
        message = rest.partition(":")[0]
        if not (user.isdigit() and message.isdigit()):
            continue
        result = await session.execute(
            update(PollRecipient)
            .where(
                PollRecipient.poll_id == poll_id,
                PollRecipient.user_id == int(user),
                PollRecipient.message_id == int(message),
            )
            .values(message_id=None, shown=None)
            .execution_options(synchronize_session=False)
        )
        forgotten += int(getattr(result, "rowcount", 0) or 0)
    if spent:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(spent)))
    return forgotten
