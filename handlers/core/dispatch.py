"""One update through the router: the right handler, or a clear answer when there is none."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus

from flows.flow import split_step_token, step_token
from handlers.core import fallbacks
from handlers.core.content import Content, classify, command_args, command_name
from handlers.core.context import HromadaContext
from handlers.core.router import Router

# What works in a group chat; everything else is for private chats.
GROUP_COMMANDS = frozenset({"link_staff_chat", "link", "queue", "inbox", "stats"})
GROUP_BUTTONS = frozenset({"st"})


async def dispatch(router: Router, update: Update, ctx: HromadaContext) -> None:
    if update.my_chat_member is not None:
        # The person blocked (or unblocked) the bot: remember whether we may write to them.
        status = update.my_chat_member.new_chat_member.status
        ctx.user.is_reachable = status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
        return
    state = await ctx.fsm.get_state()
    query = update.callback_query
    if query is not None:
        raw, token = split_step_token(query.data or "")
        prefix, _, arg = raw.partition(":")
        button = router.find_button(prefix, state)
        left = token is not None and state is not None
        if left and token != step_token(state, await ctx.fsm.get_data()):
            # a button of a step the person has left (an old preview's Send, an old Back)
            await fallbacks.stale_button(ctx)
        elif button is None or (ctx.in_group and prefix not in GROUP_BUTTONS):
            await fallbacks.stale_button(ctx)
        else:
            await button(update, ctx, arg)
        return

    if update.edited_message is not None:
        # A person edited what they sent: never a new message (issue 7 §2.11).
        edit = None if ctx.in_group else router.find_edit(state)
        if edit is not None:
            await edit(update, ctx)
        return

    message = update.effective_message
    if message is None:
        return
    if classify(message) is Content.COMMAND:
        name = command_name(message, ctx.bot.username)
        command = router.find_command(name, command_args(message))
        if ctx.in_group and name not in GROUP_COMMANDS:
            return  # other commands in a group may be for other bots, or a slip: stay quiet
        if command is None:
            await fallbacks.unknown_command(ctx)
        else:
            await command(update, ctx)
        return

    handler = router.find_message(update, state)
    if handler is None:
        await fallbacks.unexpected_input(ctx)
    else:
        await handler(update, ctx)
