"""What staff type after pressing Answer, Ask for more, Note or Reject (private chat).

One-text steps (`flows/staff.py`, plain functions): a refused text follows the runner's
rule (`handlers/core/steps.py`: said why, given back, step asked again); an accepted one
is re-authorized (roles can change between the press and the text) and carried out.
"""

from __future__ import annotations

from telegram import Update

from flows import staff as staff_text
from flows.permissions import Action
from flows.staff import STAFF_TEXT_LIMIT, StaffForm, StaffText
from flows.text import TextProblem
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import leave_flow, resume, send_back, text_rejected
from handlers.shared import staff_chat
from handlers.shared.cards import load_view, staff_card_of
from handlers.shared.notices import Notices
from handlers.shared.notifications import Rejected, StaffWrote, announce
from handlers.staff.access import authorize
from storage.repositories import requests

router = Router()
TEXT_STATES = (StaffForm.answer, StaffForm.ask_more, StaffForm.note, StaffForm.reject_comment)


@router.prompt(*TEXT_STATES)
async def remind(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send_private(_("Please send your text as a message, or /cancel."))


@router.message(*TEXT_STATES)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    state = await ctx.fsm.get_state()
    if message is None or message.text is None or state is None:
        await remind(ctx)
        return
    taken = staff_text.take(state, await ctx.fsm.get_data(), message.text)
    if isinstance(taken, TextProblem):
        await text_rejected(ctx, taken, message.text, STAFF_TEXT_LIMIT, private=True)
        return
    await leave_flow(ctx)
    await _apply(ctx, taken)
    await resume(ctx)  # a flow the staff text interrupted (their own question) comes back


@router.callback("skip", StaffForm.reject_comment)
async def skipped(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg != str(await ctx.fsm.get_value("request_id")):
        # The Skip of an earlier rejection: the comment now asked for is another request's.
        stale_notice(ctx)
        await remind(ctx)
        return
    taken = staff_text.skip(await ctx.fsm.get_data())
    await leave_flow(ctx)
    await _apply(ctx, taken)
    await resume(ctx)  # a flow the staff text interrupted (their own question) comes back


def _refused(ctx: HromadaContext, moved: requests.Move, ref: str, text: str) -> None:
    """The move found the request changed meanwhile, or no longer the person's (routed to
    another organisation, role revoked): the check inside the UPDATE said no. What they
    typed comes back to copy (nothing typed is lost)."""
    _ = ctx.i18n.gettext
    if moved is requests.Move.NOT_ALLOWED:
        ctx.replies.send_private(_("You cannot do this."))
    else:
        ctx.replies.send_private(_("{ref} is already finished.").format(ref=ref))
    _give_back(ctx, text)


def _give_back(ctx: HromadaContext, text: str) -> None:
    if text:
        ctx.replies.send_private(ctx.i18n.gettext("Here is your text, so nothing is lost:"))
        send_back(ctx, text, private=True)


async def _apply(ctx: HromadaContext, taken: StaffText) -> None:
    """Re-check the right to act (roles can change between press and text), then act."""
    _ = ctx.i18n.gettext
    access = await authorize(ctx, taken.request_id, taken.action)
    if access is None:
        ctx.replies.send_private(_("You cannot do this."))
        _give_back(ctx, taken.text)
        return
    request, role, ref, text = access.request, access.role, access.ref, taken.text
    if taken.action is Action.NOTE:
        await requests.add_note(ctx.db, request, role, text)
        await staff_chat.refresh_card(Notices.of(ctx), request)
        done = _("Note added to {ref}.")
    elif taken.action is Action.REJECT:
        reason = taken.reason or ""
        if not (moved := await requests.reject(ctx.db, request, role, reason, text)):
            _refused(ctx, moved, ref, text)
            return
        await announce(ctx, request, Rejected(reason, text))
        done = _("{ref} rejected; the resident was told.")
    elif taken.action is Action.ANSWER:
        if not (moved := await requests.answer(ctx.db, request, role, text)):
            _refused(ctx, moved, ref, text)
            return
        await announce(ctx, request, StaffWrote(role, text))
        done = _("Sent to the resident of {ref}.")
    else:
        if not (moved := await requests.ask_more(ctx.db, request, role, text)):
            _refused(ctx, moved, ref, text)
            return
        await announce(ctx, request, StaffWrote(role, text, asks=True))
        done = _("Question sent to the resident of {ref}.")
    view = await load_view(ctx.db, request, include_notes=True)
    ctx.replies.send_private(done.format(ref=ref))
    ctx.replies.send_private(*staff_card_of(view, role.role, ctx.i18n))
