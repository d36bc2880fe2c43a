"""Residents' requests: their states and the one way to move between them.

States (FixMyStreet and helpdesk practice): new -> in_review (claimed) -> routed (to a
provider) -> awaiting_resident (staff asked for more) -> answered -> closed; rejected from
any open state. Every move (`move`, used by `staff_moves` and `resident_moves`) checks the
state it starts from, and a staff member's right to act (`scope.may_act`), in the same
UPDATE that changes it, so two people acting at once cannot both succeed and nobody acts on
a request that left their hands meanwhile; each writes an audit event. A move returns a
`Move`: done, changed meanwhile (the state no longer allows it) or not allowed (the actor's
rights no longer cover the request).
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Community,
    RequestEvent,
    RequestMessage,
    ServiceRequest,
    StaffRole,
)
from storage.repositories.requests.scope import may_act
from storage.types import utcnow

OPEN = ("new", "in_review", "routed", "awaiting_resident")
FINISHED = ("answered", "closed", "rejected")
REOPEN_WINDOW = timedelta(days=7)


def reference(code: str, number: int) -> str:
    return f"{code}-{number:04d}"


class Move(enum.Enum):
    """What became of a move. Only `DONE` is true, so `if await answer(...)` reads as before."""

    DONE = "done"
    CHANGED = "changed"  # the request's state no longer allows it: someone else was first
    NOT_ALLOWED = "not_allowed"  # the actor may no longer act on it (routed elsewhere, revoked)

    def __bool__(self) -> bool:
        return self is Move.DONE


async def record_event(
    session: AsyncSession,
    request: ServiceRequest,
    action: str,
    *,
    actor_kind: str,
    role: StaffRole | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: str | None = None,
) -> None:
    session.add(
        RequestEvent(
            request_id=request.id,
            action=action,
            actor_kind=actor_kind,
            actor_role_id=role.id if role else None,
            from_status=from_status,
            to_status=to_status,
            detail=detail,
            at=utcnow(),
        )
    )


async def move(
    session: AsyncSession,
    request: ServiceRequest,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    actor_kind: str,
    role: StaffRole | None = None,
    detail: str | None = None,
    scope: ColumnElement[bool] | None = None,
    extra_where: ColumnElement[bool] | None = None,
    **values: Any,
) -> Move:
    """Change status atomically if the request is still in `allowed_from` and, for staff,
    still within the actor's `scope` (both in the UPDATE's WHERE)."""
    before = request.status
    query = update(ServiceRequest).where(
        ServiceRequest.id == request.id, ServiceRequest.status.in_(allowed_from)
    )
    for condition in (scope, extra_where):
        if condition is not None:
            query = query.where(condition)
    result = await session.execute(
        query.values(status=to, updated_at=utcnow(), **values).execution_options(
            synchronize_session=False
        )
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(request)
        if scope is not None and not await _within(session, request, scope):
            return Move.NOT_ALLOWED
        return Move.CHANGED
    await session.refresh(request)
    await record_event(
        session,
        request,
        action,
        actor_kind=actor_kind,
        role=role,
        from_status=before,
        to_status=to,
        detail=detail,
    )
    return Move.DONE


async def _within(
    session: AsyncSession, request: ServiceRequest, scope: ColumnElement[bool]
) -> bool:
    """After a refused move: is the request (as committed now) still the actor's?"""
    found = await session.scalar(
        select(ServiceRequest.id).where(ServiceRequest.id == request.id, scope)
    )
    return found is not None


async def add_message(
    session: AsyncSession,
    request: ServiceRequest,
    kind: str,
    text: str,
    *,
    role: StaffRole | None = None,
    photos: list[str] | None = None,
) -> RequestMessage:
    message = RequestMessage(
        request_id=request.id,
        kind=kind,
        author_role_id=role.id if role else None,
        text=text,
        photos=photos or [],
        created_at=utcnow(),
    )
    session.add(message)
    await session.flush()
    return message


def working_status(request: ServiceRequest) -> str:
    """Where a request goes back to when the resident writes or reopens it."""
    if request.routed_role_id:
        return "routed"
    return "in_review" if request.claimed_by_role_id else "new"


async def create_request(
    session: AsyncSession,
    *,
    author_id: int,
    community_id: int,
    category: str,
    text: str,
    photos: list[str],
    urgent: bool,
    contact_name: str | None = None,
    contact_username: str | None = None,
) -> ServiceRequest:
    """A new request with the next number of its community (taken under a row lock)."""
    number = (
        await session.execute(
            update(Community)
            .where(Community.id == community_id)
            .values(request_seq=Community.request_seq + 1)
            .returning(Community.request_seq)
        )
    ).scalar_one()
    now = utcnow()
    request = ServiceRequest(
        community_id=community_id,
        number=number,
        category=category,
        status="new",
        urgent=urgent,
        author_id=author_id,
        contact_name=contact_name,
        contact_username=contact_username,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    session.add(
        RequestMessage(
            request_id=request.id, kind="question", text=text, photos=photos, created_at=now
        )
    )
    await record_event(session, request, "created", actor_kind="resident", to_status="new")
    await session.flush()
    return request


async def close(
    session: AsyncSession,
    request: ServiceRequest,
    *,
    actor_kind: str,
    role: StaffRole | None = None,
) -> Move:
    """Close an open or answered request: by its resident (the caller checked it is theirs)
    or by a moderator `role` of its community."""
    return await move(
        session,
        request,
        allowed_from=(*OPEN, "answered"),
        to="closed",
        action="closed",
        actor_kind=actor_kind,
        role=role,
        scope=may_act(role, moderators_only=True) if role is not None else None,
        closed_at=utcnow(),
        awaiting_from_role_id=None,
    )
