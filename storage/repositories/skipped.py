"""Notifications that reached nobody (`skipped_notices`), for admins to see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, ServiceRequest, SkippedNotice, StaffRole
from storage.repositories.requests import reference
from storage.types import utcnow

# Why nobody was told.
UNREACHABLE = "unreachable"  # the recipient blocked the bot
ERASED = "erased"  # the resident erased their data
NO_RECIPIENT = "no_recipient"  # no moderator, provider or staff chat to tell


def record(
    session: AsyncSession,
    *,
    request_id: int,
    news: str,
    reason: str,
    user_id: int | None = None,
    role_id: int | None = None,
) -> None:
    """Add a row in the current transaction (flushed with the change that caused it)."""
    session.add(
        SkippedNotice(
            request_id=request_id,
            news=news,
            reason=reason,
            user_id=user_id,
            role_id=role_id,
            at=utcnow(),
        )
    )


@dataclass(frozen=True)
class SkippedRow:
    id: int
    at: datetime
    ref: str
    news: str
    reason: str
    role_label: str | None  # the staff role that was not told; None: the resident or nobody


async def recent(session: AsyncSession, limit: int = 50) -> list[SkippedRow]:
    """The newest rows first, with the request's reference; never a name or a chat id."""
    rows = await session.execute(
        select(
            SkippedNotice, Community.code, ServiceRequest.number, StaffRole.label, StaffRole.role
        )
        .join(ServiceRequest, ServiceRequest.id == SkippedNotice.request_id)
        .join(Community, Community.id == ServiceRequest.community_id)
        .outerjoin(StaffRole, StaffRole.id == SkippedNotice.role_id)
        .order_by(SkippedNotice.at.desc(), SkippedNotice.id.desc())
        .limit(limit)
    )
    return [
        SkippedRow(
            notice.id,
            notice.at,
            reference(code, number),
            notice.news,
            notice.reason,
            # A role without a label of its own is named by its kind and id (for admins).
            label or (f"{role} {notice.role_id}" if notice.role_id else None),
        )
        for notice, code, number, label, role in rows
    ]
