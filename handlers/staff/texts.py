"""What staff type after pressing Answer, Ask for more, Note or Reject (private chat)."""

from __future__ import annotations

from telegram import Update

from flows.flow import StaleEvent, Step
from flows.staff import STAFF_TEXT_LIMIT, StaffForm, StaffTextFlow
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.resident.notices import (
    tell_resident_answered,
    tell_resident_asked,
    tell_resident_rejected,
)
from handlers.shared.cards import org_name
from handlers.shared.notify import translator_for
from handlers.staff.access import authorize, community_name, render_card
from storage.models import User
from storage.repositories import requests

router = Router()

ACTION_OF_STATE = {
    StaffForm.answer.state: "answer",
    StaffForm.ask_more.state: "more",
    StaffForm.note.state: "note",
    StaffForm.reject_comment.state: "reject",
}


@router.prompt(StaffForm.answer, StaffForm.ask_more, StaffForm.note, StaffForm.reject_comment)
async def remind(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send_private(_("Please send your text as a message, or /cancel."))


@router.message(StaffForm.answer, StaffForm.ask_more, StaffForm.note, StaffForm.reject_comment)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        await remind(ctx)
        return
    await _run(ctx, "give_text", text=message.text)


@router.callback("skip", StaffForm.reject_comment)
async def skipped(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg != str(await ctx.fsm.get_value("request_id")):
        # The Skip of an earlier rejection: the comment now asked for is another request's.
        ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))
        await remind(ctx)
        return
    await _run(ctx, "skip")


async def _run(ctx: HromadaContext, event: str, **kwargs: object) -> None:
    _ = ctx.i18n.gettext
    state = await ctx.fsm.get_state()
    try:
        step = StaffTextFlow.handle(state or "", await ctx.fsm.get_data(), event, **kwargs)
    except StaleEvent:
        await remind(ctx)
        return
    if not step.accepted:
        if step.problem == "too_long":
            ctx.replies.send_private(
                _("That is too long: at most {limit} characters. Please shorten it.").format(
                    limit=STAFF_TEXT_LIMIT
                )
            )
        else:
            ctx.replies.send_private(_("The text is empty. Please write something, or /cancel."))
        return
    await ctx.fsm.clear()
    await _apply(ctx, ACTION_OF_STATE[state or ""], step)


async def _apply(ctx: HromadaContext, action: str, step: Step) -> None:
    """Re-check the right to act (roles can change between press and text), then act."""
    _ = ctx.i18n.gettext
    access = await authorize(ctx, int(step.effects["request_id"]), action)
    if access is None:
        ctx.replies.send_private(_("You cannot do this."))
        return
    request, role, ref, text = access.request, access.role, access.ref, step.effects["text"]
    if action == "note":
        await requests.add_note(ctx.db, request, role, text)
        done = _("Note added to {ref}.")
    elif action == "reject":
        reason = str(step.effects["reason"])
        if not await requests.reject(ctx.db, request, role, reason, text):
            ctx.replies.send_private(_("{ref} is already finished.").format(ref=ref))
            return
        await tell_resident_rejected(ctx, request, ref, reason, text)
        done = _("{ref} rejected; the resident was told.")
    else:
        move = requests.answer if action == "answer" else requests.ask_more
        if not await move(ctx.db, request, role, text):
            ctx.replies.send_private(_("{ref} is already finished.").format(ref=ref))
            return
        # The signature is in the resident's language, like the rest of what they read.
        author = await ctx.db.get(User, request.author_id) if request.author_id else None
        t = translator_for(ctx, author)
        org = org_name(role, community_name(access.community, t), t)
        tell = tell_resident_answered if action == "answer" else tell_resident_asked
        await tell(ctx, request, ref, org, text)
        done = (
            _("Sent to the resident of {ref}.")
            if action == "answer"
            else _("Question sent to the resident of {ref}.")
        )
    card, markup = await render_card(ctx, request, role.role, ctx.i18n)
    ctx.replies.send_private(done.format(ref=ref))
    ctx.replies.send_private(card, markup)
