"""Retention: what the nightly job removes, each on its own schedule (`policy.Retention`).
Handled update ids and outbox rows have their own jobs (`scheduler/jobs.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, ServiceRequest
from storage.privacy import chat_messages
from storage.privacy.requests import scrub
from storage.repositories import polls
from storage.types import utcnow

FINISHED = ("closed", "rejected")
BATCH = 500


async def scrub_closed_requests(session: AsyncSession, closed_before: datetime) -> int:
    """Text, photos and shared contact of requests closed or rejected before `closed_before`
    (the request stays, counted in statistics). Returns how many requests."""
    total = 0
    while True:
        ids = list(
            (
                await session.execute(
                    select(ServiceRequest.id)
                    .where(
                        ServiceRequest.status.in_(FINISHED),
                        ServiceRequest.closed_at < closed_before,
                        ServiceRequest.scrubbed_at.is_(None),
                    )
                    .limit(BATCH)
                )
            ).scalars()
        )
        if not ids:
            return total
        await scrub(session, ids, utcnow())
        total += len(ids)


async def forget_idle_conversations(session: AsyncSession, idle_since: datetime) -> int:
    """Conversation state nobody changed since `idle_since` (a half-written question too)."""
    result = await session.execute(
        delete(ConversationState).where(ConversationState.updated_at < idle_since)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_clear_chat_ids(session: AsyncSession, kept_before: datetime) -> int:
    return await chat_messages.purge(session, kept_before)


async def unlink_closed_poll_votes(session: AsyncSession, closed_before: datetime) -> int:
    """Who voted how in polls closed before `closed_before`: the link to the person goes,
    the counts stay (`polls.unlink_closed`). Returns how many votes were unlinked."""
    return await polls.unlink_closed(session, closed_before)
