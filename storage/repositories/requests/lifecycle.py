"""Residents' requests: the atomic operations of their life cycle, each with an audit event.

States (FixMyStreet and helpdesk practice): new -> in_review (claimed) -> routed (to a
provider) -> awaiting_resident (staff asked for more) -> answered -> closed; rejected from
any open state. Every operation checks the state it starts from in the same UPDATE that
changes it, so two people acting at once cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Community,
    RequestEvent,
    RequestMessage,
    ServiceRequest,
    StaffRole,
)
from storage.types import utcnow

OPEN = ("new", "in_review", "routed", "awaiting_resident")
FINISHED = ("answered", "closed", "rejected")
REOPEN_WINDOW = timedelta(days=7)


def reference(code: str, number: int) -> str:
    return f"{code}-{number:04d}"


async def _event(
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


async def _move(
    session: AsyncSession,
    request: ServiceRequest,
    *,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    actor_kind: str,
    role: StaffRole | None = None,
    detail: str | None = None,
    extra_where: Any = None,
    **values: Any,
) -> bool:
    """Change status atomically if the request is still in `allowed_from`."""
    before = request.status
    query = update(ServiceRequest).where(
        ServiceRequest.id == request.id, ServiceRequest.status.in_(allowed_from)
    )
    if extra_where is not None:
        query = query.where(extra_where)
    result = await session.execute(
        query.values(status=to, updated_at=utcnow(), **values).execution_options(
            synchronize_session=False
        )
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(request)
        return False
    await session.refresh(request)
    await _event(
        session,
        request,
        action,
        actor_kind=actor_kind,
        role=role,
        from_status=before,
        to_status=to,
        detail=detail,
    )
    return True


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
    await _event(session, request, "created", actor_kind="resident", to_status="new")
    await session.flush()
    return request


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    holder_role_id: int | None


async def claim(session: AsyncSession, request: ServiceRequest, role: StaffRole) -> ClaimResult:
    """Exactly one of several moderators pressing Claim at once wins."""
    won = await _move(
        session,
        request,
        allowed_from=("new", "in_review", "routed", "awaiting_resident"),
        to="in_review" if request.status == "new" else request.status,
        action="claimed",
        actor_kind="moderator",
        role=role,
        extra_where=ServiceRequest.claimed_by_role_id.is_(None),
        claimed_by_role_id=role.id,
    )
    return ClaimResult(won, request.claimed_by_role_id)


async def route(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, provider: StaffRole
) -> bool:
    return await _move(
        session,
        request,
        allowed_from=("new", "in_review", "routed"),
        to="routed",
        action="routed",
        actor_kind="moderator",
        role=role,
        detail=provider.category,
        routed_category=provider.category,
        routed_role_id=provider.id,
        awaiting_from_role_id=None,
        claimed_by_role_id=request.claimed_by_role_id or role.id,
    )


async def _message(
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


def _working_status(request: ServiceRequest) -> str:
    """Where a request goes back to when the resident writes or reopens it."""
    if request.routed_role_id:
        return "routed"
    return "in_review" if request.claimed_by_role_id else "new"


def _claimant(request: ServiceRequest, role: StaffRole) -> int | None:
    """A moderator who acts on an unclaimed request takes it."""
    if request.claimed_by_role_id is None and role.role == "moderator":
        return role.id
    return request.claimed_by_role_id


async def answer(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> bool:
    now = utcnow()
    moved = await _move(
        session,
        request,
        allowed_from=OPEN,
        to="answered",
        action="answered",
        actor_kind=role.role,
        role=role,
        first_answer_at=request.first_answer_at or now,
        answered_at=now,
        awaiting_from_role_id=None,
        helped=None,
        claimed_by_role_id=_claimant(request, role),
    )
    if moved:
        await _message(session, request, "answer", text, role=role)
    return moved


async def ask_more(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> bool:
    moved = await _move(
        session,
        request,
        allowed_from=OPEN,
        to="awaiting_resident",
        action="asked_more",
        actor_kind=role.role,
        role=role,
        awaiting_from_role_id=role.id,
        claimed_by_role_id=_claimant(request, role),
    )
    if moved:
        await _message(session, request, "ask_more", text, role=role)
    return moved


async def resident_reply(
    session: AsyncSession, request: ServiceRequest, text: str, photos: list[str]
) -> bool:
    """The resident adds information; the request goes back to whoever works on it."""
    back_to = _working_status(request)
    moved = await _move(
        session,
        request,
        allowed_from=("awaiting_resident",),
        to=back_to,
        action="resident_replied",
        actor_kind="resident",
        awaiting_from_role_id=None,
    )
    if moved:
        await _message(session, request, "reply", text, photos=photos)
    return moved


async def add_resident_message(
    session: AsyncSession, request: ServiceRequest, text: str, photos: list[str]
) -> None:
    """More words from the resident on an open request (e.g. right after reopening)."""
    await _message(session, request, "reply", text, photos=photos)
    await _event(session, request, "resident_wrote", actor_kind="resident")


async def mark_urgent(session: AsyncSession, request: ServiceRequest) -> None:
    """The resident wrote about immediate danger: the request is urgent from now on."""
    if not request.urgent:
        request.urgent = True
        await _event(session, request, "flagged_urgent", actor_kind="system")


async def add_note(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> None:
    await _message(session, request, "note", text, role=role)
    await _event(session, request, "noted", actor_kind=role.role, role=role)


async def reject(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, reason: str, comment: str
) -> bool:
    now = utcnow()
    moved = await _move(
        session,
        request,
        allowed_from=OPEN,
        to="rejected",
        action="rejected",
        actor_kind="moderator",
        role=role,
        detail=reason,
        reject_reason=reason,
        closed_at=now,
    )
    if moved and comment:
        await _message(session, request, "rejection", comment, role=role)
    return moved


async def close(
    session: AsyncSession,
    request: ServiceRequest,
    *,
    actor_kind: str,
    role: StaffRole | None = None,
) -> bool:
    return await _move(
        session,
        request,
        allowed_from=(*OPEN, "answered"),
        to="closed",
        action="closed",
        actor_kind=actor_kind,
        role=role,
        closed_at=utcnow(),
        awaiting_from_role_id=None,
    )


def can_reopen(request: ServiceRequest, now: datetime | None = None) -> bool:
    since = request.closed_at or request.answered_at
    if request.status not in ("answered", "closed") or since is None:
        return False
    return (now or utcnow()) - since <= REOPEN_WINDOW


async def reopen(session: AsyncSession, request: ServiceRequest) -> bool:
    if not can_reopen(request):
        return False
    back_to = _working_status(request)
    return await _move(
        session,
        request,
        allowed_from=("answered", "closed"),
        to=back_to,
        action="reopened",
        actor_kind="resident",
        closed_at=None,
        helped=None,
    )


async def rate(session: AsyncSession, request: ServiceRequest, helped: bool) -> bool:
    if request.status not in ("answered", "closed"):
        return False
    request.helped = helped
    await _event(session, request, "rated", actor_kind="resident", detail="yes" if helped else "no")
    return True
