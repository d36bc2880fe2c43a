"""What staff are told: a new request, a routed one, a resident's reply, a reopening."""

from __future__ import annotations

from handlers.core.context import HromadaContext
from handlers.shared.notify import moderators_of, notify, staff_recipients, translator_for
from handlers.staff.access import render_card
from locales import n_
from storage.models import ServiceRequest, StaffRole, User
from storage.repositories import requests, staff

EXTRA = {
    "reply": n_("💬 The resident replied."),
    "reopened": n_("🔁 The resident reopened the request."),
}


async def _send_cards(
    ctx: HromadaContext,
    request: ServiceRequest,
    recipients: list[tuple[User, StaffRole]],
    what: str,
    extra: str = "",
) -> None:
    event = await requests.last_event_id(ctx.db, request.id)
    for user, role in recipients:
        t = translator_for(ctx, user)
        text, markup = await render_card(
            ctx, request, role.role, t, extra=extra and t.gettext(extra)
        )
        chat_id = user.telegram_id
        await notify(
            ctx, chat_id, text, key=f"req:{request.id}:{what}:{event}:{chat_id}", markup=markup
        )


async def tell_staff_new(ctx: HromadaContext, request: ServiceRequest) -> None:
    """The staff chat gets a card with buttons; without one, each moderator privately."""
    chat_id = await staff.staff_chat_of(ctx.db, request.community_id)
    if chat_id is None:
        await _send_cards(ctx, request, await moderators_of(ctx, request.community_id), "new")
        return
    t = ctx.services.translators[ctx.services.default_language]
    text, markup = await render_card(ctx, request, "moderator", t)
    await notify(ctx, chat_id, text, key=f"req:{request.id}:new:{chat_id}", markup=markup)


async def tell_providers_routed(
    ctx: HromadaContext, request: ServiceRequest, provider: StaffRole
) -> None:
    recipients = await staff_recipients(ctx, await staff.colleagues(ctx.db, provider))
    await _send_cards(ctx, request, recipients, "routed")


async def tell_staff_resident_wrote(
    ctx: HromadaContext, request: ServiceRequest, asked_by: StaffRole | None, what: str
) -> None:
    """After a reply or a reopening: whoever asked, else whoever it is routed to, else
    the moderators."""
    roles: list[StaffRole] = []
    if asked_by is not None and asked_by.revoked_at is None:
        roles = [asked_by]
    elif request.routed_role_id:
        routed = await ctx.db.get(StaffRole, request.routed_role_id)
        roles = await staff.colleagues(ctx.db, routed) if routed else []
    if not roles:
        roles = await staff.moderators(ctx.db, request.community_id)
    recipients = await staff_recipients(ctx, roles)
    await _send_cards(ctx, request, recipients, what, extra=EXTRA[what])
