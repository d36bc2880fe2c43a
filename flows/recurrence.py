"""When a meeting happens: local wall time + zone, and the rule that repeats it.

A meeting is stored as the wall time people agreed on (`18:00`, naive) and the community's
zone (`Europe/Kyiv`), never as a UTC offset, so a weekly series stays at 18:00 Kyiv time on
both sides of a clock change. Occurrences are computed by date arithmetic on the wall time
and only then turned into instants (`instant`).

An occurrence is named by its *original* local date (`date`): the day the rule puts it on.
Cancelling or moving one occurrence is an exception keyed by that date, so the series is
left alone and the name stays stable when that occurrence is moved.

Wall times that a clock change makes odd: one that does not exist (03:30 on the last Sunday
of March in Kyiv) is read with the offset before the change, i.e. 04:30 summer time; one
that happens twice (03:30 on the last Sunday of October) is the first of the two (PEP 495,
fold=0). Meetings are not held at those hours; the rule is only there to be total.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"  # by weekday: "the first Tuesday", "the last Friday"


LAST = -1  # the ordinal of "the last <weekday> of the month"


def instant(local: datetime, zone: str) -> datetime:
    """A naive wall time in `zone` as an aware UTC instant."""
    if local.tzinfo is not None:
        raise ValueError("a wall time is naive; its zone is given apart")
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def wall_time(moment: datetime, zone: str) -> datetime:
    """An aware instant as the naive wall time of `zone`."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def weekday_ordinal(day: date) -> int:
    """Which of its month's weekdays `day` is: 1..4, or LAST for a fifth one (a fifth
    Tuesday is not in every month, so a series started on one keeps to the last)."""
    ordinal = (day.day - 1) // 7 + 1
    return LAST if ordinal > 4 else ordinal


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    """The `ordinal`-th (1..4, or LAST) `weekday` (0 = Monday) of a month."""
    if ordinal == LAST:
        last = calendar.monthrange(year, month)[1]
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - weekday) % 7)
    if not 1 <= ordinal <= 4:
        raise ValueError("ordinal is 1..4 or LAST")
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


@dataclass(frozen=True)
class Series:
    """A meeting's times: the first wall time, its zone and how it repeats (monthly keeps
    the first one's weekday and its ordinal in the month)."""

    first: datetime  # naive wall time
    zone: str
    repeat: Repeat = Repeat.NONE

    def __post_init__(self) -> None:
        if self.first.tzinfo is not None:
            raise ValueError("Series.first is a naive wall time")
        ZoneInfo(self.zone)  # an unknown zone fails here, not at the first reminder

    def local_starts(self, from_day: date | None = None) -> Iterator[datetime]:
        """Wall times of the occurrences in order, from the first one on or after
        `from_day` (the series' first day when None). Endless for a repeating series."""
        first, clock = self.first.date(), self.first.time()
        start = max(from_day or first, first)
        if self.repeat is Repeat.NONE:
            if start <= first:
                yield self.first
            return
        if self.repeat is Repeat.WEEKLY:
            weeks = -(-(start - first).days // 7)
            day = first + timedelta(weeks=weeks)
            while True:
                yield datetime.combine(day, clock)
                day += timedelta(weeks=1)
        weekday, ordinal = first.weekday(), weekday_ordinal(first)
        year, month = start.year, start.month
        while True:
            day = nth_weekday(year, month, weekday, ordinal)
            if day >= start:
                yield datetime.combine(day, clock)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def starts_after(self, moment: datetime, limit: int) -> list[datetime]:
        """Up to `limit` wall times whose instant is after the aware `moment`."""
        from_day = wall_time(moment, self.zone).date() - timedelta(days=1)
        result: list[datetime] = []
        for local in self.local_starts(from_day):
            if len(result) >= limit:
                break
            if instant(local, self.zone) > moment:
                result.append(local)
        return result

    def starts_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Wall times whose instant is in [start, end) (aware instants)."""
        from_day = wall_time(start, self.zone).date() - timedelta(days=1)
        result: list[datetime] = []
        for local in self.local_starts(from_day):
            moment = instant(local, self.zone)
            if moment >= end:
                break
            if moment >= start:
                result.append(local)
        return result
