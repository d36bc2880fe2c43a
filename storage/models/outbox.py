"""The outbox (every message the bot sends later) and the recipients it had to skip.

Every change here comes with a migration in `storage/migrations/versions/`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class OutboxMessage(Base):
    """A message to someone other than the person acting, committed with the change that
    caused it and sent by the dispatcher; `dedup_key` makes it exactly-once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it was given up: dead rows are forgotten `OUTBOX_RETENTION_DAYS` after that,
    # like delivered rows after `sent_at` (their payloads hold what staff cards show).
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SkippedNotice(Base):
    """A notification that reached nobody: its recipient cannot be written to (blocked the
    bot, erased their data) or none is configured (no moderator, no provider, no staff
    chat). Written in the transaction of the change; listed by `python -m bot outbox
    skipped`, so that "nobody was told" is visible instead of silent."""

    __tablename__ = "skipped_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), index=True
    )
    news: Mapped[str] = mapped_column(String(24))  # new, routed, reply, reopened, answer, ...
    reason: Mapped[str] = mapped_column(String(24))  # unreachable, erased, no_recipient
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
