"""What becomes of a row after its send: the verdict, its log line and its record.

The dispatcher (`scheduler/dispatcher.py`) decides *when* to send; this module decides what
a `SendResult` means for the row (sent, retry after a backoff, dead, chat unreachable),
logs it (row ids, chat kinds and error classes, never the payload) and writes the outcomes
of many rows in one short transaction (`record_many`: the sent rows in one UPDATE), retried
until written: the messages already went out, and a row whose `sent` is never recorded
would be sent again. If a batch cannot be written, each outcome is written on its own
(`record`), so one that cannot be written does not hold back the others.

A `RetryAfter` is not an outcome of the row (it pauses the whole dispatcher) and never
reaches this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.buckets import is_group_chat
from scheduler.sending import Migrated, Permanent, Sent, Transient, Unreachable
from storage.models import OutboxMessage
from storage.repositories import group_moves, outbox, staff_chats

log = logging.getLogger(__name__)

# Recording an outcome is retried (the message already went out); waits grow up to this.
RECORD_RETRY_CAP = 30.0

RowResult = Sent | Transient | Unreachable | Migrated | Permanent


def chat_kind(chat_id: int) -> str:
    return "group" if is_group_chat(chat_id) else "private"


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones (base, 2 base, 4 base ...
    capped at `cap`)."""
    return float(min(base * 2 ** max(attempts - 1, 0), cap))


@dataclass(frozen=True)
class Outcome:
    """A send's result for its row: `attempts` counts this one; `retry_in` is set when the
    row is tried again (seconds), `give_up` when a transient failure ran out of attempts."""

    row_id: int
    chat_id: int
    result: RowResult
    attempts: int
    give_up: bool
    retry_in: float | None


def judge(
    row: OutboxMessage, result: RowResult, *, max_attempts: int, base: float, cap: float
) -> Outcome:
    # A migration is no attempt: the row goes to the supergroup as it is.
    attempts = row.attempts + (0 if isinstance(result, Migrated) else 1)
    transient = isinstance(result, Transient)
    give_up = transient and attempts >= max_attempts
    retry_in = backoff(attempts, base, cap) if transient and not give_up else None
    return Outcome(row.id, row.chat_id, result, attempts, give_up, retry_in)


def log_outcome(outcome: Outcome) -> None:
    row_id, kind, result = outcome.row_id, chat_kind(outcome.chat_id), outcome.result
    if isinstance(result, Sent):
        log.debug("outbox row %s (%s) sent", row_id, kind)
    elif isinstance(result, Transient):
        error = outbox.short_error(result.error)
        if outcome.retry_in is None:
            log.warning(
                "outbox row %s (%s): %s; dead after %d attempts",
                row_id,
                kind,
                error,
                outcome.attempts,
            )
        else:
            log.info(
                "outbox row %s (%s): %s; retry %d in %.1fs",
                row_id,
                kind,
                error,
                outcome.attempts,
                outcome.retry_in,
            )
    elif isinstance(result, Unreachable):
        error = outbox.short_error(result.error)
        log.info("outbox row %s: %s chat unreachable (%s)", row_id, kind, error)
    elif isinstance(result, Migrated):
        log.info("outbox row %s: group upgraded to a supergroup; its rows follow", row_id)
    else:
        error = outbox.short_error(result.error)
        log.warning("outbox row %s (%s): refused (%s); dead", row_id, kind, error)


async def write_outcome(session: AsyncSession, outcome: Outcome) -> None:
    result = outcome.result
    if isinstance(result, Sent):
        await outbox.mark_sent(
            session, outcome.row_id, chat_id=outcome.chat_id, message_id=result.message_id
        )
    elif isinstance(result, Migrated):
        await staff_chats.move_chat(session, outcome.chat_id, result.new_chat_id)
        # a self-help group's linked chat follows too (the update telling of the upgrade may
        # come later, or never reach a bot that was down)
        await group_moves.move_chat(session, outcome.chat_id, result.new_chat_id)
    elif isinstance(result, Transient) and outcome.retry_in is not None:
        await outbox.mark_retry(
            session, outcome.row_id, error=result.error, delay=timedelta(seconds=outcome.retry_in)
        )
    elif isinstance(result, Unreachable):
        error = f"{outbox.CHAT_UNREACHABLE}: {result.error}"
        await outbox.mark_dead(session, outcome.row_id, error=error)
        await outbox.mark_chat_unreachable(session, outcome.chat_id)
    else:
        await outbox.mark_dead(session, outcome.row_id, error=result.error)


async def write_outcomes(session: AsyncSession, written: Sequence[Outcome]) -> None:
    """Many outcomes in the caller's transaction: the delivered rows first, together
    (`outbox.mark_sent_many`), then the others in their order. Delivered first, so that a
    chat's unreachable or migrated outcome after some of its rows went out neither kills
    nor moves those rows."""
    delivered = [
        outbox.Delivered(o.row_id, o.chat_id, o.result.message_id)
        for o in written
        if isinstance(o.result, Sent)
    ]
    await outbox.mark_sent_many(session, delivered)
    for outcome in written:
        if not isinstance(outcome.result, Sent):
            await write_outcome(session, outcome)


async def record_many(
    sessions: async_sessionmaker[AsyncSession],
    written: Sequence[Outcome],
    stopping: asyncio.Event,
) -> None:
    """Write `written` in one transaction; if that fails, each on its own (`record`)."""
    if len(written) == 1:
        await record(sessions, written[0], stopping)
        return
    try:
        async with sessions() as session, session.begin():
            await write_outcomes(session, written)
        return
    except Exception as exc:
        log.warning(
            "outbox: writing %d outcomes together failed (%s); one by one",
            len(written),
            type(exc).__name__,
        )
    for outcome in written:
        await record(sessions, outcome, stopping)


async def record(
    sessions: async_sessionmaker[AsyncSession], outcome: Outcome, stopping: asyncio.Event
) -> None:
    """Write `outcome`, retrying with growing waits until it is written or the dispatcher
    stops (then it is logged as not recorded: the row will be sent once more)."""
    wait = 0.2
    while True:
        try:
            async with sessions() as session, session.begin():
                await write_outcome(session, outcome)
            return
        except Exception as exc:
            if stopping.is_set():
                log.error(
                    "outbox row %s: outcome not recorded (%s)", outcome.row_id, type(exc).__name__
                )
                return
            log.warning(
                "outbox row %s: recording failed (%s); again in %.1fs",
                outcome.row_id,
                type(exc).__name__,
                wait,
            )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await stopping.wait()
            wait = min(wait * 2, RECORD_RETRY_CAP)
