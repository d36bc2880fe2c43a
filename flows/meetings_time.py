"""Choosing a meeting's start and its reminders: typed dates, the picker, the offsets.

Pure: no Telegram, no database. The creation flow (`flows/meetings.py`) and the handlers
use these; `tests/test_meetings_time.py` covers them, both clock changes included.

**Reminder offsets are real elapsed time.** "24 hours before" a meeting at 18:00 on the
Sunday of the spring change is 24 real hours before it, i.e. 17:00 on Saturday, Kyiv time
(the clocks moved an hour forward in between); on the autumn change's Sunday it is 19:00. The
reminder's text names the meeting's own date and time, so the hour it arrives at never
misleads anyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

PICKER_WEEKS = 8
TIME_CHOICES = tuple(time(hour) for hour in range(9, 21))  # 09:00 .. 20:00
DEFAULT_OFFSETS = (timedelta(hours=24), timedelta(hours=2))
MAX_OFFSET = timedelta(days=7)  # the reminder scan arms a fortnight ahead (see reminders)
MAX_OFFSETS = 3
LATE_AFTER = timedelta(minutes=10)  # a reminder sent this much after its due time says so

_TYPED = re.compile(
    r"^\s*(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})(?:\.(?P<year>[0-9]{4}))?"
    r"\s+(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})\s*$"
)
_TIME = re.compile(r"^\s*(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})\s*$")


def parse_when(text: str, today: date) -> datetime | None:
    """`25.12 18:00` or `25.12.2026 18:00` as a naive wall time; None if it is no date.

    Without a year the next such day is meant: this year's, or next year's once this
    year's has passed.
    """
    match = _TYPED.match(text)
    if match is None:
        return None
    day, month = int(match["day"]), int(match["month"])
    hour, minute = int(match["hour"]), int(match["minute"])
    try:
        moment = time(hour, minute)
        if match["year"]:
            return datetime.combine(date(int(match["year"]), month, day), moment)
        for year in range(today.year, today.year + 5):  # 29.02 waits for a leap year
            if _valid(year, month, day) and date(year, month, day) >= today:
                return datetime.combine(date(year, month, day), moment)
        return None
    except ValueError:
        return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_time(text: str) -> time | None:
    """`18:00` / `18.00` typed at the time step."""
    match = _TIME.match(text)
    if match is None:
        return None
    try:
        return time(int(match["hour"]), int(match["minute"]))
    except ValueError:
        return None


def picker_days(today: date, weeks: int = PICKER_WEEKS) -> list[list[date | None]]:
    """The date picker: rows Monday..Sunday from this week on, `weeks` rows; days before
    today are None (an empty cell)."""
    monday = today - timedelta(days=today.weekday())
    rows: list[list[date | None]] = []
    for week in range(weeks):
        row: list[date | None] = []
        for offset in range(7):
            day = monday + timedelta(days=7 * week + offset)
            row.append(day if day >= today else None)
        rows.append(row)
    return rows


def in_picker(day: date, today: date, weeks: int = PICKER_WEEKS) -> bool:
    """Whether a pressed day is one the picker offers (a forged or an old one is not)."""
    last = today - timedelta(days=today.weekday()) + timedelta(days=7 * weeks - 1)
    return today <= day <= last


def parse_offsets(text: str) -> tuple[timedelta, ...] | None:
    """Typed reminder offsets in hours, `24, 2` or `48 3 1`; None if any is not a whole
    number of hours from 1 to 168, or there are more than three."""
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    if not parts or len(parts) > MAX_OFFSETS or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    hours = sorted({int(part) for part in parts}, reverse=True)
    offsets = tuple(timedelta(hours=h) for h in hours)
    if any(not timedelta(hours=1) <= o <= MAX_OFFSET for o in offsets):
        return None
    return offsets


def offsets_to_minutes(offsets: Sequence[timedelta]) -> list[int]:
    return [int(offset.total_seconds() // 60) for offset in offsets]


def minutes_to_offsets(minutes: Sequence[int]) -> tuple[timedelta, ...]:
    return tuple(timedelta(minutes=m) for m in minutes)


def reminder_due(start: datetime, offset: timedelta) -> datetime:
    """When a reminder `offset` before an aware `start` is due: real elapsed time."""
    return start - offset


def is_late(due: datetime, now: datetime) -> bool:
    """A reminder going out this late (the bot was down) says it is late."""
    return now - due > LATE_AFTER
