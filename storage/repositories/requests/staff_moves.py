"""Staff moves: claim, route, answer, ask for more, note, reject.

Each checks, in its one UPDATE, the request's state and the actor's right to act on it
(`scope.may_act`); see `lifecycle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import ServiceRequest, StaffRole
from storage.repositories.requests.lifecycle import OPEN, Move, add_message, move, record_event
from storage.repositories.requests.scope import may_act
from storage.types import UTCDateTime, utcnow


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    holder_role_id: int | None
    allowed: bool = True  # False: the moderator may no longer act on this request


async def claim(session: AsyncSession, request: ServiceRequest, role: StaffRole) -> ClaimResult:
    """Exactly one of several moderators pressing Claim at once wins."""
    moved = await move(
        session,
        request,
        allowed_from=("new", "in_review", "routed", "awaiting_resident"),
        to="in_review" if request.status == "new" else request.status,
        action="claimed",
        actor_kind="moderator",
        role=role,
        scope=may_act(role, moderators_only=True),
        extra_where=ServiceRequest.claimed_by_role_id.is_(None),
        claimed_by_role_id=role.id,
    )
    allowed = moved is not Move.NOT_ALLOWED
    return ClaimResult(bool(moved), request.claimed_by_role_id, allowed)


def _active_provider(provider: StaffRole) -> ColumnElement[bool]:
    target = aliased(StaffRole)
    return exists().where(
        target.id == provider.id,
        target.revoked_at.is_(None),
        target.role == "provider",
        target.community_id == ServiceRequest.community_id,
    )


async def route(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, provider: StaffRole
) -> Move:
    return await move(
        session,
        request,
        allowed_from=("new", "in_review", "routed"),
        to="routed",
        action="routed",
        actor_kind="moderator",
        role=role,
        detail=provider.category,
        scope=may_act(role, moderators_only=True),
        extra_where=_active_provider(provider),
        routed_category=provider.category,
        routed_role_id=provider.id,
        awaiting_from_role_id=None,
        claimed_by_role_id=func.coalesce(ServiceRequest.claimed_by_role_id, role.id),
    )


def _claimant(role: StaffRole) -> dict[str, Any]:
    """A moderator who acts on an unclaimed request takes it (decided in the UPDATE)."""
    if role.role != "moderator":
        return {}
    return {"claimed_by_role_id": func.coalesce(ServiceRequest.claimed_by_role_id, role.id)}


async def answer(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> Move:
    now = utcnow()
    moved = await move(
        session,
        request,
        allowed_from=OPEN,
        to="answered",
        action="answered",
        actor_kind=role.role,
        role=role,
        scope=may_act(role),
        first_answer_at=func.coalesce(
            ServiceRequest.first_answer_at, literal(now, type_=UTCDateTime())
        ),
        answered_at=now,
        awaiting_from_role_id=None,
        helped=None,
        **_claimant(role),
    )
    if moved:
        await add_message(session, request, "answer", text, role=role)
    return moved


async def ask_more(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> Move:
    moved = await move(
        session,
        request,
        allowed_from=OPEN,
        to="awaiting_resident",
        action="asked_more",
        actor_kind=role.role,
        role=role,
        scope=may_act(role),
        awaiting_from_role_id=role.id,
        **_claimant(role),
    )
    if moved:
        await add_message(session, request, "ask_more", text, role=role)
    return moved


async def add_note(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, text: str
) -> None:
    await add_message(session, request, "note", text, role=role)
    await record_event(session, request, "noted", actor_kind=role.role, role=role)


async def reject(
    session: AsyncSession, request: ServiceRequest, role: StaffRole, reason: str, comment: str
) -> Move:
    now = utcnow()
    moved = await move(
        session,
        request,
        allowed_from=OPEN,
        to="rejected",
        action="rejected",
        actor_kind="moderator",
        role=role,
        detail=reason,
        scope=may_act(role, moderators_only=True),
        reject_reason=reason,
        closed_at=now,
    )
    if moved and comment:
        await add_message(session, request, "rejection", comment, role=role)
    return moved
