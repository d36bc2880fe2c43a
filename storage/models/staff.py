"""Staff roles, the one-time invites that hand them out, staff chats and the cards posted in them.

Every change here comes with a migration in `storage/migrations/versions/`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class StaffRole(Base):
    """A role a person holds in one community (moderator, provider, facilitator, admin)."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "community_id", "role", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # a facilitator's group (`role == "facilitator"`); None for every other role
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), nullable=True, index=True
    )
    org_name_uk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_name_ru: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # How other staff see this person ("Moderator 2", "Olha, NGO Vilni"): never shown to residents.
    label: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Invite(Base):
    """A one-time staff invitation; only the SHA-256 of its code is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), nullable=True
    )
    org_name_uk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_name_ru: Mapped[str | None] = mapped_column(String(200), nullable=True)
    label: Mapped[str | None] = mapped_column(String(100), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffChat(Base):
    """A community's staff group chat, which receives a card for every new request."""

    __tablename__ = "staff_chats"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffChatCard(Base):
    """The card a request has in a staff chat, so that every change edits it there: the
    outbox row that sends it, and the message Telegram made of it once it was delivered."""

    __tablename__ = "staff_chat_cards"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("service_requests.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # The outbox row that sends the card (rows are purged later: no foreign key).
    outbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
