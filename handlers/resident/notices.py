"""What the resident is told when staff act on their request (outbox rows, their language)."""

from __future__ import annotations

from html import escape

from handlers.core.context import HromadaContext
from handlers.shared import labels
from handlers.shared.keyboards import data, keyboard
from handlers.shared.notify import notify, translator_for
from storage.models import ServiceRequest, User
from storage.repositories import requests


async def _resident(
    ctx: HromadaContext, request: ServiceRequest
) -> tuple[User, labels.Gettext] | None:
    """The request's author, if they can be written to, and gettext in their language."""
    if request.author_id is None:
        return None  # the resident erased their data
    user = await ctx.db.get(User, request.author_id)
    if user is None or not user.is_reachable:
        return None
    return user, translator_for(ctx, user).gettext


async def _key(ctx: HromadaContext, request: ServiceRequest, what: str) -> str:
    return f"req:{request.id}:{what}:{await requests.last_event_id(ctx.db, request.id)}"


async def tell_resident_answered(
    ctx: HromadaContext, request: ServiceRequest, ref: str, org: str, text: str
) -> None:
    resident = await _resident(ctx, request)
    if resident is None:
        return
    user, _ = resident
    body = _("<b>Answer to your request {ref}</b> from {org}:").format(ref=ref, org=escape(org))
    body += "\n\n" + escape(text) + "\n\n" + _("Did this help?")
    rid = request.id
    markup = keyboard(
        [
            [(_("Yes, it helped"), data("rs", f"yes:{rid}")), (_("No"), data("rs", f"no:{rid}"))],
            [
                (_("Ask again"), data("rs", f"reopen:{rid}")),
                (_("Close request"), data("rs", f"close:{rid}")),
            ],
        ]
    )
    await notify(ctx, user.telegram_id, body, key=await _key(ctx, request, "answer"), markup=markup)


async def tell_resident_asked(
    ctx: HromadaContext, request: ServiceRequest, ref: str, org: str, text: str
) -> None:
    resident = await _resident(ctx, request)
    if resident is None:
        return
    user, _ = resident
    body = _("<b>{org}</b> asks for more information about your request {ref}:").format(
        org=escape(org), ref=ref
    )
    body += (
        "\n\n" + escape(text) + "\n\n" + _("Write your reply as a message here, or press Reply.")
    )
    markup = keyboard([[(_("Reply"), data("rs", f"reply:{request.id}"))]])
    await notify(ctx, user.telegram_id, body, key=await _key(ctx, request, "ask"), markup=markup)


async def tell_resident_rejected(
    ctx: HromadaContext, request: ServiceRequest, ref: str, reason: str, comment: str
) -> None:
    resident = await _resident(ctx, request)
    if resident is None:
        return
    user, _ = resident
    body = _("Your request {ref} was closed by the working group: {reason}.").format(
        ref=ref, reason=escape(labels.reject_reason(reason, _))
    )
    if comment:
        body += "\n\n" + escape(comment)
    if reason == "emergency":
        body += "\n\n" + emergency_text(_)
    await notify(ctx, user.telegram_id, body, key=await _key(ctx, request, "rejected"))


async def tell_resident_closed(ctx: HromadaContext, request: ServiceRequest, ref: str) -> None:
    resident = await _resident(ctx, request)
    if resident is None:
        return
    user, _ = resident
    body = _("Your request {ref} was closed by the working group.").format(ref=ref)
    body += " " + _("You can ask again within 7 days from “My requests”.")
    await notify(ctx, user.telegram_id, body, key=await _key(ctx, request, "closed"))


def emergency_text(_: labels.Gettext) -> str:
    return _(
        "<b>In immediate danger call:</b>\n102 police\n103 ambulance\n101 rescue service\n"
        "112 single emergency number\n\nThis bot is not an emergency service."
    )
