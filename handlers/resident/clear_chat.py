"""Clear this chat (/clear and the menu entry): after one confirmation, delete every message
of the private chat Telegram still lets the bot delete (its own and the person's, 48 hours),
then leave one neutral line. The requests stay on the server and in "My requests"."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.shared.keyboards import data, keyboard
from storage.privacy import chat_messages
from storage.types import utcnow

router = Router()


async def ask(ctx: HromadaContext) -> None:
    """The one confirmation."""
    _ = ctx.i18n.gettext
    ctx.replies.send_private(
        _(
            "Delete the messages of this chat from your phone? Everything of the last 48 hours "
            "goes, yours and the bot's (Telegram does not let the bot delete older ones). Your "
            'requests stay on the server and in "My requests". Anything you were in the '
            "middle of is cancelled."
        ),
        keyboard(
            [
                [(_("Delete the messages"), data("clear", "yes"))],
                [(_("Cancel"), data("clear", "no"))],
            ]
        ),
    )


@router.command("clear")
async def clear(update: Update, ctx: HromadaContext) -> None:
    await ask(ctx)


@router.callback("clear")
async def clear_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    if arg == "no":
        ctx.replies.show(_("Nothing was deleted."))
        await ctx.reprompt()
        return
    if arg != "yes" or ctx.in_group:
        stale_notice(ctx)
        return
    chat = ctx.user.telegram_id
    since = utcnow() - ctx.services.privacy.retention.clear_chat_ids
    ids = await chat_messages.deletable(ctx.db, chat, since)
    await chat_messages.forget_chat(ctx.db, chat)
    await ctx.fsm.clear()
    ctx.replies.delete_private(ids)
    ctx.replies.send_private(_("Send /start to open the menu."))
