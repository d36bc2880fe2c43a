"""Running a flow event and rendering its step: one helper, one rule, for every flow.

    step = await run_flow(ctx, AskFlow, "give_text", render, text=message.text)

The rule, the same for accepted and rejected events:

1. An event the stored state does not have (`StaleEvent`, an old button): "This button is
   no longer active", and the current step is asked again. Nothing is stored.
2. Otherwise the step is stored, accepted or not: a rejected event may have kept something
   (a draft, a photo), and an accepted one may have moved on.
3. `render(ctx, step)` says what the step means: its problem if it has one (a rejected
   event always has one), then its effects (save a language, submit a question, show the
   emergency numbers).
4. If the conversation is still running (`step.state` is not None), its step is asked
   again (`ctx.reprompt()`): after a rejection the same one, after an acceptance the next.
   A finished flow's `render` shows what comes next (usually the main menu).

Flows that only validate one text (a reply, a staff text) are plain functions with the
same rule: `text_rejected` says the problem (giving the text back, so nothing typed is
lost) and asks the step again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from html import escape
from typing import Any, TypeVar

from flows.flow import Flow, StaleEvent, Step
from flows.text import TextProblem
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_button

E = TypeVar("E")
P = TypeVar("P", bound=StrEnum)

SEND_BACK_CHUNK = 3500  # well under Telegram's 4,096 after escaping most texts
SEND_BACK_LIMIT = 12_000  # what is given back of an over-long text at the most


async def run_flow(
    ctx: HromadaContext,
    flow: type[Flow[E, P]],
    event: str,
    render: Callable[[HromadaContext, Step[E, P]], Awaitable[None]],
    **kwargs: Any,
) -> Step[E, P] | None:
    """Run `event` on the stored conversation by the rule above; None when it was stale."""
    state = await ctx.fsm.get_state()
    try:
        step = flow.handle(state or "", await ctx.fsm.get_data(), event, **kwargs)
    except StaleEvent:
        await stale_button(ctx)
        return None
    await ctx.fsm.set_state(step.state)
    await ctx.fsm.set_data(step.data)
    await render(ctx, step)
    if step.state is not None:
        await ctx.reprompt()
    return step


def pieces(text: str, size: int = SEND_BACK_CHUNK) -> list[str]:
    """`text` cut into pieces of at most `size` characters that join back into it exactly.

    Telegram trims the white space around every message, so no piece may begin or end with
    any: each cut goes back to the nearest place between two visible characters (or falls
    where it must, inside a run of white space longer than a piece).
    """
    result: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = end
            while cut > start + 1 and (text[cut - 1].isspace() or text[cut].isspace()):
                cut -= 1
            end = cut if cut > start + 1 else end
        result.append(text[start:end])
        start = end
    return result


def send_back(ctx: HromadaContext, text: str, *, private: bool = False) -> None:
    """Give a text the bot could not take back to its author, in pieces, to copy."""
    send = ctx.replies.send_private if private else ctx.replies.send
    for piece in pieces(text[:SEND_BACK_LIMIT]):
        send(escape(piece))


async def text_rejected(
    ctx: HromadaContext, problem: TextProblem, text: str, limit: int, *, private: bool = False
) -> None:
    """A one-text step refused `text`: say why (an over-long text comes back to copy) and
    ask the step again."""
    _ = ctx.i18n.gettext
    send = ctx.replies.send_private if private else ctx.replies.send
    if problem is TextProblem.TOO_LONG:
        send(
            _(
                "That is longer than {limit} characters. "
                "Please shorten it; here is your text to copy:"
            ).format(limit=limit)
        )
        send_back(ctx, text.strip(), private=private)
    else:
        send(_("The text is empty. Please write something, or /cancel."))
    await ctx.reprompt()
