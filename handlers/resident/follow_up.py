"""Offering a text as a follow-up to a sent request: after an edit of a sent message
(issue 7 §2.11), or for a message sent with no conversation running while a request is
open (tester finding). The text is held in `FollowUpForm.confirm` until Add or No."""

from __future__ import annotations

from html import escape

from telegram import Update

from flows import reply
from flows.reply import REPLY_TEXT_LIMIT, FollowUpForm, FollowUpReason, ReplyMode, follow_up_data
from flows.text import TextProblem
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_button
from handlers.core.router import Router
from handlers.core.steps import after_flow, enter_flow, leave_flow, text_rejected
from handlers.resident.my_requests import PER_PAGE, attach, remember_paste
from handlers.shared.keyboards import data, keyboard
from storage.models import ServiceRequest
from storage.repositories import requests

router = Router()


async def offer(
    ctx: HromadaContext,
    request: ServiceRequest,
    text: str,
    message_id: int,
    reason: FollowUpReason,
    photos: list[str] | None = None,
) -> None:
    """Hold `text` and ask whether to add it to `request`; a running flow is parked."""
    held = follow_up_data(request.id, text, message_id, reason)
    await enter_flow(ctx, FollowUpForm.confirm, {**held, "photos": photos or []})
    await ctx.reprompt()


async def _latest_open(ctx: HromadaContext) -> ServiceRequest | None:
    """The resident's most recent open request (among their latest few)."""
    items, _total = await requests.for_resident(ctx.db, ctx.user.id, page=0, per_page=PER_PAGE)
    return next((r for r in items if r.status in requests.OPEN), None)


@router.message(None)
async def idle_message(update: Update, ctx: HromadaContext) -> None:
    """With no conversation running, a message answers the staff's question if they asked
    one; with a request open it is offered as a follow-up to it (nothing typed is dropped);
    otherwise the person is shown the menu."""
    message = update.effective_message
    text = (message.text or message.caption or "").strip() if message else ""
    waiting = await requests.awaiting_reply_from(ctx.db, ctx.user.id) if text else None
    target = waiting or (await _latest_open(ctx) if text else None)
    _ = ctx.i18n.gettext
    if message is None or target is None:
        ctx.replies.send(_("Please choose one of the buttons below."))
        await ctx.reprompt()
        return
    photos = [message.photo[-1].file_id] if message.photo else []
    sent_at = message.date.timestamp()
    mode = ReplyMode.REPLY if waiting is not None else ReplyMode.ADD
    stored = {**await ctx.fsm.get_data(), **reply.start_data(target.id, mode)}
    taken = reply.take(stored, text, photos, sent_at)
    if isinstance(taken, TextProblem):
        await remember_paste(ctx, taken, text, sent_at)
        await text_rejected(ctx, taken, text, REPLY_TEXT_LIMIT)
        return
    if waiting is not None:
        await attach(
            ctx, waiting, taken.text, taken.photos, mode=mode, message_ids=[message.message_id]
        )
        return
    await offer(ctx, target, taken.text, message.message_id, FollowUpReason.IDLE, taken.photos)


@router.prompt(FollowUpForm.confirm)
async def ask_follow_up(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    stored = await ctx.fsm.get_data()
    request = await requests.get_request(ctx.db, int(stored.get("request_id") or 0))
    ref = await requests.reference_of(ctx.db, request) if request else ""
    if stored.get("reason") == FollowUpReason.EDITED.value:
        intro = _(
            "Editing a message does not change {ref}: it was already sent. "
            "Add the new text to {ref} as a follow-up?"
        ).format(ref=ref)
    else:
        intro = _("Add this to {ref} as a follow-up? The working group will see it.").format(
            ref=ref
        )
    quoted = escape(str(stored.get("text") or ""))
    rows = [
        [(_("Add to {ref}").format(ref=ref), data("fu", "add"))],
        [(_("No, do not add it"), data("fu", "no"))],
    ]
    ctx.replies.send(f"{intro}\n\n<i>{quoted}</i>", keyboard(rows))


@router.callback("fu", FollowUpForm.confirm)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    stored = await ctx.fsm.get_data()
    if arg not in ("add", "no"):
        await stale_button(ctx)
        return
    await leave_flow(ctx)
    if arg == "no":
        ctx.replies.show(_("Nothing was added."))
        await after_flow(ctx)
        return
    request = await requests.get_request(ctx.db, int(stored.get("request_id") or 0))
    if request is None or request.author_id != ctx.user.id:
        await after_flow(ctx)
        return
    mode = ReplyMode.REPLY if request.status == "awaiting_resident" else ReplyMode.ADD
    message_ids = [int(stored["message_id"])] if stored.get("message_id") else []
    text = str(stored.get("text") or "")
    photos = [str(p) for p in stored.get("photos") or []]
    taken = reply.take(reply.start_data(request.id, mode), text, photos)
    if isinstance(taken, TextProblem):  # an edit can be longer than a follow-up may be
        await text_rejected(ctx, taken, text, REPLY_TEXT_LIMIT)
        return
    await attach(ctx, request, taken.text, taken.photos, mode=mode, message_ids=message_ids)
