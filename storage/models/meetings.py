"""Meetings of a community's working group or of a self-help group, their occurrences'
exceptions, RSVPs, residents' opt-in, and the reminders armed for each occurrence.

Every change here comes with a migration in `storage/migrations/versions/`.

Times: `first_local` / `start_local` are naive *wall times* in `zone` (see
`flows/recurrence.py`), never UTC offsets; instants (`start_at`, `due_at`) are UTC. An
occurrence is named by its original local date (`occurrence`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class Meeting(Base):
    """One meeting or a series. `group_id` None: the community's working group meets."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), nullable=True, index=True
    )
    title_uk: Mapped[str] = mapped_column(String(200))
    title_ru: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text, nullable=True)
    first_local: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    zone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    repeat: Mapped[str] = mapped_column(String(16), default="none")  # none, weekly, monthly
    # reminder offsets before the start, in minutes (real elapsed time)
    offsets: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the whole series cancelled from this instant on (occurrences after it do not happen)
    cancelled_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MeetingChange(Base):
    """One occurrence moved, given another place, or cancelled; the series is untouched."""

    __tablename__ = "meeting_changes"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence: Mapped[date] = mapped_column(Date, primary_key=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    start_local: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    place: Mapped[str | None] = mapped_column(String(300), nullable=True)


class MeetingRsvp(Base):
    """Going or not, per occurrence; names are never shown for a sensitive group."""

    __tablename__ = "meeting_rsvps"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    going: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingOptIn(Base):
    """A resident who wants their community's working-group meetings (the community is
    the person's current one, so changing community carries the choice along)."""

    __tablename__ = "meeting_opt_ins"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingReminder(Base):
    """A reminder armed for one occurrence at one start: the scan (`scheduler/reminders.py`)
    takes those due at or before now and not yet enqueued, and fans each out to the
    recipients as outbox rows. A moved start gets fresh rows (the key names the start)."""

    __tablename__ = "meeting_reminders"
    __table_args__ = (
        UniqueConstraint("meeting_id", "occurrence", "start_at", "offset_minutes"),
        Index("ix_meeting_reminders_enqueued_at_due_at", "enqueued_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    occurrence: Mapped[date] = mapped_column(Date)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    offset_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # sent (rows written), late (sent, saying so), begun (skipped), gone (cancelled/moved)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
