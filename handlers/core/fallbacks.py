"""Answers for what no handler expects: never silence, always the way back.

`stale_notice` is the one wording for a button that no longer applies (an old message, a
forged press, a request that is not the presser's); `stale_button` adds the current step.
"""

from __future__ import annotations

from handlers.core.context import HromadaContext


def stale_notice(ctx: HromadaContext) -> None:
    """The pop-up answer to a press that does nothing now; tells nothing more."""
    ctx.replies.notice(ctx.i18n.gettext("This button is no longer active."))


async def stale_button(ctx: HromadaContext) -> None:
    """A stale press: say so, and ask the current step again while a conversation runs
    (its message may be far up) or the person has not finished onboarding (the way in).
    With no conversation the pop-up is all: the menu is already there, and a double press
    must not leave two. In a group chat only the pop-up: conversations are private."""
    stale_notice(ctx)
    if ctx.in_group:
        return
    if await ctx.fsm.get_state() is not None or ctx.user.community_id is None:
        await ctx.reprompt()


async def unknown_command(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(_("I don't know that command. Send /help to see what I can do."))
    await ctx.reprompt()


async def unexpected_input(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(_("Please choose one of the buttons below."))
    await ctx.reprompt()
