"""Statistics of a community's requests (/stats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ServiceRequest
from storage.types import utcnow


@dataclass(frozen=True)
class Stats:
    days: int
    total: int
    by_category: dict[str, int]
    by_status: dict[str, int]
    median_first_answer: timedelta | None
    rated: int
    helped: int


async def stats(session: AsyncSession, community_id: int, days: int) -> Stats:
    since = utcnow() - timedelta(days=days)
    rows = (
        (
            await session.execute(
                select(ServiceRequest).where(
                    ServiceRequest.community_id == community_id, ServiceRequest.created_at >= since
                )
            )
        )
        .scalars()
        .all()
    )
    by_category: dict[str, int] = {}
    by_status: dict[str, int] = {}
    waits = []
    for row in rows:
        by_category[row.category] = by_category.get(row.category, 0) + 1
        by_status[row.status] = by_status.get(row.status, 0) + 1
        if row.first_answer_at is not None:
            waits.append(row.first_answer_at - row.created_at)
    waits.sort()
    median = None
    if waits:
        mid = len(waits) // 2
        median = waits[mid] if len(waits) % 2 else (waits[mid - 1] + waits[mid]) / 2
    rated = [r for r in rows if r.helped is not None]
    return Stats(
        days=days,
        total=len(rows),
        by_category=by_category,
        by_status=by_status,
        median_first_answer=median,
        rated=len(rated),
        helped=sum(1 for r in rated if r.helped),
    )
