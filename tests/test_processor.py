"""Per-person ordering with concurrency across people, and no memory left behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from handlers.core.processor import PerUserUpdateProcessor


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "x", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="t")
    return Update(update_id, message=message)


async def test_one_person_in_order_people_in_parallel() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=16)
    seen: dict[int, list[int]] = {}
    running = 0
    peak = 0
    gates = {uid: asyncio.Event() for uid in range(4)}
    all_four_started = asyncio.Event()

    async def work(uid: int, n: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        if running == 4:
            all_four_started.set()
        if n == 0:
            await gates[uid].wait()  # the first update of each person is slow
        seen.setdefault(uid, []).append(n)
        running -= 1

    tasks = [
        asyncio.create_task(processor.process_update(update(uid * 10 + n, uid), work(uid, n)))
        for n in range(3)
        for uid in range(4)
    ]
    # Four people at once, each blocked in their first update; nobody's second overtook.
    await asyncio.wait_for(all_four_started.wait(), timeout=5)
    assert seen == {} and peak == 4
    for gate in gates.values():
        gate.set()
    await asyncio.gather(*tasks)
    assert seen == {uid: [0, 1, 2] for uid in range(4)}
    assert processor.active_people == 0
