"""What privacy itself needs to keep: the keyed hashes of erased people, and the message ids
"Clear this chat" deletes (kept 48 hours at most).

Every change here comes with a migration in `storage/migrations/versions/`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class Erasure(Base):
    """A person erased by /forget or `python -m bot forget`: an HMAC of their Telegram id
    (keyed with `ERASURE_HMAC_KEY`, which is not in the database), so that after a restore
    from a backup `forget --reapply` can erase them again; the id itself is not kept."""

    __tablename__ = "erasures"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatMessage(Base):
    """A message in a person's private chat with the bot (theirs or the bot's), which
    "Clear this chat" may delete while Telegram allows it (48 hours); forgotten after that."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_chat_id_at", "chat_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
