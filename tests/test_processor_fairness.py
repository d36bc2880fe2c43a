"""One person cannot stall everyone: a person's queued updates wait on that person's lock,
not in the global slots, so a flood from one person leaves the slots to the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from handlers.core.processor import PerUserUpdateProcessor

FLOOD = 200
OTHERS = 20
STEPS = 3  # /start, language, community
SLOTS = 64  # CONCURRENT_UPDATES' default
GIVE_UP = 10.0  # seconds: only so that a stalled processor fails the test instead of hanging


def update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "x", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="t")
    return Update(update_id, message=message)


async def test_a_flood_from_one_person_leaves_the_slots_to_the_others() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=SLOTS)
    flooder = 1
    done: list[tuple[int, int]] = []  # (person, step) in the order they completed
    flooder_may_go_on = asyncio.Event()
    others_done = asyncio.Event()

    async def work(person: int, step: int) -> None:
        if person == flooder and step == 0:
            await flooder_may_go_on.wait()  # the flooder's first update is slow
        done.append((person, step))
        if sum(1 for p, _ in done if p != flooder) == OTHERS * STEPS:
            others_done.set()

    ids = iter(range(1, 10_000))
    tasks = [
        asyncio.create_task(processor.process_update(update(next(ids), flooder), work(flooder, n)))
        for n in range(FLOOD)
    ]
    # The others arrive after the whole flood, each person's steps in order.
    for step in range(STEPS):
        for person in range(100, 100 + OTHERS):
            coroutine = work(person, step)
            tasks.append(
                asyncio.create_task(processor.process_update(update(next(ids), person), coroutine))
            )

    # While the flooder's first update is still running, everybody else finishes.
    await asyncio.wait_for(others_done.wait(), GIVE_UP)
    assert [step for person, step in done if person == flooder] == []
    for person in range(100, 100 + OTHERS):
        assert [s for p, s in done if p == person] == list(range(STEPS))

    flooder_may_go_on.set()
    await asyncio.wait_for(asyncio.gather(*tasks), GIVE_UP)
    assert [step for person, step in done if person == flooder] == list(range(FLOOD))
    assert processor.active_people == 0


async def test_the_global_limit_still_holds() -> None:
    """At most `max_concurrent_updates` updates run at once, across people."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=3)
    running = peak = 0
    release = asyncio.Event()
    three_running = asyncio.Event()

    async def work() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        if running == 3:
            three_running.set()
        await release.wait()
        running -= 1

    tasks = [
        asyncio.create_task(processor.process_update(update(n, 1000 + n), work()))
        for n in range(10)
    ]
    await asyncio.wait_for(three_running.wait(), GIVE_UP)
    for _ in range(20):  # let every other task run as far as it can
        await asyncio.sleep(0)
    assert (running, peak) == (3, 3)
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), GIVE_UP)
    assert peak == processor.limit == 3 and processor.active_people == 0
