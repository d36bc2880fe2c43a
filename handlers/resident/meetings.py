"""A resident's meetings: "Meetings" in the main menu (the coming ones, with their answer)
and the RSVP buttons under every notice and reminder (`mr:<meeting>:<yyyymmdd><y|n>`,
work in every state).

Every press checks, when it runs, that the presser is among the meeting's recipients now
(an accepted member of the group, or an opted-in resident of the community) and that the
occurrence is still ahead and not cancelled: a forged or stale button changes nothing.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from flows.meetings_texts import RSVP_PREFIX, parse_rsvp, title_in
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import ANY_STATE, Router
from handlers.resident.menu import show_main_menu
from handlers.shared.keyboards import Button, data, keyboard, pressed_choice
from locales.dates import format_when
from storage.repositories import meetings as repo
from storage.repositories import meetings_groups
from storage.types import utcnow

router = Router()
LIST_PREFIX = "mtg"


async def show_list(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    groups = await meetings_groups.member_group_ids(ctx.db, ctx.user.id)
    coming = await repo.coming_for(ctx.db, ctx.user, groups)
    now = utcnow()
    lines = [_("<b>Your coming meetings</b>")]
    if not coming:
        lines = [_("No meetings are coming up for you.")]
    for meeting, o in coming:
        answer = await repo.rsvp_of(ctx.db, meeting.id, o.occurrence, ctx.user.id)
        mark = {True: _("you are going"), False: _("you can't come"), None: ""}[answer]
        title = title_in(ctx.i18n.language, meeting.title_uk, meeting.title_ru)
        lines.append(
            "\n"
            + f"<b>{escape(title)}</b>\n"
            + format_when(o.start_at, ctx.i18n.language, meeting.zone, now=now)
            + "\n"
            + _("Place: {place}").format(place=escape(o.place))
            + (f"\n✓ {mark}" if mark else "")
        )
    opted = await repo.opted_in(ctx.db, ctx.user.id)
    toggle = (
        _("🔕 Stop working-group meeting notices")
        if opted
        else _("🔔 Get working-group meeting notices")
    )
    rows: list[list[Button]] = [
        [(toggle, data("set", "mtg:list"))],
        [(_("Main menu"), data(LIST_PREFIX, "menu"))],
    ]
    ctx.replies.show("\n".join(lines), keyboard(rows))


@router.callback(LIST_PREFIX, None)
async def list_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg == "list":
        await show_list(ctx)
    else:
        await show_main_menu(ctx)


@router.callback(RSVP_PREFIX, ANY_STATE)
async def rsvp(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    parsed = parse_rsvp(arg)
    meeting = await repo.get_meeting(ctx.db, parsed[0]) if parsed else None
    if parsed is None or meeting is None or not await repo.may_hear(ctx.db, meeting, ctx.user):
        stale_notice(ctx)
        return
    _id, day, going = parsed
    o = await repo.occurrence(ctx.db, meeting, day)
    if o is None or o.cancelled or o.start_at <= utcnow():
        stale_notice(ctx)
        return
    await repo.set_rsvp(ctx.db, meeting.id, day, ctx.user.id, going)
    ctx.replies.notice(
        _("Noted: you are going. Thank you!") if going else _("Noted: you can't come.")
    )
    redrawn = pressed_choice(update)  # the answer shows on the notice itself (✓ on it)
    if redrawn is not None:
        ctx.replies.show(*redrawn)
