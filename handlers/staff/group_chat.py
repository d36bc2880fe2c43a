"""A self-help group's own Telegram chat: a facilitator links it with `/link CODE` (the
one-time code they got in private from `/groups`); the group's notices then also go there.
The bot removed from the chat unlinks it and tells the facilitators in private; the chat
upgraded to a supergroup moves the link. Ordinary messages in the chat are neither stored
nor logged (`handlers/core/pipeline.py` drops them before any work).

Telegram tells a chat's life cycle once per chat, whatever the chat serves: the staff
chat's handlers (`handlers/staff/staff_chat.py`) call `bot_removed` and `chat_moved` here.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from handlers.core.content import command_args
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.shared import group_texts
from handlers.shared.notices import Notices
from locales import Translator
from storage.models import SelfHelpGroup, User
from storage.repositories import group_moves, groups, staff
from storage.repositories.users import users_by_id

router = Router()


@router.command("link")
async def link(update: Update, ctx: HromadaContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    _ = ctx.i18n.gettext
    if not ctx.in_group:
        ctx.replies.send(
            _("Send /link with your code in the group's chat, after adding the bot there.")
        )
        return
    code = command_args(message).strip()
    used = await group_moves.use_link_code(ctx.db, code) if code else None
    group = await groups.get_group(ctx.db, used.group_id) if used else None
    if group is None or not await _may_link(ctx, group):
        # A wrong, used or someone else's code: said in the group's language, without
        # telling which (a guess learns nothing).
        t = Notices.of(ctx).group
        ctx.replies.send(t.gettext("This code does not work. Get a new one with /groups."))
        return
    await group_moves.link_chat(ctx.db, group.id, chat.id)
    t = Notices.of(ctx).group
    ctx.replies.send(
        t.gettext(
            "This chat is now the chat of “{group}”: its meeting notices come here too. "
            "The bot does not read or keep what people write here."
        ).format(group=escape(group_texts.title(group, t.language)))
    )


async def _may_link(ctx: HromadaContext, group: SelfHelpGroup) -> bool:
    for role in await staff.active_roles(ctx.db, ctx.user.id):
        if role.role == "facilitator" and role.group_id == group.id:
            return True
        if role.role == "moderator" and role.community_id == group.community_id:
            return True
    return False


async def bot_removed(n: Notices, chat_id: int, title: str, key: str) -> bool:
    """Unlink the chat if it is a group's and tell its facilitators; False if it was not."""
    group_id = await group_moves.unlink_chat(n.db, chat_id)
    if group_id is None:
        return False
    group = await groups.get_group(n.db, group_id)
    if group is None:
        return True
    await tell_facilitators(
        n,
        group,
        lambda t: t.gettext(
            "The bot was removed from “{chat}”, the chat of the group “{group}”, so its "
            "notices no longer go there. To link a chat again, use /groups."
        ).format(chat=escape(title), group=escape(group_texts.title(group, t.language))),
        key=key,
    )
    return True


async def chat_moved(db: AsyncSession, old: int, new: int) -> None:
    await group_moves.move_chat(db, old, new)


async def tell_facilitators(
    n: Notices, group: SelfHelpGroup, text_of: Callable[[Translator], str], *, key: str
) -> int:
    """Each facilitator of the group privately (each moderator when it has none)."""
    roles = await groups.facilitators(n.db, group.id) or await staff.moderators(
        n.db, group.community_id
    )
    people: dict[int, User] = await users_by_id(n.db, {r.user_id for r in roles})
    told = 0
    for person in people.values():
        if person.is_reachable:
            await n.send(
                person.telegram_id,
                text_of(n.translator_for(person)),
                None,
                key=f"{key}:{person.id}",
            )
            told += 1
    return told
