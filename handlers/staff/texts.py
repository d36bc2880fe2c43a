"""What staff type after pressing Answer, Ask for more, Note or Reject (private chat).

One-text steps (`flows/staff.py`, plain functions): a refused text follows the runner's
rule (`handlers/core/steps.py`: said why, given back, step asked again); an accepted one
is re-authorized (roles can change between the press and the text) and carried out. An
answer is shown first as the resident will read it (`StaffForm.preview`: Send / Edit /
Cancel, `sa:` buttons) and re-authorized again when Send is pressed.

Each step's prompt names the request (`remind`), so a step asked again after an
interruption (/language, /help, a parked flow coming back) still says what it is about.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from flows import staff as staff_text
from flows.permissions import Action
from flows.staff import PREVIEWED, STAFF_TEXT_LIMIT, StaffForm, StaffText
from flows.text import TextProblem
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_button, stale_notice
from handlers.core.router import Router
from handlers.core.steps import leave_flow, resume, send_back, text_rejected
from handlers.shared import staff_chat
from handlers.shared.cards import load_view, staff_card_of
from handlers.shared.keyboards import data, keyboard
from handlers.shared.notices import Notices
from handlers.shared.notifications import Rejected, StaffWrote, announce, resident_message
from handlers.staff.access import acting_role, authorize, target_of
from locales import n_
from storage.models import Community, ServiceRequest, User
from storage.repositories import requests, staff

router = Router()
TEXT_STATES = (StaffForm.answer, StaffForm.ask_more, StaffForm.note, StaffForm.reject_comment)
PREVIEW = "sa"  # the preview's buttons: sa:send, sa:edit, sa:cancel

# What each text step asks, naming the request (`{ref}`).
PROMPTS = {
    Action.ANSWER: n_(
        "Write your answer to {ref}. The resident sees it signed by your organisation."
    ),
    Action.ASK_MORE: n_("Write what you need to know from the resident about {ref}."),
    Action.NOTE: n_("Write an internal note on {ref}. Residents never see notes."),
    Action.REJECT: n_("Add a comment for the resident about {ref}, or press Skip."),
}


async def _request_of(ctx: HromadaContext) -> tuple[ServiceRequest, str] | None:
    """The request the running staff text is about, and its reference."""
    request = await requests.get_request(ctx.db, await ctx.fsm.get_value("request_id"))
    if request is None:
        return None
    return request, await requests.reference_of(ctx.db, request)


@router.prompt(*TEXT_STATES)
async def remind(ctx: HromadaContext) -> None:
    """The text step (first asked, or again after an interruption): it names the request,
    in the person's language of now."""
    _ = ctx.i18n.gettext
    state = await ctx.fsm.get_state()
    found = await _request_of(ctx)
    if state is None or found is None:
        ctx.replies.send_private(_("Please send your text as a message, or /cancel."))
        return
    request, ref = found
    action = staff_text.action_of(state)
    text = _(PROMPTS[action]).format(ref=ref)
    markup: InlineKeyboardMarkup | None = None
    if action is Action.REJECT:
        markup = keyboard([[(_("Skip"), data("skip", request.id))]])
    else:
        text += "\n" + _("/cancel to stop.")
    ctx.replies.send_private(text, markup)


@router.message(*TEXT_STATES, StaffForm.preview)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    state = await ctx.fsm.get_state()
    if message is None or message.text is None or state is None:
        if state == StaffForm.preview.state:
            ctx.replies.send_private(
                ctx.i18n.gettext("Please send your text as a message, or /cancel.")
            )
        await ctx.reprompt()
        return
    stored = await ctx.fsm.get_data()
    taken = staff_text.take(state, stored, message.text)
    if isinstance(taken, TextProblem):
        await text_rejected(ctx, taken, message.text, STAFF_TEXT_LIMIT, private=True)
        return
    if taken.action in PREVIEWED:
        if state == StaffForm.preview.state:
            ctx.replies.send_private(ctx.i18n.gettext("Your answer now has the new text."))
        await ctx.fsm.set_state(StaffForm.preview)
        await ctx.fsm.set_data(staff_text.preview_data(stored, taken))
        await ctx.reprompt()
        return
    await leave_flow(ctx)
    await _apply(ctx, taken)
    await resume(ctx)  # a flow the staff text interrupted (their own question) comes back


async def _preview_text(ctx: HromadaContext, taken: StaffText) -> str | None:
    """The answer as the resident will receive it (signed by the role that may send it, in
    the resident's language), under a line in the staff member's saying so; None when the
    request is gone. **Decision:** the body is the resident's very message, even when they
    read the other language (review finding: a preview in the staff member's language showed
    a message nobody would get); the language is not named, only shown."""
    _ = ctx.i18n.gettext
    request = await requests.get_request(ctx.db, taken.request_id)
    community = await ctx.db.get(Community, request.community_id) if request else None
    if request is None or community is None:
        return None
    roles = await staff.active_roles(ctx.db, ctx.user.id)
    role = acting_role(roles, taken.action, await target_of(ctx.db, request))
    ref = requests.reference(community.code, request.number)
    body = escape(taken.text)
    if role is not None:
        author = await ctx.db.get(User, request.author_id) if request.author_id else None
        reader = Notices.of(ctx).translator_for(author) if author else ctx.i18n
        body, _markup = resident_message(
            StaffWrote(role, taken.text), request, ref, community, reader, 0
        )
    head = _("<b>Please check your answer to {ref}.</b> The resident will receive:")
    return head.format(ref=ref) + "\n\n" + body


@router.prompt(StaffForm.preview)
async def preview(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    text = await _preview_text(ctx, staff_text.previewed(await ctx.fsm.get_data()))
    if text is None:
        ctx.replies.send_private(_("Please send your text as a message, or /cancel."))
        return
    rows = [
        [(_("Send to the resident"), data(PREVIEW, "send"))],
        [(_("Edit the text"), data(PREVIEW, "edit")), (_("Cancel"), data(PREVIEW, "cancel"))],
    ]
    ctx.replies.send_private(text, keyboard(rows))


@router.callback(PREVIEW, StaffForm.preview)
async def preview_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    stored = await ctx.fsm.get_data()
    taken = staff_text.previewed(stored)
    if arg == "send":
        shown = await _preview_text(ctx, taken)
        await leave_flow(ctx)
        if await _apply(ctx, taken) and shown is not None:
            ctx.replies.show(shown)  # the preview keeps the text, without its buttons
        await resume(ctx)
    elif arg == "edit":
        state, back = staff_text.back_to_text(stored)
        await ctx.fsm.set_state(state)
        await ctx.fsm.set_data(back)
        ctx.replies.send_private(_("Here is your text to copy and change:"))
        send_back(ctx, taken.text, private=True)
        await ctx.reprompt()
    elif arg == "cancel":
        await leave_flow(ctx)
        found = await requests.get_request(ctx.db, taken.request_id)
        ref = await requests.reference_of(ctx.db, found) if found else ""
        ctx.replies.show(_("Cancelled: nothing was sent to the resident of {ref}.").format(ref=ref))
        _give_back(ctx, taken.text)
        await resume(ctx)
    else:
        await stale_button(ctx)


@router.callback(PREVIEW, None)
async def preview_pressed_after(update: Update, ctx: HromadaContext, arg: str) -> None:
    """A preview button once the answer was sent or cancelled (a double press)."""
    if arg == "send":
        ctx.replies.notice(ctx.i18n.gettext("This answer has already been sent or cancelled."))
    else:
        stale_notice(ctx)


@router.callback("skip", StaffForm.reject_comment)
async def skipped(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg != str(await ctx.fsm.get_value("request_id")):
        # The Skip of an earlier rejection: the comment now asked for is another request's.
        stale_notice(ctx)
        await ctx.reprompt()
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


async def _apply(ctx: HromadaContext, taken: StaffText) -> bool:
    """Re-check the right to act (roles can change between press and text), then act.
    False when it was refused (the text given back)."""
    _ = ctx.i18n.gettext
    access = await authorize(ctx, taken.request_id, taken.action)
    if access is None:
        ctx.replies.send_private(_("You cannot do this."))
        _give_back(ctx, taken.text)
        return False
    request, role, ref, text = access.request, access.role, access.ref, taken.text
    if taken.action is Action.NOTE:
        await requests.add_note(ctx.db, request, role, text)
        await staff_chat.refresh_card(Notices.of(ctx), request)
        done = _("Note added to {ref}.")
    elif taken.action is Action.REJECT:
        reason = taken.reason or ""
        if not (moved := await requests.reject(ctx.db, request, role, reason, text)):
            _refused(ctx, moved, ref, text)
            return False
        await announce(ctx, request, Rejected(reason, text))
        done = _("{ref} rejected; the resident was told.")
    elif taken.action is Action.ANSWER:
        if not (moved := await requests.answer(ctx.db, request, role, text)):
            _refused(ctx, moved, ref, text)
            return False
        await announce(ctx, request, StaffWrote(role, text))
        done = _("Sent to the resident of {ref}.")
    else:
        if not (moved := await requests.ask_more(ctx.db, request, role, text)):
            _refused(ctx, moved, ref, text)
            return False
        await announce(ctx, request, StaffWrote(role, text, asks=True))
        done = _("Question sent to the resident of {ref}.")
    view = await load_view(ctx.db, request, include_notes=True)
    ctx.replies.send_private(done.format(ref=ref))
    ctx.replies.send_private(*staff_card_of(view, role.role, ctx.i18n))
    return True
