"""How the Hromada scenarios drive their people: all at once, open loop, beside a flood, in
waves; and :func:`run_all`, which fails loudly unless every person got every reply."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bench.harness import BenchServer, Exchange, onboard_resident
from bench.processes import BenchError, BotProcess
from bot.botapi.people import FakeUser

__all__ = [
    "FLOOD_PEOPLE",
    "STEADY_RATE",
    "STEADY_SECONDS",
    "STEPS",
    "Drive",
    "Outcomes",
    "Script",
    "hromada_drive",
    "run_all",
]

STEADY_RATE = 100.0  # updates/s offered in the open-loop scenario
STEADY_SECONDS = 10.0
FLOOD_PEOPLE = 200
FLOOD_UPDATES = 500
FLOOD_SECONDS = 10.0
MEMORY_WAVE = 250  # people onboarding at once in the memory scenario
STEPS = 3  # onboarding's updates per person
STALL_SECONDS = 60.0

Script = Callable[[BenchServer, FakeUser], Coroutine[Any, Any, list[Exchange]]]
Outcomes = list[list[Exchange]]
# How a scenario drives its people: (server, bot, people, deadline) -> replies, extra figures.
Drive = Callable[
    [BenchServer, BotProcess, list[FakeUser], float],
    Coroutine[Any, Any, tuple[Outcomes, dict[str, float]]],
]


def hromada_drive(name: str) -> tuple[Drive, str]:
    if name == "steady":
        return _steady, f" open-loop, a new one every {STEPS / STEADY_RATE * 1000:.0f} ms"
    if name == "flood":
        return _flood, (
            f" ({FLOOD_PEOPLE} alone, then {FLOOD_PEOPLE} beside one person sending"
            f" {FLOOD_UPDATES} texts in {FLOOD_SECONDS:.0f} s)"
        )
    if name == "memory":
        return _memory, f" in waves of {MEMORY_WAVE}, RSS read after each"
    return _all_at_once, " all at once (RSS read half-way and at the end)"


async def _all_at_once(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """Everybody at once; the bot's RSS when half the replies came and at the end (the
    table's memory rows when the memory scenario is not run)."""
    half: list[int] = []
    wanted = len(people) * STEPS // 2
    start = server.replies.satisfied

    async def sample() -> None:
        while server.replies.satisfied - start < wanted:  # noqa: ASYNC110 (a light poll)
            await asyncio.sleep(0.2)
        half.append(bot.memory().now_kib)

    sampler = asyncio.create_task(sample())
    try:
        outcomes = await run_all(server, people, onboard_resident, deadline)
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
    end = bot.memory().now_kib
    if not half:
        return outcomes, {}
    return outcomes, {
        "rss_half_mib": round(half[0] / 1024, 1),
        "rss_end_mib": round(end / 1024, 1),
        "growth_half_to_end": round((end - half[0]) / half[0], 3),
        "updates": len(people) * STEPS,
    }


async def _steady(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """Open loop: people arrive at a fixed pace whatever the bot's speed (each then goes on
    as soon as the bot answered), so the bot is offered about STEADY_RATE updates/s."""
    pace = STEPS / STEADY_RATE
    outcomes = await run_all(server, people, onboard_resident, deadline, pace=pace)
    return outcomes, {"offered_updates_per_second": STEADY_RATE}


async def _flood(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """The first half onboards alone, then the second half beside a flooding person."""
    alone, beside = people[: len(people) // 2], people[len(people) // 2 :]
    first = await run_all(server, alone, onboard_resident, deadline)
    flooder = server.user(language_code="uk")

    async def flood() -> None:
        for number in range(FLOOD_UPDATES):
            await flooder.send_text(f"flood {number}")
            await asyncio.sleep(FLOOD_SECONDS / FLOOD_UPDATES)

    flooding = asyncio.create_task(flood())
    try:
        second = await run_all(server, beside, onboard_resident, deadline)
    finally:
        flooding.cancel()
        await asyncio.gather(flooding, return_exceptions=True)
    without, with_flood = _throughput(first), _throughput(second)
    return first + second, {
        "updates_per_second_without_flood": round(without, 1),
        "updates_per_second_beside_flood": round(with_flood, 1),
        "ratio": round(with_flood / without, 3),
    }


async def _memory(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """Waves of people onboarding; the bot's RSS after each wave (half-way and at the end
    give the growth)."""
    outcomes: Outcomes = []
    rss: list[int] = []
    for start in range(0, len(people), MEMORY_WAVE):
        outcomes += await run_all(
            server, people[start : start + MEMORY_WAVE], onboard_resident, deadline
        )
        rss.append(bot.memory().now_kib)
    half = rss[max(len(rss) // 2 - 1, 0)]
    end = rss[-1]
    return outcomes, {
        "rss_half_mib": round(half / 1024, 1),
        "rss_end_mib": round(end / 1024, 1),
        "growth_half_to_end": round((end - half) / half, 3),
        "updates": len(people) * STEPS,
    }


def _throughput(outcomes: Outcomes) -> float:
    exchanges = [e for person in outcomes for e in person]
    seconds = max(e.replied for e in exchanges) - min(e.sent for e in exchanges)
    return len(exchanges) / seconds


async def _paced(
    pace: float, number: int, script: Coroutine[Any, Any, list[Exchange]]
) -> list[Exchange]:
    await asyncio.sleep(pace * number)
    return await script


async def run_all(
    server: BenchServer,
    people: list[FakeUser],
    script: Script | None,
    deadline: float,
    pace: float = 0.0,
    scripts: list[Script] | None = None,
) -> list[list[Exchange]]:
    """Everybody at once (or one every ``pace`` seconds), each with ``script`` (or their own
    of ``scripts``); fail loudly unless every person got every reply: at once when one
    fails (error reply, bot exited), else when no awaited reply came for
    :data:`STALL_SECONDS` or at the deadline."""
    chosen = scripts if scripts is not None else [script] * len(people)
    if any(one is None for one in chosen) or len(chosen) != len(people):
        raise ValueError("one script for everybody or one per person")
    tasks = {
        asyncio.create_task(
            _paced(pace, n, run(server, person)) if pace else run(server, person)
        ): person
        for n, (person, run) in enumerate(zip(people, chosen, strict=True))
        if run is not None
    }
    server.replies.last_progress = time.monotonic()
    pending: set[asyncio.Task[list[Exchange]]] = set(tasks)
    problem = ""
    while pending:
        now = time.monotonic()
        if now >= deadline:
            problem = "the time limit was reached"
            break
        if now - server.replies.last_progress > STALL_SECONDS:
            problem = f"no awaited reply arrived for {STALL_SECONDS:.0f}s"
            break
        _, pending = await asyncio.wait(pending, timeout=min(1.0, deadline - now))
        if any(not t.cancelled() and t.exception() is not None for t in tasks if t.done()):
            problem = "a person failed"
            break
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    # Those that failed first (they say why), then those cancelled while still waiting.
    failed = [t for t in tasks if not t.cancelled() and t.exception() is not None]
    failed += [t for t in tasks if t.cancelled()]
    if failed:
        finished = len(tasks) - len(failed)
        lines = [f"only {finished} of {len(people)} people finished ({problem})"]
        for task in failed[:3]:
            person = tasks[task]
            why = "still waiting" if task.cancelled() else repr(task.exception())
            lines.append(f"person {person.id}: {why}; their chat:\n{person.history(last=5)}")
        raise BenchError("\n".join(lines))
    return [t.result() for t in tasks]
