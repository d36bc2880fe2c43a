"""Self-help groups of a community, their members, their linked Telegram chats and the
one-time codes that link a chat.

Every change here comes with a migration in `storage/migrations/versions/`.

Facilitators are staff roles (`StaffRole.role == "facilitator"`) scoped to one group by
`StaffRole.group_id`, handed out with the same one-time invites (`Invite.group_id`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class SelfHelpGroup(Base):
    """A group residents join (parents of disabled children, a Roma initiative...).

    `sensitive`: membership itself could expose a person, so its notices never name the
    group in their first line (a phone's lock screen) and are sent with protect_content."""

    __tablename__ = "self_help_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    title_uk: Mapped[str] = mapped_column(String(120))
    title_ru: Mapped[str] = mapped_column(String(120))
    description_uk: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(32))
    join_policy: Mapped[str] = mapped_column(String(16), default="approval")  # open, approval
    sensitive: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMembership(Base):
    """A resident in a group: `pending` (asked to join an approval group) or `accepted`.
    Leaving or being declined deletes the row: nothing of a former member is kept."""

    __tablename__ = "group_memberships"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16))  # pending, accepted
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GroupChat(Base):
    """A group's own Telegram chat, linked by a facilitator with `/link CODE`; notices go
    there too. Messages in it are neither stored nor logged."""

    __tablename__ = "group_chats"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupLinkCode(Base):
    """A one-time code a facilitator got in private to link the group's chat; only its
    SHA-256 is stored."""

    __tablename__ = "group_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("self_help_groups.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_roles.id", ondelete="CASCADE"), nullable=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
