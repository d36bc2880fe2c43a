"""/privacy (what is stored, why, for how long, who sees it), /mydata (a JSON file of
everything held about the person) and /forget (erase it, after a confirmation).

The data itself is `storage/privacy/`: each part of the product contributes its section.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.shared.ids import parse_button
from handlers.shared.keyboards import data, keyboard
from locales import Translator
from storage.privacy import erase
from storage.privacy.export import as_file, export_user
from storage.privacy.policy import Retention

router = Router()


def duration(period: timedelta, t: Translator) -> str:
    """A retention period in words: whole days, else whole hours."""
    hours = int(period.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return t.ngettext("{n} day", "{n} days", days).format(n=days)
    return t.ngettext("{n} hour", "{n} hours", hours).format(n=hours)


def privacy_text(retention: Retention, t: Translator) -> str:
    _ = t.gettext
    return _(
        "<b>Your data in this bot</b>\n\n"
        "<b>What is kept, and why</b>\n"
        "• Your Telegram id, language and community: to write back to you and to pass your "
        "questions to your community's working group. Never your name, username or phone "
        "number.\n"
        "• Your questions, their photos and the answers: so that staff can answer and you "
        'can read them in "My requests".\n'
        "• Your name and username only if you choose to share them with a request.\n"
        "• Where you are in a conversation, so that it can go on.\n"
        '• The numbers (not the text) of this chat\'s messages, for "Clear this chat".\n\n'
        "<b>Who sees it</b>\n"
        "Your community's working group (its moderators) and the organisation your question "
        "is passed to. They see your question and its number, not who you are, unless you "
        "shared your contact. They answer as their organisation. Nobody else.\n\n"
        "<b>For how long</b>\n"
        "• Text, photos and contact of a closed request: {closed} after it is closed. The "
        "request stays in the statistics without them.\n"
        "• A conversation left unfinished: {idle}.\n"
        "• The numbers of this chat's messages: {clear}.\n"
        "• Notifications sent or given up: {outbox}.\n"
        "• Technical numbers of incoming messages: {updates}.\n"
        "• Who voted how in a closed poll: {votes} (the counts stay).\n\n"
        "<b>What you can do</b>\n"
        "/mydata: a file with everything the bot holds about you\n"
        "/forget: erase it all\n"
        "/clear: delete this chat's messages of the last 48 hours from your phone"
    ).format(
        closed=duration(retention.closed_request_text, t),
        idle=duration(retention.idle_conversation, t),
        clear=duration(retention.clear_chat_ids, t),
        outbox=duration(retention.outbox, t),
        updates=duration(retention.processed_updates, t),
        votes=duration(retention.poll_vote_links, t),
    )


@router.command("privacy")
async def privacy(update: Update, ctx: HromadaContext) -> None:
    ctx.replies.send_private(privacy_text(ctx.services.privacy.retention, ctx.i18n))
    await ctx.reprompt()


@router.command("mydata")
async def mydata(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    exported = await export_user(ctx.db, ctx.user, _)
    ctx.replies.document_private(
        "my-data.json",
        as_file(exported),
        _("Everything the bot holds about you. Each field is explained inside the file."),
    )
    await ctx.reprompt()


@router.command("forget")
async def forget(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send_private(
        _(
            "<b>Erase everything the bot holds about you?</b>\n\n"
            "• Your profile, your conversation and anything waiting to be sent to you are "
            "deleted.\n"
            "• Your requests stay only in the statistics: their text, photos and any contact "
            "you shared are removed, and nothing links them to you. You will not see them in "
            '"My requests" any more.\n'
            "• What staff already read stays with them; the bot cannot take it back.\n\n"
            "This cannot be undone. The messages of this chat stay on your phone: /clear "
            "deletes them, use it first."
        ),
        keyboard(
            [
                [(_("Yes, erase everything"), data("forget", f"yes:{ctx.user.id}"))],
                [(_("No, keep my data"), data("forget", "no"))],
            ]
        ),
    )


@router.callback("forget")
async def forget_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, user_id, _tail = parse_button(arg)
    if action == "no":
        ctx.replies.show(_("Nothing was erased."))
        await ctx.reprompt()
        return
    if action != "yes" or user_id != ctx.user.id:  # forged, or asked by a person now erased
        stale_notice(ctx)
        return
    result = await erase.erase_user(ctx.db, ctx.user, ctx.services.privacy)
    if result.outcome is erase.Outcome.STAFF:
        ctx.replies.show(
            _(
                "You hold a staff role, so your data cannot be erased yet. Ask an administrator "
                "to revoke the role first, then use /forget again."
            )
        )
        return
    ctx.replies.keep_no_ids()
    ctx.replies.show(
        _(
            "Done. The bot no longer holds anything about you. If you write to it again, you "
            "start as a new person."
        )
    )
