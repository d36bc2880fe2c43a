"""Which of a resident's messages went into which sent request, so an edit made after Send
can be answered (issue 7 §2.11). Kept beside the conversation, under its own FSM destiny,
in the same table and transaction; only the most recent `KEEP` messages are remembered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from flows.fsm import FSMContext
from handlers.core.context import HromadaContext

DESTINY = "sent_messages"
KEEP = 40


def _store(ctx: HromadaContext) -> FSMContext:
    return FSMContext(ctx.fsm.storage, replace(ctx.fsm.key, destiny=DESTINY))


async def remember(ctx: HromadaContext, message_ids: Iterable[int], request_id: int) -> None:
    """The messages `message_ids` of the person are now part of request `request_id`."""
    ids = [str(m) for m in message_ids]
    if not ids:
        return
    store = _store(ctx)
    known = {k: v for k, v in (await store.get_data()).items() if k not in ids}
    known.update(dict.fromkeys(ids, request_id))
    await store.set_data(dict(list(known.items())[-KEEP:]))


async def request_of(ctx: HromadaContext, message_id: int) -> int | None:
    """The request the person's message `message_id` went into, if it is remembered."""
    value = (await _store(ctx).get_data()).get(str(message_id))
    return value if isinstance(value, int) else None
