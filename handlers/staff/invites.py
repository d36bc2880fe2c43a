"""Opening a staff invitation link (`t.me/<bot>?start=inv_...`): a deep link of /start."""

from __future__ import annotations

from html import escape

from telegram import Update

from handlers.core.content import command_args
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.core.steps import keep_flow
from handlers.shared import labels
from handlers.shared.names import community_name
from handlers.staff.help import role_commands
from storage.models import Community, StaffRole
from storage.repositories import staff

router = Router()


@router.deep_link("inv_")
async def accept(update: Update, ctx: HromadaContext) -> None:
    """Take the invited role, say what it allows, and go to the main menu (or, for a
    newcomer whose link failed, to the way into onboarding). Opened in the middle of a flow,
    the flow is kept, said so and its step asked again (the interrupted-flows rule)."""
    code = command_args(update.effective_message) if update.effective_message else ""
    await _accept(ctx, code)
    if await ctx.fsm.get_state() is not None:
        await keep_flow(ctx)
        return
    await ctx.reprompt()


async def _accept(ctx: HromadaContext, code: str) -> None:
    _ = ctx.i18n.gettext
    result = await staff.accept_invite(ctx.db, code, ctx.user)
    if result.held is not None:
        # Their own link, opened again: they hold the role already, nothing is wrong.
        await _welcome(ctx, result.held, _("You are already {role} of {community}."))
        return
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
    if ctx.user.telegram_id is not None:
        ctx.services.became_staff(ctx.user.telegram_id)  # not throttled from now on
    await _welcome(ctx, result.role, _("You are now {role} of {community}."))


async def _welcome(ctx: HromadaContext, role: StaffRole, headline: str) -> None:
    """`headline` ("You are now {role} of {community}.") and the commands of the role, the
    same block as /help shows for it (`handlers/staff/help.py`)."""
    _ = ctx.i18n.gettext
    community = await ctx.db.get(Community, role.community_id)
    assert community is not None
    text = headline.format(
        role=labels.role(role.role, _),
        community=escape(community_name(community, ctx.i18n.language)),
    )
    commands = role_commands(role.role, _)  # the same block as in /help
    if commands:
        text += "\n\n" + commands + "\n\n" + _("/help lists them again at any time.")
    ctx.replies.send(text)
