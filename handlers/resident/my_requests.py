"""The resident's own requests: the list, a thread, and the buttons on staff messages
(`rs:<action>:<id>`: it helped / it didn't, ask again, close, reply)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update

from flows import reply
from flows.reply import REPLY_TEXT_LIMIT, ReplyForm, ReplyMode
from flows.safety import mentions_danger
from flows.text import PASTE_KEY, TextProblem, paste_mark
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import after_flow, enter_flow, leave_flow, send_back, text_rejected
from handlers.resident import sent_messages
from handlers.resident.menu import show_main_menu
from handlers.shared import labels, staff_chat
from handlers.shared.cards import load_view, resident_thread_of
from handlers.shared.emergency import emergency_text
from handlers.shared.ids import parse_button
from handlers.shared.keyboards import Button, data, keyboard, pager, pressed_choice
from handlers.shared.notices import Notices
from handlers.shared.notifications import ResidentWrote, announce
from storage.models import ServiceRequest, StaffRole
from storage.repositories import requests

router = Router()
PER_PAGE = 6


async def show_list(ctx: HromadaContext, page: int = 0) -> None:
    _ = ctx.i18n.gettext
    items, total = await requests.for_resident(ctx.db, ctx.user.id, page=page, per_page=PER_PAGE)
    if total == 0:
        ctx.replies.show(
            _("You have not asked anything yet."),
            keyboard([[(_("Main menu"), data("my", "menu"))]]),
        )
        return
    rows: list[list[Button]] = []
    for item in items:
        ref = await requests.reference_of(ctx.db, item)
        age = labels.ago(item.created_at, ctx.i18n.language)
        label = f"{ref} · {labels.status(item.status, _)} · {age}"
        rows.append([(label[:60], data("my", f"open:{item.id}"))])
    nav = pager(page, (page + 1) * PER_PAGE < total, lambda n: data("my", f"page:{n}"), _)
    if nav:
        rows.append(nav)
    rows.append([(_("Main menu"), data("my", "menu"))])
    pages = -(-total // PER_PAGE)
    counter = ctx.i18n.ngettext("{n} request", "{n} requests", total).format(n=total)
    if pages > 1:
        counter += " · " + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    ctx.replies.show(_("<b>My requests</b>") + "\n" + counter, keyboard(rows))


async def _own(ctx: HromadaContext, request_id: int | None) -> ServiceRequest | None:
    """The request, if it is this person's; anything else is refused without a word about it."""
    request = await requests.get_request(ctx.db, request_id)
    if request is None or request.author_id != ctx.user.id:
        stale_notice(ctx)
        return None
    return request


async def show_thread(ctx: HromadaContext, request: ServiceRequest) -> None:
    _ = ctx.i18n.gettext
    view = await load_view(ctx.db, request, include_notes=False)
    rid = request.id
    rows: list[list[Button]] = []
    if request.status == "awaiting_resident":
        rows.append([(_("Reply"), data("rs", f"reply:{rid}"))])
    if requests.can_reopen(request):
        rows.append([(_("Ask again"), data("rs", f"reopen:{rid}"))])
    if request.status in (*requests.OPEN, "answered"):
        rows.append([(_("Close request"), data("rs", f"close:{rid}"))])
    rows.append([(_("◀ My requests"), data("my", "page:0"))])
    ctx.replies.show(resident_thread_of(view, ctx.i18n), keyboard(rows))


@router.callback("my", None)
async def my_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    action, number, _tail = parse_button(arg)
    if action == "menu":
        await show_main_menu(ctx)
    elif action == "page":
        await show_list(ctx, number or 0)
    elif action == "open":
        request = await _own(ctx, number)
        if request is not None:
            await show_thread(ctx, request)
    else:
        stale_notice(ctx)


@router.callback("rs")
async def resident_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, number, answer = parse_button(arg)
    request = await _own(ctx, number)
    if request is None:
        return
    ref = await requests.reference_of(ctx.db, request)
    if answer.isdigit() and int(answer) < await requests.last_event_id(
        ctx.db, request.id, "answered"
    ):  # a button under an answer that a newer answer superseded
        ctx.replies.notice(
            _("{ref} has a newer answer: please use the buttons under it.").format(ref=ref),
            alert=True,
        )
        return
    if action in ("yes", "no"):
        if await _rate(ctx, request, helped=action == "yes"):
            redrawn = pressed_choice(update)  # the rating shows on the answer (✓ on it)
            if redrawn is not None:
                ctx.replies.show(*redrawn)
    elif action == "close":
        if await requests.close(ctx.db, request, actor_kind="resident"):
            await staff_chat.refresh_card(Notices.of(ctx), request)  # nobody else is told
            ctx.replies.send(_("{ref} is closed. Thank you.").format(ref=ref))
            if await ctx.fsm.get_state() is not None:
                await ctx.reprompt()  # pressed in the middle of a flow: its step again
        else:
            ctx.replies.notice(_("{ref} is already closed.").format(ref=ref))
    elif action == "reopen":
        if not requests.can_reopen(request):
            ctx.replies.notice(
                _("{ref} can no longer be reopened; please ask a new question.").format(ref=ref),
                alert=True,
            )
            return
        await _ask_reply(ctx, request, ref, ReplyMode.REOPEN)  # reopened when the text comes
    elif action == "reply":
        if request.status != "awaiting_resident":
            ctx.replies.notice(_("Nobody is waiting for a reply on {ref} now.").format(ref=ref))
            return
        await _ask_reply(ctx, request, ref, ReplyMode.REPLY)
    else:
        stale_notice(ctx)


async def _rate(ctx: HromadaContext, request: ServiceRequest, *, helped: bool) -> bool:
    """Rate the answer. **Decision:** a resident may change their mind; the pop-up says the
    rating changed (never a silent change), and the same choice again records nothing.
    True when the rating is now `helped` (the answer's buttons then show it)."""
    _ = ctx.i18n.gettext
    before = request.helped
    said = _("it helped") if helped else _("it did not help")
    if before is helped and request.status in ("answered", "closed"):
        ctx.replies.notice(_("You already said: {said}.").format(said=said))
    elif not await requests.rate(ctx.db, request, helped=helped):
        ctx.replies.notice(_("This button is no longer active."))
        return False
    elif before is None:
        ctx.replies.notice(_("Thank you! Your answer helps the working group."))
    else:
        ctx.replies.notice(_("Your rating is changed: {said}.").format(said=said))
    return True


async def _ask_reply(
    ctx: HromadaContext, request: ServiceRequest, ref: str, mode: ReplyMode
) -> None:
    """The reply flow; a flow running meanwhile (a question being asked) is parked and comes
    back once the reply is sent or cancelled."""
    await enter_flow(ctx, ReplyForm.text, reply.start_data(request.id, mode))
    await ctx.reprompt()


@router.prompt(ReplyForm.text)
async def reply_prompt(ctx: HromadaContext) -> None:
    """The reply step again (after a refusal, a stale button, an interruption): it names
    the request, in the person's language of now."""
    _ = ctx.i18n.gettext
    request = await requests.get_request(ctx.db, await ctx.fsm.get_value("request_id"))
    if request is None:
        ctx.replies.send(_("Please write your message as text, or /cancel."))
        return
    ref = await requests.reference_of(ctx.db, request)
    ctx.replies.send(_("Write your message about {ref}. /cancel to stop.").format(ref=ref))


@router.message(ReplyForm.text)
async def reply_typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    photos = [message.photo[-1].file_id] if message and message.photo else []
    if message is None or (message.text is None and message.caption is None and not photos):
        # a sticker, a voice message...: one hint, not two
        ctx.replies.send(ctx.i18n.gettext("Please write your message as text, or /cancel."))
        return
    sent_at = message.date.timestamp()
    taken = reply.take(await ctx.fsm.get_data(), text, photos, sent_at)
    if isinstance(taken, TextProblem):
        await remember_paste(ctx, taken, text, sent_at)
        await text_rejected(ctx, taken, text, REPLY_TEXT_LIMIT)
        return
    await leave_flow(ctx)
    request = await requests.get_request(ctx.db, taken.request_id)
    if request is None or request.author_id != ctx.user.id:
        await after_flow(ctx)
        return
    await attach(
        ctx, request, taken.text, taken.photos, mode=taken.mode, message_ids=[message.message_id]
    )


async def attach(
    ctx: HromadaContext,
    request: ServiceRequest,
    text: str,
    photos: list[str],
    *,
    mode: ReplyMode,
    message_ids: Sequence[int] = (),
) -> None:
    """Add the resident's words to the request and tell the staff who wait for them.

    Nothing is lost: if the request finished meanwhile, the text is sent back to copy. Words
    of danger get the emergency numbers at once and make the request urgent.
    """
    _ = ctx.i18n.gettext
    ref = await requests.reference_of(ctx.db, request)
    asked_by = await ctx.db.get(StaffRole, request.awaiting_from_role_id or 0)
    reopened = mode is ReplyMode.REOPEN and await requests.reopen(ctx.db, request)
    added = mode is ReplyMode.REPLY and await requests.resident_reply(ctx.db, request, text, photos)
    if not added and request.status in requests.OPEN:
        await requests.add_resident_message(ctx.db, request, text, photos)
        added = True
    if not added:
        ctx.replies.send(
            _("{ref} is already finished; please ask a new question.").format(ref=ref)
            + "\n"
            + _("Here is your text, so nothing is lost:")
        )
        send_back(ctx, text)
        await after_flow(ctx)
        return
    if mentions_danger(text):
        await requests.mark_urgent(ctx.db, request)
        ctx.replies.send(emergency_text(_))
    await sent_messages.remember(ctx, message_ids, request.id)  # an edit later: told (§2.11)
    await announce(ctx, request, ResidentWrote(None if reopened else asked_by, reopened=reopened))
    ctx.replies.send(_("Added to {ref}. The working group has been told.").format(ref=ref))
    await after_flow(ctx)


async def remember_paste(
    ctx: HromadaContext, problem: TextProblem, text: str, sent_at: float | None
) -> None:
    """After a refusal, keep the date that opens (or extends) a long paste's window."""
    rest = problem is TextProblem.PASTE_REST
    mark = paste_mark(text, sent_at, rest=rest) if problem is not TextProblem.EMPTY else None
    await ctx.fsm.update_data({PASTE_KEY: mark})
