"""Voting on a poll message (`pv:` buttons), asking for fresh live counts (`pr:`), and the
main menu's "Polls" (`pl:open`: the open polls sent to the person, each sent again with
its buttons and their current choice).

Every press is checked on the server: the poll exists and is open (its deadline is read
now, not left to the closing job), the presser is in its audience (a forwarded poll
gives an outsider nothing), the option is the poll's. Whatever the outcome the press gets
a toast of at most 200 characters; a vote that changed something also redraws the
presser's own message with their current choice. A message that then shows live counts is
remembered with what it shows, so that the live refresh job (`handlers/staff/polls_live.py`)
edits it when other people's votes change the counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.shared.poll_view import live_key, poll_message
from storage.models import Community, Poll
from storage.repositories import polls, polls_live
from storage.repositories.polls import Vote
from storage.types import utcnow

router = Router()
REFRESH_SECONDS = 5.0
TOAST_LIMIT = 200


def _ints(arg: str, count: int) -> list[int] | None:
    parts = arg.split(":")
    if len(parts) != count or not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
        return None
    return [int(p) for p in parts]


def _toast(ctx: HromadaContext, text: str) -> None:
    ctx.replies.notice(text[:TOAST_LIMIT])


@dataclass(frozen=True)
class _Drawn:
    text: str
    markup: InlineKeyboardMarkup | None
    live: str | None  # what the message shows of live counts (`live_key`); None: none


async def _draw(ctx: HromadaContext, poll: Poll) -> _Drawn:
    options = await polls.options_of(ctx.db, poll.id)
    chosen = await polls.choices_of(ctx.db, poll.id, ctx.user.id)
    tally = await polls.tally(ctx.db, poll.id) if poll.results_live else None
    community = await ctx.db.get(Community, poll.community_id)
    zone = community.timezone if community else ctx.services.timezone
    now = utcnow()
    text, markup = poll_message(poll, options, ctx.i18n, zone, chosen=chosen, tally=tally, now=now)
    live = None
    if tally is not None and chosen and polls.is_open(poll, now):
        live = live_key(poll, options, tally, closed=False)
    return _Drawn(text, markup, live)


async def _render(ctx: HromadaContext, poll: Poll) -> tuple[str, InlineKeyboardMarkup | None]:
    drawn = await _draw(ctx, poll)
    return drawn.text, drawn.markup


async def _redraw(update: Update, ctx: HromadaContext, poll: Poll) -> None:
    """The presser's message, redrawn; remembered for the live refresh when it shows live
    counts (an open live poll and a choice), forgotten when it no longer does."""
    drawn = await _draw(ctx, poll)
    ctx.replies.show(drawn.text, drawn.markup)
    query = update.callback_query
    message_id = query.message.message_id if query and query.message else None
    if message_id is None or not poll.results_live:
        return
    # an older live edit still queued would put back the choice this redraw replaced
    await polls_live.drop_pending(ctx.db, poll.id, ctx.user.id)
    await polls_live.remember(
        ctx.db,
        poll.id,
        ctx.user.id,
        message_id=message_id if drawn.live is not None else None,
        shown=drawn.live,
        now=utcnow(),
    )


OPEN_SHOWN = 5


@router.callback("pl")
async def open_polls(update: Update, ctx: HromadaContext, arg: str) -> None:
    """The main menu's "Polls": the newest open polls sent to this person, again."""
    ctx.replies.notice()
    found = await polls.open_for(ctx.db, ctx.user.id, now=utcnow(), limit=OPEN_SHOWN)
    if not found:
        ctx.replies.send(ctx.i18n.gettext("No poll is waiting for your answer right now."))
        return
    for poll in found:
        text, markup = await _render(ctx, poll)
        ctx.replies.send(text, markup)


@router.callback("pv")
async def vote(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    parsed = _ints(arg, 3)
    poll = await polls.get_poll(ctx.db, parsed[0]) if parsed else None
    if parsed is None or poll is None or parsed[2] not in (0, 1):
        _toast(ctx, _("This button is not valid. Nothing was changed."))
        return
    outcome = await polls.cast(
        ctx.db,
        poll,
        ctx.user.id,
        parsed[1],
        language=ctx.i18n.language,
        choose=bool(parsed[2]),
    )
    if outcome is Vote.CLOSED:
        _toast(ctx, _("This poll is closed. Your vote was not counted."))
        await _redraw(update, ctx, poll)
        return
    toasts = {
        Vote.NOT_RECIPIENT: _("This poll was not sent to you, so you cannot vote in it."),
        Vote.NO_OPTION: _("This answer is not in the poll. Nothing was changed."),
        Vote.ALREADY: _("Nothing changed: this is already your choice."),
        Vote.CHOSEN: _("Your vote is counted. You can change it until the poll closes."),
        Vote.CHANGED: _("Your vote is changed. Only your new choice counts."),
        Vote.REMOVED: _("That answer is taken back."),
    }
    _toast(ctx, toasts[outcome])
    if outcome in (Vote.CHOSEN, Vote.CHANGED, Vote.REMOVED):
        await _redraw(update, ctx, poll)


@router.callback("pr")
async def refresh(update: Update, ctx: HromadaContext, arg: str) -> None:
    """Fresh live counts on the presser's own message, at most every few seconds."""
    _ = ctx.i18n.gettext
    parsed = _ints(arg, 1)
    poll = await polls.get_poll(ctx.db, parsed[0]) if parsed else None
    if parsed is None or poll is None or not poll.results_live:
        _toast(ctx, _("This button is not valid. Nothing was changed."))
        return
    if not await polls.is_recipient(ctx.db, poll.id, ctx.user.id):
        _toast(ctx, _("This poll was not sent to you, so you cannot vote in it."))
        return
    allowed = await polls.refresh_allowed(
        ctx.db, poll.id, ctx.user.id, every=REFRESH_SECONDS, now=utcnow()
    )
    if not allowed:
        _toast(ctx, _("The results were just updated. Try again in a few seconds."))
        return
    _toast(ctx, _("Results updated."))
    await _redraw(update, ctx, poll)
