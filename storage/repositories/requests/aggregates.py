"""Statistics of a community's requests (/stats), computed by the database.

`stats_by_period` answers for several periods at once (/stats shows 7, 30 and 90 days):
GROUP BYs count, per category and status, the requests, ratings and first answers, each
request once (slices between the period starts, added up); the median wait for a first
answer is one more query per period. No request is loaded into Python: the work is a scan
of the index on (community, creation time, category, status, rating, first answer), which
covers every column read. The median is the only place where the dialects differ: PostgreSQL has
`percentile_cont`; SQLite has none and takes the middle one or two of the sorted waits
(LIMIT/OFFSET, with the count of answered requests the GROUP BY already gave);
`_median_wait` hides both. Both compare waits as whole microseconds, so the two backends
give identical figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, extract, func, select
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


@dataclass
class _Tally:
    total: int = 0
    rated: int = 0
    helped: int = 0
    answered: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def copy(self) -> _Tally:
        return replace(self, by_category=dict(self.by_category), by_status=dict(self.by_status))


async def stats(session: AsyncSession, community_id: int, days: int) -> Stats:
    return (await stats_by_period(session, community_id, (days,)))[0]


async def stats_by_period(
    session: AsyncSession, community_id: int, periods: Sequence[int]
) -> list[Stats]:
    """The figures of the last `days` days for each of `periods`, in that order.

    The periods nest (7 days lie inside 30), so the counts are taken once per slice between
    two period starts (newest first) and added up: each request is counted once, by a plain
    GROUP BY over an index range (a single GROUP BY with a CASE per period and aggregate is
    slower in SQLite)."""
    now = utcnow()
    by_length = sorted(set(periods))
    starts = [now - timedelta(days=days) for days in by_length]
    tallies: dict[int, _Tally] = {}
    running = _Tally()
    newer: Any = None
    for days, start in zip(by_length, starts, strict=True):
        in_slice = [ServiceRequest.community_id == community_id, ServiceRequest.created_at >= start]
        if newer is not None:
            in_slice.append(ServiceRequest.created_at < newer)
        await _count(session, and_(*in_slice), running)
        tallies[days] = running.copy()
        newer = start
    result = []
    for days in periods:
        tally = tallies[days]
        period = and_(
            ServiceRequest.community_id == community_id,
            ServiceRequest.created_at >= now - timedelta(days=days),
        )
        median = await _median_wait(session, period, tally.answered) if tally.answered else None
        result.append(
            Stats(
                days=days,
                total=tally.total,
                by_category=tally.by_category,
                by_status=tally.by_status,
                median_first_answer=median,
                rated=tally.rated,
                helped=tally.helped,
            )
        )
    return result


async def _count(session: AsyncSession, where: ColumnElement[bool], tally: _Tally) -> None:
    """Add the requests matching `where` to `tally`."""
    counted = await session.execute(
        select(
            ServiceRequest.category,
            ServiceRequest.status,
            func.count(),
            func.count(ServiceRequest.helped),
            func.count(case((ServiceRequest.helped.is_(True), 1))),
            func.count(ServiceRequest.first_answer_at),
        )
        .where(where)
        .group_by(ServiceRequest.category, ServiceRequest.status)
    )
    for category, status, total, rated, helped, answered in counted:
        tally.by_category[category] = tally.by_category.get(category, 0) + total
        tally.by_status[status] = tally.by_status.get(status, 0) + total
        tally.total += total
        tally.rated += rated
        tally.helped += helped
        tally.answered += answered


def _microseconds(instant: Any) -> Any:
    """SQLite: an instant as whole microseconds (since the Julian epoch). It is stored as
    'YYYY-MM-DD HH:MM:SS.ffffff'; julianday() keeps only milliseconds, so the whole seconds
    come from the text before the dot and the microseconds from the text after it."""
    seconds = cast(func.round(func.julianday(func.substr(instant, 1, 19)) * 86400), BigInteger)
    return seconds * 1_000_000 + cast(func.substr(instant, 21, 6), BigInteger)


async def _median_wait(
    session: AsyncSession, period: ColumnElement[bool], answered: int
) -> timedelta | None:
    """The median of first_answer_at - created_at over the `answered` requests of `period`
    that have a first answer (the mean of the two middle ones for an even count), exact to
    the microsecond on both backends (waits are compared as whole microseconds)."""
    where = and_(period, ServiceRequest.first_answer_at.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        interval = ServiceRequest.first_answer_at - ServiceRequest.created_at
        wait: Any = cast(extract("epoch", interval) * 1_000_000, BigInteger)
        query = select(func.percentile_cont(0.5).within_group(wait)).where(where)
    else:  # no percentile in SQLite: the middle one or two of the sorted waits
        wait = _microseconds(ServiceRequest.first_answer_at) - _microseconds(
            ServiceRequest.created_at
        )
        labelled = wait.label("wait")
        middle = (
            select(labelled)
            .where(where)
            .order_by(labelled)
            .limit(2 - answered % 2)
            .offset((answered - 1) // 2)
            .subquery()
        )
        query = select(func.avg(middle.c.wait))
    median = (await session.execute(query)).scalar_one()
    return None if median is None else timedelta(microseconds=round(float(median)))
