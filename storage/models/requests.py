"""Residents' requests, their public thread and their history.

Every change here comes with a migration in `storage/migrations/versions/`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class ServiceRequest(Base):
    """A resident's question to providers or police; `number` is per community (DRU-0042)."""

    __tablename__ = "service_requests"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        # /queue: the open requests of a community, counted and paged from the index.
        Index("ix_service_requests_queue", "community_id", "status", "urgent", "created_at"),
        # /stats: a period of a community, covering every column its aggregates read.
        Index(
            "ix_service_requests_stats",
            "community_id",
            "created_at",
            "category",
            "status",
            "helped",
            "first_answer_at",
        ),
        # /stats (issue 11): the same columns in (category, status) order, so that SQLite
        # groups a period of a community as it reads the index (no sort of every row).
        Index(
            "ix_service_requests_stats_groups",
            "community_id",
            "category",
            "status",
            "created_at",
            "helped",
            "first_answer_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # NULL once the resident used /forget: the request stays in statistics, anonymized.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Filled only when the resident chose to share who they are with staff.
    contact_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact_username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_by_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    routed_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    routed_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    awaiting_from_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    reject_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    helped: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When its text, photos and contact were removed (retention of closed requests, or the
    # resident's /forget); the request itself stays for statistics.
    scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# /queue (issue 11): a community's open requests in the queue's order (urgent first, then
# the oldest), so that any page is a walk along the index, not a sort of every open
# request. Partial: only open requests are in it. A query uses it only when it names the
# same condition with the same literals (`requests.reads.queue` renders `lifecycle.OPEN`
# inline): SQLite cannot match a bound parameter against an index's WHERE, and
# PostgreSQL's generic plans would not either. `tests/test_request_queries.py` checks both.
OPEN_CONDITION = "status IN ('new', 'in_review', 'routed', 'awaiting_resident')"
Index(
    "ix_service_requests_open",
    ServiceRequest.community_id,
    ServiceRequest.urgent.desc(),
    ServiceRequest.created_at,
    ServiceRequest.id,
    sqlite_where=sql_text(OPEN_CONDITION),
    postgresql_where=sql_text(OPEN_CONDITION),
)


class RequestMessage(Base):
    """One entry of a request's thread: the resident's text, a staff answer or question,
    or an internal note (never shown to the resident)."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # question, answer, ask_more, reply, note
    author_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(String(10_000), default="")
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # Telegram file ids
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestEvent(Base):
    """The audit trail: every change of a request, by whom (role) and when."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(16))  # resident, moderator, provider, system
    actor_role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
