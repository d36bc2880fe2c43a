"""The resident's moves: reply when asked, write more, reopen, rate; and the urgency flag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ServiceRequest
from storage.repositories.requests.lifecycle import (
    REOPEN_WINDOW,
    add_message,
    move,
    record_event,
    working_status,
)
from storage.types import utcnow


async def resident_reply(
    session: AsyncSession, request: ServiceRequest, text: str, photos: list[str]
) -> bool:
    """The resident adds information; the request goes back to whoever works on it."""
    back_to = working_status(request)
    moved = await move(
        session,
        request,
        allowed_from=("awaiting_resident",),
        to=back_to,
        action="resident_replied",
        actor_kind="resident",
        awaiting_from_role_id=None,
    )
    if moved:
        await add_message(session, request, "reply", text, photos=photos)
    return bool(moved)


async def add_resident_message(
    session: AsyncSession, request: ServiceRequest, text: str, photos: list[str]
) -> None:
    """More words from the resident on an open request (e.g. right after reopening)."""
    await add_message(session, request, "reply", text, photos=photos)
    await record_event(session, request, "resident_wrote", actor_kind="resident")


async def mark_urgent(session: AsyncSession, request: ServiceRequest) -> None:
    """The resident wrote about immediate danger: the request is urgent from now on."""
    if not request.urgent:
        request.urgent = True
        await record_event(session, request, "flagged_urgent", actor_kind="system")


def can_reopen(request: ServiceRequest, now: datetime | None = None) -> bool:
    since = request.closed_at or request.answered_at
    if request.status not in ("answered", "closed") or since is None:
        return False
    return (now or utcnow()) - since <= REOPEN_WINDOW


async def reopen(session: AsyncSession, request: ServiceRequest) -> bool:
    if not can_reopen(request):
        return False
    back_to = working_status(request)
    moved = await move(
        session,
        request,
        allowed_from=("answered", "closed"),
        to=back_to,
        action="reopened",
        actor_kind="resident",
        closed_at=None,
        helped=None,
    )
    return bool(moved)


async def rate(session: AsyncSession, request: ServiceRequest, helped: bool) -> bool:
    if request.status not in ("answered", "closed"):
        return False
    request.helped = helped
    await record_event(
        session, request, "rated", actor_kind="resident", detail="yes" if helped else "no"
    )
    return True
