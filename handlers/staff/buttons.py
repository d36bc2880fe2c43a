"""Buttons on request cards (private chats and staff chats): `st:<button>:<request id>`.

Pressed in a staff chat, a button never changes what the group sees directly: a choice for
one person (route to whom, why reject) goes to that person's private chat, and the group's
card is edited through the outbox after the change (`handlers/shared/staff_chat.py`).

`BUTTONS` maps each button to the permission it needs (`flows.permissions.Action`) and the
function that acts; every press is authorized before anything is read or changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from telegram import InlineKeyboardMarkup, Update

from flows import categories
from flows import staff as staff_text
from flows.permissions import Action
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import enter_flow
from handlers.shared import labels, staff_chat
from handlers.shared.cards import load_view, staff_card_of
from handlers.shared.ids import parse_button, parse_id
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.names import staff_label
from handlers.shared.notices import Notices
from handlers.shared.notifications import Closed, Routed, announce
from handlers.staff.access import Access, authorize
from storage.models import StaffRole
from storage.repositories import requests, staff

router = Router()

ButtonAction = Callable[[HromadaContext, Access, str], Awaitable[None]]


@router.callback("st")
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    name, request_id, tail = parse_button(arg)
    action, act = BUTTONS.get(name, (None, None))
    access = await authorize(ctx, request_id, action)
    if access is None or act is None:
        return
    await act(ctx, access, tail)


async def _refresh(ctx: HromadaContext, access: Access, *, extra: str = "") -> None:
    """The card again where it was pressed, in a private chat. A staff-chat card is not
    edited here, in the presser's language: every change edits it through the outbox, in
    the group's one language (`handlers/shared/staff_chat.py`)."""
    if ctx.in_group:
        return
    view = await load_view(ctx.db, access.request, include_notes=True)
    ctx.replies.show(*staff_card_of(view, access.role.role, ctx.i18n, extra=extra))


def _menu(ctx: HromadaContext, text: str, markup: InlineKeyboardMarkup) -> None:
    """A choice one person makes (route to whom, why reject): in place in a private chat;
    pressed in a staff chat, it goes to the presser's private chat and the group keeps
    its card."""
    if not ctx.in_group:
        ctx.replies.show(text, markup)
        return
    ctx.replies.send_private(text, markup)
    ctx.replies.notice(ctx.i18n.gettext("Continue in your private chat with the bot."))


async def claim(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    result = await requests.claim(ctx.db, access.request, access.role)
    if result.won:
        ctx.replies.notice(_("You took {ref}.").format(ref=access.ref))
        await staff_chat.refresh_card(Notices.of(ctx), access.request)
    elif not result.allowed:
        ctx.replies.notice(_("You cannot do this."), alert=True)
    elif result.holder_role_id is None:
        # Nobody holds it: the claim lost to the request's status (rejected or closed).
        ctx.replies.notice(_("{ref} is already finished.").format(ref=access.ref), alert=True)
    else:
        holder = await ctx.db.get(StaffRole, result.holder_role_id)
        label = staff_label(holder, ctx.i18n) if holder else _("another moderator")
        ctx.replies.notice(
            _("{ref} is already taken by {who}.").format(ref=access.ref, who=label), alert=True
        )
    await _refresh(ctx, access)


async def open_card(ctx: HromadaContext, access: Access, _tail: str) -> None:
    view = await load_view(ctx.db, access.request, include_notes=True)
    ctx.replies.send_private(*staff_card_of(view, access.role.role, ctx.i18n))


async def show_photos(ctx: HromadaContext, access: Access, _tail: str) -> None:
    """The request's photos, each captioned with the request's reference and its place
    among them, so that photos of several requests never mix up in the chat."""
    thread = await requests.thread(ctx.db, access.request.id, include_notes=False)
    file_ids = [file_id for message in thread for file_id in message.photos]
    for i, file_id in enumerate(file_ids, 1):
        caption = ctx.i18n.gettext("📷 {ref}: photo {i} of {n}")
        ctx.replies.photo_private(file_id, caption.format(ref=access.ref, i=i, n=len(file_ids)))


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
    rid = access.request.id
    rows: list[list[Button]] = [
        [(labels.category(code, _), data("st", f"rcat:{rid}:{code}"))] for code in codes
    ]
    rows.append([(_("◀ Back"), data("st", f"back:{rid}"))])
    _menu(ctx, _("{ref}: route to which service?").format(ref=access.ref), keyboard(rows))


async def route_category(ctx: HromadaContext, access: Access, code: str) -> None:
    _ = ctx.i18n.gettext
    orgs = await staff.providers(ctx.db, access.request.community_id, code)
    if not orgs:
        stale_notice(ctx)
        await _refresh(ctx, access)
        return
    rid = access.request.id
    rows: list[list[Button]] = [
        [(staff_label(role, ctx.i18n), data("st", f"rorg:{rid}:{role.id}"))] for role in orgs
    ]
    rows.append([(_("◀ Back"), data("st", f"route:{rid}"))])
    _menu(ctx, _("{ref}: route to which organisation?").format(ref=access.ref), keyboard(rows))


async def route_org(ctx: HromadaContext, access: Access, tail: str) -> None:
    _ = ctx.i18n.gettext
    provider_id = parse_id(tail)
    provider = await ctx.db.get(StaffRole, provider_id) if provider_id is not None else None
    if (
        provider is None
        or provider.revoked_at is not None
        or provider.role != "provider"
        or provider.community_id != access.request.community_id
    ):
        stale_notice(ctx)
        await _refresh(ctx, access)
        return
    if not await requests.route(ctx.db, access.request, access.role, provider):
        ctx.replies.notice(_("{ref} cannot be routed now.").format(ref=access.ref), alert=True)
        await _refresh(ctx, access)
        return
    await announce(ctx, access.request, Routed(provider))
    org = escape(staff_label(provider, ctx.i18n))
    await _refresh(ctx, access, extra=_("➡️ Routed to {org}.").format(org=org))


async def back(ctx: HromadaContext, access: Access, _tail: str) -> None:
    await _refresh(ctx, access)


async def ask_for_text(ctx: HromadaContext, access: Access, action: Action) -> None:
    """Answer, ask for more, note: the text comes next, in the private chat (its prompt,
    `handlers/staff/texts.py` `remind`, names the request)."""
    await enter_flow(
        ctx, staff_text.STATE_OF_ACTION[action], staff_text.start_data(access.request.id)
    )
    await ctx.reprompt()
    if ctx.in_group:
        ctx.replies.notice(ctx.i18n.gettext("Write it in your private chat with the bot."))


async def reject(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    rid = access.request.id
    rows: list[list[Button]] = [
        [(labels.reject_reason(code, _), data("st", f"rj:{rid}:{code}"))]
        for code in categories.REJECT_REASON_CODES
    ]
    rows.append([(_("◀ Back"), data("st", f"back:{rid}"))])
    _menu(ctx, _("{ref}: why is it rejected?").format(ref=access.ref), keyboard(rows))


async def reject_reason(ctx: HromadaContext, access: Access, code: str) -> None:
    _ = ctx.i18n.gettext
    if not categories.is_reject_reason(code):
        stale_notice(ctx)
        return
    await enter_flow(
        ctx,
        staff_text.StaffForm.reject_comment,
        staff_text.start_data(access.request.id, reason=code),
    )
    await ctx.reprompt()  # the comment, or Skip (`handlers/staff/texts.py` `remind`)
    await _refresh(ctx, access)


async def close(ctx: HromadaContext, access: Access, _tail: str) -> None:
    _ = ctx.i18n.gettext
    if not await requests.close(ctx.db, access.request, actor_kind="moderator", role=access.role):
        ctx.replies.notice(_("{ref} is already finished.").format(ref=access.ref))
    else:
        await announce(ctx, access.request, Closed())
        ctx.replies.notice(_("{ref} closed.").format(ref=access.ref))
    await _refresh(ctx, access)


def _asks_for(action: Action) -> ButtonAction:
    async def ask(ctx: HromadaContext, access: Access, _tail: str) -> None:
        await ask_for_text(ctx, access, action)

    return ask


# button -> (the permission it needs, what it does)
BUTTONS: dict[str, tuple[Action, ButtonAction]] = {
    "open": (Action.VIEW, open_card),
    "photos": (Action.VIEW, show_photos),
    "back": (Action.VIEW, back),
    "claim": (Action.CLAIM, claim),
    "route": (Action.ROUTE, route),
    "rcat": (Action.ROUTE, route_category),
    "rorg": (Action.ROUTE, route_org),
    "answer": (Action.ANSWER, _asks_for(Action.ANSWER)),
    "more": (Action.ASK_MORE, _asks_for(Action.ASK_MORE)),
    "note": (Action.NOTE, _asks_for(Action.NOTE)),
    "reject": (Action.REJECT, reject),
    "rj": (Action.REJECT, reject_reason),
    "close": (Action.CLOSE, close),
}
