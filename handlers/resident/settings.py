"""/settings: what a resident receives. For now one choice: the working group's meeting
notices and reminders of their community (off until they turn it on). The same toggle is
in the main menu and under "Meetings" (`set:mtg:<where to return>`)."""

from __future__ import annotations

from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.resident import meetings
from handlers.resident.menu import show_main_menu
from handlers.shared.keyboards import data, keyboard
from handlers.shared.names import community_name
from storage.models import Community
from storage.repositories import meetings as repo

router = Router()
PREFIX = "set"


async def show_settings(ctx: HromadaContext, *, fresh: bool) -> None:
    _ = ctx.i18n.gettext
    opted = await repo.opted_in(ctx.db, ctx.user.id)
    community = (
        await ctx.db.get(Community, ctx.user.community_id) if ctx.user.community_id else None
    )
    name = community_name(community, ctx.i18n.language) if community else "—"
    state = _("on") if opted else _("off")
    text = _(
        "<b>Settings</b>\nMeeting notices and reminders of the working group of {community}: "
        "<b>{state}</b>."
    ).format(community=name, state=state)
    toggle = _("Turn off") if opted else _("Turn on")
    markup = keyboard(
        [[(toggle, data(PREFIX, "mtg:settings"))], [(_("Main menu"), data(PREFIX, "menu"))]]
    )
    if fresh:
        ctx.replies.send(text, markup)
    else:
        ctx.replies.show(text, markup)


@router.command("settings")
async def settings_command(update: Update, ctx: HromadaContext) -> None:
    if ctx.user.community_id is None:
        await ctx.reprompt()  # onboarding first
        return
    await show_settings(ctx, fresh=True)
    if await ctx.fsm.get_state() is not None:
        await ctx.reprompt()  # a flow was running: its step again


@router.callback(PREFIX)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    if arg == "menu":
        await show_main_menu(ctx)
        return
    what, _sep, back = arg.partition(":")
    if what != "mtg" or back not in ("menu", "settings", "list") or ctx.user.community_id is None:
        stale_notice(ctx)
        return
    on = not await repo.opted_in(ctx.db, ctx.user.id)
    await repo.set_opt_in(ctx.db, ctx.user.id, on)
    ctx.replies.notice(
        _("You will get the working group's meeting notices.")
        if on
        else _("You will no longer get the working group's meeting notices.")
    )
    if back == "menu":
        await show_main_menu(ctx)
    elif back == "list":
        await meetings.show_list(ctx)
    else:
        await show_settings(ctx, fresh=False)
