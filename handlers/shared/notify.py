"""Messages to people other than the one acting: outbox rows in the update's transaction.

Each is written in the *recipient's* language; the dispatcher sends it after the commit.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from handlers.core.context import HromadaContext
from locales import Translator
from storage.models import StaffRole, User
from storage.repositories import outbox, staff


def translator_for(ctx: HromadaContext, user: User | None) -> Translator:
    translators = ctx.services.translators
    language = user.language if user and user.language in translators else None
    return translators[language or ctx.services.default_language]


def message_payload(text: str, markup: InlineKeyboardMarkup | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML.value}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return {"method": "sendMessage", "params": params}


async def notify(
    ctx: HromadaContext,
    chat_id: int,
    text: str,
    *,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    await outbox.enqueue(
        ctx.db, chat_id=chat_id, payload=message_payload(text, markup), dedup_key=key
    )


async def user_of_role(ctx: HromadaContext, role: StaffRole) -> User | None:
    user = await ctx.db.get(User, role.user_id)
    return user if user is not None and user.is_reachable else None


async def staff_recipients(
    ctx: HromadaContext, roles: list[StaffRole]
) -> list[tuple[User, StaffRole]]:
    """The reachable people behind `roles`, once each."""
    seen: dict[int, tuple[User, StaffRole]] = {}
    for role in roles:
        user = await user_of_role(ctx, role)
        if user is not None:
            seen.setdefault(user.telegram_id, (user, role))
    return list(seen.values())


async def moderators_of(ctx: HromadaContext, community_id: int) -> list[tuple[User, StaffRole]]:
    return await staff_recipients(ctx, await staff.moderators(ctx.db, community_id))
