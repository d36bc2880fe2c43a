"""Opening a staff invitation link (`t.me/<bot>?start=inv_...`)."""

from __future__ import annotations

from html import escape

from handlers.core.context import HromadaContext
from handlers.staff.access import community_name
from locales import n_
from storage.models import Community
from storage.repositories import staff

ROLE_NAMES = {
    "moderator": n_("moderator"),
    "provider": n_("provider"),
    "facilitator": n_("facilitator"),
    "admin": n_("administrator"),
}


async def accept(ctx: HromadaContext, code: str) -> None:
    _ = ctx.i18n.gettext
    result = await staff.accept_invite(ctx.db, code, ctx.user)
    if result.role is None:
        ctx.replies.send(
            _(
                "This invitation link is not valid any more (it was used or has expired). "
                "Please ask your administrator for a new one."
            )
        )
        return
    if ctx.user.language is None:
        ctx.user.language = ctx.i18n.language
    role = result.role
    community = await ctx.db.get(Community, role.community_id)
    assert community is not None
    text = _("You are now {role} of {community}.").format(
        role=_(ROLE_NAMES.get(role.role, role.role)),
        community=escape(community_name(community, ctx.i18n)),
    )
    if role.role == "moderator":
        text += "\n" + _(
            "/queue: open requests\n/stats: statistics\n"
            "/link_staff_chat: run it in your staff group chat to receive new requests there"
        )
    elif role.role == "provider":
        text += "\n" + _("/inbox: requests routed to your organisation")
    ctx.replies.send(text)
