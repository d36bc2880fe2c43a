"""Asking a question: the screens of flows/ask.py and the commit of the request."""

from __future__ import annotations

from html import escape

from telegram import Update

from flows import categories
from flows.ask import PHOTO_LIMIT, TEXT_LIMIT, AskFlow, AskForm, AskProblem, AskStep, Submission
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_button, stale_notice
from handlers.core.router import Router
from handlers.core.steps import (
    after_flow,
    enter_flow,
    leave_flow,
    paste_rest_notice,
    run_flow,
    send_back,
)
from handlers.resident import onboarding, sent_messages
from handlers.shared import labels
from handlers.shared.cards import headline
from handlers.shared.emergency import emergency_text
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.names import community_name
from handlers.shared.notifications import NewRequest, announce
from storage.models import Community
from storage.repositories import requests

router = Router()
ASK_STATES = (
    AskForm.safety,
    AskForm.category,
    AskForm.text,
    AskForm.photos,
    AskForm.contact,
    AskForm.preview,
)


def _cancel_row(ctx: HromadaContext, *, back: bool = True) -> list[Button]:
    _ = ctx.i18n.gettext
    row: list[Button] = [(_("◀ Back"), data("ask", "back"))] if back else []
    return [*row, (_("Cancel"), data("ask", "cancel"))]


async def begin(ctx: HromadaContext) -> None:
    await enter_flow(ctx, AskForm.safety, AskFlow.start_data())
    await ctx.reprompt()


@router.prompt(AskForm.safety)
async def ask_safety(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    text = (
        emergency_text(_)
        + "\n\n"
        + _(
            "Here you can ask the police, social services, schools, clinics and other services of "
            "your community. Staff answer as their organisation; they see only the number of "
            "your request unless you choose to share your name."
        )
    )
    ctx.replies.show(
        text, keyboard([[(_("Continue"), data("ask", "ok"))], _cancel_row(ctx, back=False)])
    )


@router.prompt(AskForm.category)
async def ask_category(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    buttons = [
        (labels.category(code, _), data("ask", f"cat:{code}")) for code in categories.CATEGORY_CODES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_cancel_row(ctx, back=False))
    ctx.replies.show(_("Who is your question for?"), keyboard(rows))


@router.prompt(AskForm.text)
async def ask_text(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    text = _("Write your question in one message, up to {limit} characters.").format(
        limit=TEXT_LIMIT
    )
    text += "\n" + _("You can also send a photo with the question as its caption.")
    ctx.replies.send(text, keyboard([_cancel_row(ctx)]))


@router.prompt(AskForm.photos)
async def ask_photos(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    count = len(await ctx.fsm.get_value("photos", []) or [])
    text = _("You can add up to {limit} photos (send them as photos), or continue without.").format(
        limit=PHOTO_LIMIT
    )
    label = _("Continue ({count} of {limit} photos)").format(count=count, limit=PHOTO_LIMIT)
    ctx.replies.send(text, keyboard([[(label, data("ask", "done"))], _cancel_row(ctx)]))


@router.prompt(AskForm.contact)
async def ask_contact(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows = [
        [(_("Stay anonymous"), data("ask", "anon"))],
        [(_("Share my name with staff"), data("ask", "share"))],
        _cancel_row(ctx),
    ]
    question = _(
        "Should staff see your name (and your @username, if you have one)? By default they "
        "do not: your request is anonymous and shows only its number. Share them only if you "
        "want staff to know who you are."
    )
    ctx.replies.show(question, keyboard(rows))


@router.prompt(AskForm.preview)
async def ask_preview(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    stored = await ctx.fsm.get_data()
    photos = len(stored.get("photos") or [])
    lines = [
        _("<b>Please check your question</b>"),
        "",
        _("For: {category}").format(category=escape(labels.category(stored.get("category"), _))),
        "",
        escape(str(stored.get("text") or "")),
        "",
    ]
    if photos:
        lines.append(ctx.i18n.ngettext("{n} photo", "{n} photos", photos).format(n=photos))
    if not stored.get("share_contact"):
        lines.append(_("Anonymous."))
    elif stored.get("with_username"):  # the card shows "Name (@username)"
        lines.append(_("Staff will see your name and your Telegram username."))
    else:
        lines.append(_("Your name is shared with staff."))
    if stored.get("urgent"):
        lines.append(_("⚠️ Marked urgent: it mentions danger."))
    rows = [
        [(_("Send"), data("ask", "send"))],
        [(_("Edit the text"), data("ask", "edit"))],
        _cancel_row(ctx),
    ]
    if stored.get("urgent"):  # a false alarm of the danger words can be taken back
        rows.insert(1, [(_("Not urgent: send as an ordinary question"), data("ask", "calm"))])
    elif stored.get("calmed"):
        lines.append(_("Not urgent: it will be sent as an ordinary question."))
    ctx.replies.send("\n".join(lines), keyboard(rows))


EVENTS = {
    "ok": ("acknowledge_safety", {}),
    "done": ("photos_done", {}),
    "anon": ("choose_contact", {"share": False}),
    "share": ("choose_contact", {"share": True}),
    "send": ("confirm", {}),
    "edit": ("edit_text", {}),
    "calm": ("not_urgent", {}),
    "back": ("back", {}),
}


@router.callback("ask", *ASK_STATES)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg == "cancel":
        ctx.replies.show(ctx.i18n.gettext("Cancelled. Nothing was sent."))
        await leave_flow(ctx)
        await after_flow(ctx)  # the flow the question had interrupted, else the menu
        return
    if arg.startswith("cat:"):
        await _run(update, ctx, "choose_category", code=arg[4:])
        return
    event, kwargs = EVENTS.get(arg, ("", {}))
    if not event:
        await stale_button(ctx)
        return
    if arg == "share":
        person = update.effective_user
        kwargs = {**kwargs, "with_username": bool(person and person.username)}
    await _run(update, ctx, event, **kwargs)


@router.callback("ask", None)
async def pressed_after_the_end(update: Update, ctx: HromadaContext, arg: str) -> None:
    """An Ask button after the question was sent (a double press of Send) or cancelled."""
    _ = ctx.i18n.gettext
    if arg == "send":
        ctx.replies.notice(_("Your question has already been sent."))
    else:
        stale_notice(ctx)


@router.message(AskForm.text, AskForm.photos)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if message.photo:
        await _run(
            update,
            ctx,
            "give_photo",
            file_id=message.photo[-1].file_id,
            caption=message.caption,
            message_id=message.message_id,
        )
    elif message.text is not None:
        sent_at = message.date.timestamp()  # tells the parts of a long paste (flows/text.py)
        await _run(
            update,
            ctx,
            "give_text",
            text=message.text,
            sent_at=sent_at,
            message_id=message.message_id,
        )
    else:
        _ = ctx.i18n.gettext
        if await ctx.fsm.get_state() == AskForm.photos.state:
            ctx.replies.send(
                _("Only photos (sent as photos) or more text can be added here; or press Continue.")
            )
        else:
            ctx.replies.send(_("Please send your question as text, or a photo."))
        await ctx.reprompt()


def draft_message_ids(data: dict[str, object]) -> set[int]:
    """The person's messages whose text is in the question being asked (`flows/ask.py`)."""
    pieces = data.get("pieces")
    if not isinstance(pieces, list):
        return set()
    return {p[0] for p in pieces if isinstance(p, list) and p and isinstance(p[0], int)}


async def take_edit(update: Update, ctx: HromadaContext, text: str) -> bool:
    """An edited message that is part of the draft: the draft takes the edit, the bot says
    so and asks the step again. False when the message is not in the draft."""
    message = update.edited_message
    state = await ctx.fsm.get_state()
    if message is None or not AskFlow.expects(state, "edit_message"):
        return False
    if message.message_id not in draft_message_ids(await ctx.fsm.get_data()):
        return False
    await _run(update, ctx, "edit_message", message_id=message.message_id, text=text)
    return True


async def _run(update: Update, ctx: HromadaContext, event: str, **kwargs: object) -> None:
    async def render(ctx: HromadaContext, step: AskStep) -> None:
        if step.problem is not None:
            _say_problem(ctx, step)
        if step.effects.show_emergency:
            ctx.replies.send(emergency_text(ctx.i18n.gettext))
        if step.effects.edited:
            ctx.replies.send(ctx.i18n.gettext("Your question now has the edited text."))
        if step.effects.appended:
            _ = ctx.i18n.gettext
            length = len(str(step.data.get("text") or ""))
            ctx.replies.send(
                _(
                    "Added to your question; it now has {count} of {limit} characters. "
                    "You can check it before sending."
                ).format(count=length, limit=TEXT_LIMIT)
            )
        if step.effects.submit is not None:
            await _submit(update, ctx, step.effects.submit)

    await run_flow(ctx, AskFlow, event, render, **kwargs)


def _say_problem(ctx: HromadaContext, step: AskStep) -> None:
    _ = ctx.i18n.gettext
    problem = step.problem
    draft = str(step.data.get("draft") or "")
    if problem is AskProblem.EMPTY:
        ctx.replies.send(_("Your question is empty. Please write it as text."))
    elif problem is AskProblem.TOO_LONG:
        ctx.replies.send(
            _(
                "That is {count} characters; a question can have at most {limit}. Please shorten "
                "it and send it again. Here is your text, so nothing is lost:"
            ).format(count=len(draft), limit=TEXT_LIMIT)
        )
        send_back(ctx, draft)
    elif problem is AskProblem.ADDITION_TOO_LONG:
        ctx.replies.send(
            _(
                "With this addition the question would be longer than {limit} characters, so it "
                "was not added. Here it is, so nothing is lost:"
            ).format(limit=TEXT_LIMIT)
        )
        send_back(ctx, draft)
    elif problem is AskProblem.EDIT_TOO_LONG:
        ctx.replies.send(
            _(
                "With this edit the question would be longer than {limit} characters, so it "
                "was not changed. Here is the edited text, so nothing is lost:"
            ).format(limit=TEXT_LIMIT)
        )
        send_back(ctx, draft)
    elif problem is AskProblem.NOT_IN_DRAFT:
        pass  # the edit handler asks first; nothing to say about a message not in the draft
    elif problem is AskProblem.PASTE_REST:
        ctx.replies.send(paste_rest_notice(ctx))
        send_back(ctx, draft)
    elif problem is AskProblem.TEXT_NEEDED:
        ctx.replies.send(_("The photo is saved. Now please write your question as text."))
    elif problem is AskProblem.TOO_MANY_PHOTOS:
        ctx.replies.send(
            _("At most {limit} photos; the extra one was not added.").format(limit=PHOTO_LIMIT)
        )
    else:  # a choice that no button offers now (unknown category, incomplete data, ...)
        stale_notice(ctx)


async def _submit(update: Update, ctx: HromadaContext, submit: Submission) -> None:
    _ = ctx.i18n.gettext
    community = await ctx.db.get(Community, ctx.user.community_id or 0)
    if community is None:
        ctx.replies.send(_("Please choose your community first."))
        await onboarding.begin(ctx)
        return
    person = update.effective_user
    share = submit.share_contact and person is not None
    request = await requests.create_request(
        ctx.db,
        author_id=ctx.user.id,
        community_id=community.id,
        category=submit.category,
        text=submit.text,
        photos=submit.photos,
        urgent=submit.urgent,
        contact_name=person.full_name if share and person else None,
        contact_username=person.username if share and person else None,
    )
    await announce(ctx, request, NewRequest())
    await sent_messages.remember(ctx, submit.message_ids, request.id)
    ref = requests.reference(community.code, request.number)
    text = _("✅ Your question {ref} was sent to the working group of {community}.").format(
        ref=ref, community=escape(community_name(community, ctx.i18n.language))
    )
    text += "\n" + _("The answer will come here. You can follow it in “My requests”.")
    if request.urgent:
        text += "\n\n" + emergency_text(_)
    ctx.replies.show(
        headline(ref, labels.category(request.category, _), labels.status(request.status, _))
    )
    ctx.replies.send(text)
    await after_flow(ctx)
