""" "To the next reminder": when the next meeting reminder not yet sent falls due.

The sandbox jumps its clock there and runs the scheduler's jobs, so the meetings' own
reminder scan (``scheduler/reminders.py``) sends it as it would in real life.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import MeetingReminder

__all__ = ["next_reminder_at"]


async def next_reminder_at(engine: AsyncEngine, now: datetime) -> datetime | None:
    """The earliest due time after ``now`` of an armed reminder not yet enqueued (None when
    there is none)."""
    query = select(func.min(MeetingReminder.due_at)).where(
        MeetingReminder.enqueued_at.is_(None), MeetingReminder.due_at > now
    )
    async with session_factory(engine)() as session:
        due = await session.scalar(query)
    if due is None:
        return None
    assert isinstance(due, datetime)
    return due if due.tzinfo is not None else due.replace(tzinfo=now.tzinfo)
