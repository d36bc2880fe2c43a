"""What writing a notification needs (the transaction and the languages) and the one way
it is written: an outbox row, sent by the dispatcher after the commit.

`Notices.of(ctx)` in a handler; the staff chat's life cycle (no person acting) and the CLI
build one from a session and the translators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from handlers.core.context import HromadaContext
from locales import Translator
from storage.models import OutboxMessage, User
from storage.repositories import outbox


def message_params(text: str, markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    """A message's Bot API parameters, as an outbox payload holds them."""
    params: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML.value}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return params


@dataclass(frozen=True)
class Notices:
    db: AsyncSession
    translators: Mapping[str, Translator]
    default_language: str

    @classmethod
    def of(cls, ctx: HromadaContext) -> Notices:
        services = ctx.services
        return cls(ctx.db, services.translators, services.default_language)

    @property
    def group(self) -> Translator:
        """**Decision:** a staff chat reads one language, the bot's `DEFAULT_LANGUAGE`: a
        group has no language of its own, and a card that changed language with whoever
        pressed last would change it for everyone."""
        return self.translators[self.default_language]

    def translator_for(self, user: User | None) -> Translator:
        """The recipient's language, else the bot's default."""
        language = user.language if user and user.language in self.translators else None
        return self.translators[language or self.default_language]

    async def send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, *, key: str
    ) -> int | None:
        """A message to `chat_id`; the outbox row's id, None if `key` was written before."""
        return await self.enqueue(
            chat_id, {"method": "sendMessage", "params": message_params(text, markup)}, key=key
        )

    async def enqueue(self, chat_id: int, payload: dict[str, Any], *, key: str) -> int | None:
        if not await outbox.enqueue(self.db, chat_id=chat_id, payload=payload, dedup_key=key):
            return None
        row_id: int | None = await self.db.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)
        )
        return row_id
