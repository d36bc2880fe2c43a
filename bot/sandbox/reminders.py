""" "To the next reminder": when the next meeting reminder not yet sent falls due.

The sandbox jumps its clock there and runs the scheduler's jobs, so the meetings' own
reminder scan (``scheduler/reminders.py``) sends it as it would in real life.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory

__all__ = ["next_reminder_at"]


async def next_reminder_at(engine: AsyncEngine, now: datetime) -> datetime | None:
    """The earliest due time after ``now`` of an armed reminder not yet enqueued (None when
    there is none, or when this build has no meetings)."""
    models = importlib.import_module("storage.models")
    reminder = getattr(models, "MeetingReminder", None)
    if reminder is None:
        return None
    query = select(func.min(reminder.due_at)).where(
        reminder.enqueued_at.is_(None), reminder.due_at > now
    )
    async with session_factory(engine)() as session:
        due = await session.scalar(query)
    if due is None:
        return None
    assert isinstance(due, datetime)
    return due if due.tzinfo is not None else due.replace(tzinfo=now.tzinfo)
