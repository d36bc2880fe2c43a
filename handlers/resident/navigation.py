"""How a person moves around: /start, /help, /language, /community, /cancel, the menu.

Commands work in every state; the menu's buttons only while no conversation is running.
"""

from __future__ import annotations

from telegram import Update

from flows.onboarding import OnboardingForm
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import cancel_flow, keep_flow
from handlers.resident import ask, clear_chat, my_requests, onboarding
from handlers.resident.menu import NOT_READY, idle, show_main_menu
from handlers.shared.emergency import emergency_text
from handlers.staff.help import staff_help
from locales import n_

router = Router()

# (command, description) for setMyCommands, in menu order.
COMMANDS = (
    ("start", n_("Start or return to the main menu")),
    ("help", n_("What the bot does, emergency numbers")),
    ("language", n_("Change language")),
    ("community", n_("Change community")),
    ("cancel", n_("Stop what you are doing")),
    ("privacy", n_("What the bot keeps about you, and for how long")),
    ("mydata", n_("Get a file with everything the bot holds about you")),
    ("forget", n_("Erase everything the bot holds about you")),
    ("clear", n_("Delete this chat's messages from your phone")),
)


async def send_help(ctx: HromadaContext) -> None:
    """What every resident reads, then the commands of the staff roles the person holds."""
    _ = ctx.i18n.gettext
    for_staff = await staff_help(ctx)
    ctx.replies.send(
        _(
            "<b>Hromada bot</b> connects residents with their community's working group: "
            "police, social services, schools, clinics and NGOs.\n\n"
            "/start: main menu\n/language: change language\n"
            "/community: change community\n/cancel: stop what you are doing"
        )
        + ("\n\n" + for_staff if for_staff else "")
        + "\n\n"
        + emergency_text(_)
    )


@router.command("start")
async def start(update: Update, ctx: HromadaContext) -> None:
    """The main menu, or onboarding for a newcomer. (`/start inv_...`, a staff invitation,
    is the deep link of `handlers/staff/invites.py`.)"""
    if ctx.user.community_id is None:
        await onboarding.begin(ctx)
        return
    if await ctx.fsm.get_state() is not None:
        await keep_flow(ctx)  # nothing is dropped without asking: /cancel drops it
        return
    await show_main_menu(ctx, fresh=True)


@router.command("help")
async def help_(update: Update, ctx: HromadaContext) -> None:
    await send_help(ctx)
    await ctx.reprompt()


@router.command("language")
async def language(update: Update, ctx: HromadaContext) -> None:
    await onboarding.begin(ctx, at=OnboardingForm.language)


@router.command("community")
async def community(update: Update, ctx: HromadaContext) -> None:
    await onboarding.begin(ctx, at=OnboardingForm.community)


@router.command("cancel")
async def cancel(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    if await ctx.fsm.get_state() is not None:
        await cancel_flow(ctx, _("Cancelled."))  # the flow it had interrupted comes back
        return
    await ctx.fsm.clear()
    ctx.replies.send(_("There is nothing to cancel."))
    await idle(ctx)


@router.callback("menu", None)
async def menu_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    if ctx.user.community_id is None:
        await onboarding.begin(ctx)
    elif arg == "ask":
        await ask.begin(ctx)
    elif arg == "mine":
        await my_requests.show_list(ctx)
    elif arg in NOT_READY:
        ctx.replies.notice(
            _(
                "This part of the bot is not ready yet. We are working on it; "
                "it will appear here when it is."
            ),
            alert=True,
        )
    elif arg == "language":
        await onboarding.begin(ctx, at=OnboardingForm.language)
    elif arg == "community":
        await onboarding.begin(ctx, at=OnboardingForm.community)
    elif arg == "clear":
        await clear_chat.ask(ctx)
    elif arg == "help":
        await send_help(ctx)
        await show_main_menu(ctx, fresh=True)
    else:
        stale_notice(ctx)
        await show_main_menu(ctx)


@router.callback("start", None)
async def start_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    await onboarding.begin(ctx)
