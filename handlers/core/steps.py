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

Interruptions, the same for every flow (docs/ARCHITECTURE.md, "Interrupted flows"): a flow
is entered with `enter_flow(ctx, state, data)`; a flow of another kind that was running is
*parked* under it (its state and data, draft included, in the new flow's data under
`PARKED`). A flow that ends (done or cancelled) calls `leave_flow` and then `after_flow`
(or `resume`): the parked flow comes back at the step where it was, asked again in the
person's language of now; with nothing parked `after_flow` shows the idle screen (the
main menu). `run_flow` does `leave_flow` itself when a step ends the flow. Commands that
only look at something (`/help`, `/start`, a staff list) leave the flow where it is and
ask its step again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from html import escape
from typing import Any, TypeVar

from flows.flow import Flow, StaleEvent, Step
from flows.fsm import State
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
    if step.state is None:
        await leave_flow(ctx)
    else:
        await ctx.fsm.set_state(step.state)
        await ctx.fsm.set_data(step.data)
    await render(ctx, step)
    if step.state is not None:
        await ctx.reprompt()
    elif await _parked(ctx) is not None:
        await resume(ctx)  # `render` did not say what comes next: the interrupted flow does
    return step


PARKED = "_parked"  # the data key of the interrupted flow (state + data) under a running one


def flow_of(state: str | None) -> str | None:
    """The flow (StatesGroup) a stored state belongs to: "AskForm" of "AskForm:text"."""
    return state.rpartition(":")[0] if state else None


async def enter_flow(ctx: HromadaContext, state: State, data: Mapping[str, Any]) -> None:
    """Start a flow at `state` with `data`. A running flow of another kind is parked under
    it and resumes when this one ends; one of the same kind is replaced (what it had parked
    stays parked), so re-entering a flow never stacks it on itself."""
    current = await ctx.fsm.get_state()
    stored = await ctx.fsm.get_data() if current is not None else {}
    new = dict(data)
    parked: Any = None
    if current is not None:
        if flow_of(current) == flow_of(state.state):
            parked = stored.get(PARKED)
        else:
            parked = {"state": current, "data": stored}
    if parked:
        new[PARKED] = parked
    await ctx.fsm.set_state(state)
    await ctx.fsm.set_data(new)


async def _parked(ctx: HromadaContext) -> dict[str, Any] | None:
    if await ctx.fsm.get_state() is not None:
        return None
    parked = (await ctx.fsm.get_data()).get(PARKED)
    return parked if isinstance(parked, dict) and parked.get("state") else None


async def leave_flow(ctx: HromadaContext) -> None:
    """The running flow ends (done or cancelled); a flow it had parked waits for `resume`."""
    parked = (await ctx.fsm.get_data()).get(PARKED) if await ctx.fsm.get_state() else None
    await ctx.fsm.set_state(None)
    await ctx.fsm.set_data({PARKED: parked} if parked else {})


async def resume(ctx: HromadaContext) -> bool:
    """Bring back the flow the ended one had interrupted, at its step, asked again (in the
    person's language of now). False when nothing was parked."""
    parked = await _parked(ctx)
    if parked is None:
        await ctx.fsm.set_data({})
        return False
    await ctx.fsm.set_state(str(parked["state"]))
    await ctx.fsm.set_data(dict(parked.get("data") or {}))
    ctx.replies.send(
        ctx.i18n.gettext("Back to what you were doing before; nothing you entered was lost:")
    )
    await ctx.reprompt()
    return True


async def after_flow(ctx: HromadaContext) -> None:
    """What comes after a flow has ended (`leave_flow`): the flow it interrupted, else the
    idle screen (the main menu, or the way into onboarding)."""
    if not await resume(ctx):
        await ctx.reprompt()


async def cancel_flow(ctx: HromadaContext, said: str) -> None:
    """/cancel or a Cancel button: the running flow is dropped (`said` tells so) and the one
    it had interrupted, if any, comes back."""
    await leave_flow(ctx)
    ctx.replies.send(said)
    await after_flow(ctx)


async def keep_flow(ctx: HromadaContext) -> None:
    """A command that would leave the flow (/start) in the middle of one: nothing is
    dropped without asking; the person is told how to drop it, and the step is asked again."""
    ctx.replies.send(
        ctx.i18n.gettext(
            "You have not finished this yet; what you entered is kept. "
            "Carry on below, or send /cancel to drop it."
        )
    )
    await ctx.reprompt()


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
    elif problem is TextProblem.PASTE_REST:
        send(paste_rest_notice(ctx))
        send_back(ctx, text.strip(), private=private)
    else:
        send(_("The text is empty. Please write something, or /cancel."))
    await ctx.reprompt()


def paste_rest_notice(ctx: HromadaContext) -> str:
    """Why the rest of a long paste (`flows/text.py`) was not taken on its own."""
    return ctx.i18n.gettext(
        "This arrived right after a text that was too long, so it is probably the rest of "
        "the same paste (Telegram splits long messages). It was not taken on its own; here "
        "it is too, so nothing is lost:"
    )
