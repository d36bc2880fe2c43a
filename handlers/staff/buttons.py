"""Buttons on request cards (private chats and staff chats): `st:<action>:<request id>`."""

from __future__ import annotations

from html import escape

from telegram import Update

from flows import categories
from flows.staff import StaffForm, StaffTextFlow
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.resident.notices import tell_resident_closed
from handlers.shared import labels
from handlers.shared.cards import organisation
from handlers.shared.keyboards import Button, data, keyboard
from handlers.staff.access import Access, authorize, parse, render_card
from handlers.staff.notices import tell_providers_routed
from storage.models import StaffRole
from storage.repositories import requests, staff

router = Router()

TEXT_PROMPTS = {
    "answer": StaffForm.answer,
    "more": StaffForm.ask_more,
    "note": StaffForm.note,
}


@router.callback("st")
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    action, request_id, tail = parse(arg)
    access = await authorize(ctx, request_id, action)
    if access is None:
        return
    handler = ACTIONS.get(action)
    if handler is None:
        ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))
        return
    await handler(ctx, access, tail)


async def _refresh(ctx: HromadaContext, access: Access, *, extra: str = "") -> None:
    text, markup = await render_card(ctx, access.request, access.role.role, ctx.i18n, extra=extra)
    ctx.replies.show(text, markup)


async def claim(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    result = await requests.claim(ctx.db, access.request, access.role)
    if result.won:
        ctx.replies.notice(_("You took {ref}.").format(ref=access.ref))
    else:
        holder = await ctx.db.get(StaffRole, result.holder_role_id or 0)
        label = holder.label if holder and holder.label else _("another moderator")
        ctx.replies.notice(
            _("{ref} is already taken by {who}.").format(ref=access.ref, who=label), alert=True
        )
    await _refresh(ctx, access)


async def open_card(ctx: HromadaContext, access: Access, _tail: str) -> None:
    text, markup = await render_card(ctx, access.request, access.role.role, ctx.i18n)
    ctx.replies.send_private(text, markup)


async def show_photos(ctx: HromadaContext, access: Access, _tail: str) -> None:
    thread = await requests.thread(ctx.db, access.request.id, include_notes=False)
    for message in thread:
        for file_id in message.photos:
            ctx.replies.photo_private(file_id)


async def route(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    available = await staff.providers(ctx.db, access.request.community_id)
    codes = [
        code for code in categories.CATEGORY_CODES if any(p.category == code for p in available)
    ]
    if not codes:
        ctx.replies.notice(
            _("No provider organisations are registered in this community yet."), alert=True
        )
        return
    rows: list[list[Button]] = [
        [(labels.category(code, _), data("st", f"rcat:{access.request.id}:{code}"))]
        for code in codes
    ]
    rows.append([(_("◀ Back"), data("st", f"back:{access.request.id}"))])
    ctx.replies.show(_("{ref}: route to which service?").format(ref=access.ref), keyboard(rows))


async def route_category(ctx: HromadaContext, access: Access, code: str) -> None:
    _ = ctx.i18n.gettext
    orgs = await staff.providers(ctx.db, access.request.community_id, code)
    if not orgs:
        ctx.replies.notice(_("This button is no longer active."))
        await _refresh(ctx, access)
        return
    rows: list[list[Button]] = [
        [(_org(role, ctx.i18n.language), data("st", f"rorg:{access.request.id}:{role.id}"))]
        for role in orgs
    ]
    rows.append([(_("◀ Back"), data("st", f"route:{access.request.id}"))])
    ctx.replies.show(
        _("{ref}: route to which organisation?").format(ref=access.ref), keyboard(rows)
    )


def _org(role: StaffRole, language: str) -> str:
    return organisation(role, language) or role.label or "?"


async def route_org(ctx: HromadaContext, access: Access, tail: str) -> None:
    _ = ctx.i18n.gettext
    provider = (
        await ctx.db.get(StaffRole, int(tail))
        if tail.isascii() and tail.isdigit() and len(tail) < 10
        else None
    )
    if (
        provider is None
        or provider.revoked_at is not None
        or provider.role != "provider"
        or provider.community_id != access.request.community_id
    ):
        ctx.replies.notice(_("This button is no longer active."))
        await _refresh(ctx, access)
        return
    if not await requests.route(ctx.db, access.request, access.role, provider):
        ctx.replies.notice(_("{ref} cannot be routed now.").format(ref=access.ref), alert=True)
        await _refresh(ctx, access)
        return
    await tell_providers_routed(ctx, access.request, provider)
    org = escape(_org(provider, ctx.i18n.language))
    await _refresh(ctx, access, extra=_("➡️ Routed to {org}.").format(org=org))


async def back(ctx: HromadaContext, access: Access, _tail: str) -> None:
    await _refresh(ctx, access)


async def ask_for_text(ctx: HromadaContext, access: Access, action: str) -> None:
    """Answer, ask for more, note: the text comes next, in the private chat."""
    _ = ctx.i18n.gettext
    state = TEXT_PROMPTS[action]
    await ctx.fsm.set_state(state)
    await ctx.fsm.set_data(StaffTextFlow.start_data(access.request.id))
    prompts = {
        "answer": _(
            "Write your answer to {ref}. The resident sees it signed by your organisation."
        ),
        "more": _("Write what you need to know from the resident about {ref}."),
        "note": _("Write an internal note on {ref}. Residents never see notes."),
    }
    ctx.replies.send_private(prompts[action].format(ref=access.ref) + "\n" + _("/cancel to stop."))
    if ctx.in_group:
        ctx.replies.notice(_("Write it in your private chat with the bot."))


async def reject(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    rows: list[list[Button]] = [
        [(labels.reject_reason(code, _), data("st", f"rj:{access.request.id}:{code}"))]
        for code in categories.REJECT_REASON_CODES
    ]
    rows.append([(_("◀ Back"), data("st", f"back:{access.request.id}"))])
    ctx.replies.show(_("{ref}: why is it rejected?").format(ref=access.ref), keyboard(rows))


async def reject_reason(ctx: HromadaContext, access: Access, code: str) -> None:
    _ = ctx.i18n.gettext
    if code not in categories.REJECT_REASON_CODES:
        ctx.replies.notice(_("This button is no longer active."))
        return
    await ctx.fsm.set_state(StaffForm.reject_comment)
    await ctx.fsm.set_data(StaffTextFlow.start_data(access.request.id, reason=code))
    ctx.replies.send_private(
        _("Add a comment for the resident about {ref}, or press Skip.").format(ref=access.ref),
        keyboard([[(_("Skip"), data("skip", access.request.id))]]),
    )
    await _refresh(ctx, access)


async def close(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    if not await requests.close(ctx.db, access.request, actor_kind="moderator", role=access.role):
        ctx.replies.notice(_("{ref} is already finished.").format(ref=access.ref))
    else:
        await tell_resident_closed(ctx, access.request, access.ref)
        ctx.replies.notice(_("{ref} closed.").format(ref=access.ref))
    await _refresh(ctx, access)


async def _answer(ctx: HromadaContext, access: Access, _tail: str) -> None:
    await ask_for_text(ctx, access, "answer")


async def _more(ctx: HromadaContext, access: Access, _tail: str) -> None:
    await ask_for_text(ctx, access, "more")


async def _note(ctx: HromadaContext, access: Access, _tail: str) -> None:
    await ask_for_text(ctx, access, "note")


ACTIONS = {
    "claim": claim,
    "open": open_card,
    "photos": show_photos,
    "route": route,
    "rcat": route_category,
    "rorg": route_org,
    "back": back,
    "answer": _answer,
    "more": _more,
    "note": _note,
    "reject": reject,
    "rj": reject_reason,
    "close": close,
}
