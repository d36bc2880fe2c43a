"""Answers for what no handler expects: never silence, always the way back."""

from __future__ import annotations

from handlers.core.context import HromadaContext
from handlers.core.router import Router


async def stale_button(router: Router, ctx: HromadaContext, state: str | None) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.notice(_("This button is no longer active."))
    if not ctx.in_group:
        await router.reprompt(ctx, state)


async def unknown_command(router: Router, ctx: HromadaContext, state: str | None) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(_("I don't know that command. Send /help to see what I can do."))
    await router.reprompt(ctx, state)


async def unexpected_input(router: Router, ctx: HromadaContext, state: str | None) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(_("Please choose one of the buttons below."))
    await router.reprompt(ctx, state)
