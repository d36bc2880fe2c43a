"""The tables. Every change here comes with a migration in `storage/migrations/versions/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Community(Base):
    """A hromada with a working group; `code` prefixes request references (DRU-0042)."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name_uk: Mapped[str] = mapped_column(String(128))
    name_ru: Mapped[str] = mapped_column(String(128))
    oblast: Mapped[str] = mapped_column(String(32), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Kyiv")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The last request number handed out in this community (DRU-0042 -> 42).
    request_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A person who wrote to the bot. Deliberately no username, first or last name."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), nullable=True
    )
    # False once Telegram says the person blocked the bot; true again when they write.
    is_reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffRole(Base):
    """A role a person holds in one community (moderator, provider, facilitator, admin)."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "community_id", "role", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    org_name_uk: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_name_ru: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # How other staff see this person ("Moderator 2", "Olha, NGO Vilni"): never shown to residents.
    label: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConversationState(Base):
    """Where a person is in a conversation (aiogram's StorageKey, every field, is the
    primary key; a key's None is stored as 0 / "", which Telegram never uses as an id)."""

    __tablename__ = "conversation_state"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    thread_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=0)
    business_connection_id: Mapped[str] = mapped_column(
        String(128), primary_key=True, default="", server_default=""
    )
    destiny: Mapped[str] = mapped_column(String(64), primary_key=True, default="default")
    state: Mapped[str | None] = mapped_column(String(128), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Update ids already handled, so that an update Telegram sends again is skipped."""

    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


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


class Invite(Base):
    """A one-time staff invitation; only the SHA-256 of its code is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
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
