"""/privacy: what is stored, why, for how long (the settings' values), who sees it."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.router import Router
from locales import Translator
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
