"""The scenarios: the real bot onboarding residents, the same-calls bot, the bare echo bot.

Each scenario gets a fresh :class:`~bench.harness.BenchServer` in this (the harness) process
and starts the bot under test as a child process pointed at it.  Timing starts when the first
update is queued and stops when the last awaited reply reaches the server.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bench.databases import bench_database
from bench.harness import (
    ERROR_REPLY,
    BenchServer,
    Exchange,
    echo_chat,
    onboard_resident,
    text_contains,
)
from bench.processes import BenchError, BotProcess, child_env, run_once
from bench.profile import start_sampling
from bench.report import RESULTS_DIR, ScenarioResult
from bot.botapi.people import FakeUser
from bot.botapi.server import TEST_TOKEN

__all__ = ["DEFAULT_SCENARIOS", "SCENARIOS", "run_scenario", "scenario_people"]


def scenario_people(name: str, users: int, memory_people: int) -> int:
    """How many people a scenario has: ``--users`` for the throughput ones, fixed sizes for
    the others (the issue's figures)."""
    if name == "steady":
        return round(STEADY_RATE * STEADY_SECONDS / STEPS)
    if name == "flood":
        return 2 * FLOOD_PEOPLE  # 200 without the flood, then 200 beside it
    if name == "memory":
        return memory_people
    return users


SCENARIOS = ("hromada", "same_calls", "echo", "steady", "flood", "memory")
DEFAULT_SCENARIOS = SCENARIOS  # all of them, in this order
STEADY_RATE = 100.0  # updates/s offered in the open-loop scenario
STEADY_SECONDS = 10.0
FLOOD_PEOPLE = 200
FLOOD_UPDATES = 500
FLOOD_SECONDS = 10.0
MEMORY_WAVE = 250  # people onboarding at once in the memory scenario
STEPS = 3
READY_TIMEOUT = 60.0
STALL_SECONDS = 60.0
ONBOARDING_STEPS = ("start", "language", "community")

Script = Callable[[BenchServer, FakeUser], Coroutine[Any, Any, list[Exchange]]]
Outcomes = list[list[Exchange]]
# How a scenario drives its people: (server, bot, people, deadline) -> replies, extra figures.
Drive = Callable[
    [BenchServer, BotProcess, list[FakeUser], float],
    Coroutine[Any, Any, tuple[Outcomes, dict[str, float]]],
]


async def run_scenario(
    name: str,
    users: int,
    database: str,
    deadline: float,
    profile: Path | None = None,
    http_client: str = "httpx",
) -> ScenarioResult:
    """Run scenario ``name`` with ``users`` people; BenchError if anything is off.
    ``deadline`` is a ``time.monotonic()`` value the scenario must finish by; with
    ``profile`` py-spy samples the Hromada bot during the run (:mod:`bench.profile`)."""
    with tempfile.TemporaryDirectory(prefix=f"hromada-bench-{name}-") as tmp:
        workdir = Path(tmp)
        server = BenchServer(TEST_TOKEN)
        async with server:
            base = {
                "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "LOG_LEVEL": "WARNING",
            }
            if name == "same_calls":
                bot = BotProcess(
                    "same_calls_bot", ["-m", "bench.same_calls_bot"], child_env(base), workdir
                )
                return await _measure(
                    name,
                    server,
                    bot,
                    users,
                    onboard_resident,
                    ready=lambda: bool(server.calls_of("getUpdates")),
                    description=(
                        "bare PTB bot making exactly onboarding's Bot API calls (concurrent"
                        " updates 64, no database, FSM or catalogs)"
                    ),
                    steps=ONBOARDING_STEPS,
                    deadline=deadline,
                )
            if name == "echo":
                bot = BotProcess("echo_bot", ["-m", "bench.echo_bot"], child_env(base), workdir)
                return await _measure(
                    name,
                    server,
                    bot,
                    users,
                    echo_chat,
                    ready=lambda: bool(server.calls_of("getUpdates")),
                    description=(
                        "bare PTB echo bot, run_polling() defaults: one update at a time,"
                        " no database"
                    ),
                    steps=("text 1", "text 2", "text 3"),
                    deadline=deadline,
                )
            async with bench_database(database, workdir) as url:
                env = child_env(
                    {
                        **base,
                        "DATABASE_URL": url,
                        "RATE_LIMIT_OVERALL_PER_SECOND": "0",
                        "RATE_LIMIT_GROUP_PER_MINUTE": "0",
                    }
                )
                seeded = await run_once(["-m", "bot", "seed"], env, workdir, within=120)
                if "communities:" not in seeded:
                    raise BenchError(f"unexpected output of `python -m bot seed`: {seeded!r}")
                module = "bench.aiohttp_bot" if http_client == "aiohttp" else "bot"
                bot = BotProcess("hromada_bot", ["-m", module, "run"], env, workdir)
                server.replies.error_reply = text_contains(ERROR_REPLY)
                concurrency = env.get("CONCURRENT_UPDATES", "64 (default)")
                drive, what = _hromada_drive(name)
                return await _measure(
                    name,
                    server,
                    bot,
                    users,
                    onboard_resident,
                    drive=drive,
                    ready=lambda: (
                        len(server.calls_of("setMyCommands")) >= 3
                        and bool(server.calls_of("getUpdates"))
                    ),
                    description=(
                        f"Hromada bot ({http_client}) on {database}, residents onboarding{what};"
                        " different"
                        f" users processed concurrently (CONCURRENT_UPDATES={concurrency}),"
                        " rate limits off"
                    ),
                    steps=ONBOARDING_STEPS,
                    deadline=deadline,
                    profile=profile,
                )


async def _measure(
    scenario: str,
    server: BenchServer,
    bot: BotProcess,
    users: int,
    script: Script,
    *,
    ready: Callable[[], bool],
    description: str,
    steps: Sequence[str],
    deadline: float,
    profile: Path | None = None,
    drive: Drive | None = None,
) -> ScenarioResult:
    """Start ``bot``, wait until it polls, run ``script`` for every person (all at once, or
    as ``drive`` says), stop ``bot``."""
    monitor: asyncio.Task[None] | None = None
    sampler: asyncio.subprocess.Process | None = None
    failed = True
    try:
        spawned = time.perf_counter()
        await bot.start()
        polled = await _wait_ready(
            server, bot, ready, min(READY_TIMEOUT, deadline - time.monotonic())
        )
        startup = polled - spawned
        first_call = len(server.calls)
        sampler = await start_sampling(bot.pid, profile) if profile is not None else None
        people = [server.user(language_code="uk") for _ in range(users)]
        monitor = asyncio.create_task(_fail_watches_on_exit(server, bot))
        cpu_before, harness_before = bot.cpu_seconds(), time.process_time()
        extra: dict[str, float] = {}
        if drive is None:
            outcomes = await _run_all(server, people, script, deadline)
        else:
            outcomes, extra = await drive(server, bot, people, deadline)
        cpu_after, harness_after = bot.cpu_seconds(), time.process_time()
        memory = bot.memory()  # just before stopping: VmHWM is the peak of the whole run
        # What went wrong during the run (stopping adds a harmless 409 for the last poll).
        violations, errors = list(server.violations), list(server.errors_returned)
        calls = Counter(c.method for c in server.calls[first_call:] if c.method != "getUpdates")
        failed = False
    finally:
        if monitor is not None:
            monitor.cancel()
        code = await bot.stop()
        if sampler is not None:
            await sampler.wait()  # py-spy ends with the bot and writes its samples
        if failed:
            saved = bot.keep_log(RESULTS_DIR / f"{scenario}-failed.log")
            print(
                f"{bot.name} (exit code {code}) output kept in {saved}; last lines:\n"
                f"{bot.log_tail()}",
                file=sys.stderr,
            )

    exchanges = [e for person in outcomes for e in person]
    if len(exchanges) != users * STEPS:
        raise BenchError(f"expected {users * STEPS} replies, got {len(exchanges)}")
    seconds = max(e.replied for e in exchanges) - min(e.sent for e in exchanges)
    warnings = [f"Bot API misuse: {v}" for v in violations[:10]]
    if errors:
        warnings.append(f"{len(errors)} Bot API errors returned, e.g. {errors[0]}")
    return ScenarioResult(
        scenario=scenario,
        description=description,
        users=users,
        updates=len(exchanges),
        seconds=seconds,
        latencies=[e.latency for e in exchanges],
        peak_rss_kib=memory.peak_kib,
        end_rss_kib=memory.now_kib,
        bot_cpu_seconds=cpu_after - cpu_before,
        harness_cpu_seconds=harness_after - harness_before,
        step_latencies={
            step: [person[i].latency for person in outcomes] for i, step in enumerate(steps)
        },
        warnings=warnings,
        startup_seconds=startup,
        calls=dict(sorted(calls.items())),
        extra=extra,
    )


async def _wait_ready(
    server: BenchServer, bot: BotProcess, ready: Callable[[], bool], within: float
) -> float:
    """Wait until ``ready()``; return when (``perf_counter``) the first getUpdates came."""
    limit = time.monotonic() + within
    first_poll: float | None = None
    while not ready():
        if first_poll is None and server.calls_of("getUpdates"):
            first_poll = time.perf_counter()
        if bot.returncode is not None:
            raise BenchError(f"{bot.name} exited ({bot.returncode}) before it started polling")
        if time.monotonic() > limit:
            raise BenchError(
                f"{bot.name} did not start polling within {within:.0f}s; its output:\n"
                f"{bot.log_tail()}"
            )
        seen = first_poll is not None
        await server.state.feed.wait_until(
            lambda seen=seen: (  # type: ignore[misc]
                True if ready() or (not seen and server.calls_of("getUpdates")) else None
            ),
            0.5,
        )
    return first_poll if first_poll is not None else time.perf_counter()


async def _fail_watches_on_exit(server: BenchServer, bot: BotProcess) -> None:
    code = await bot.wait()
    server.replies.fail_all(BenchError(f"{bot.name} exited ({code}) during the run"))


def _hromada_drive(name: str) -> tuple[Drive | None, str]:
    if name == "steady":
        return _steady, f" open-loop, a new one every {STEPS / STEADY_RATE * 1000:.0f} ms"
    if name == "flood":
        return _flood, (
            f" ({FLOOD_PEOPLE} alone, then {FLOOD_PEOPLE} beside one person sending"
            f" {FLOOD_UPDATES} texts in {FLOOD_SECONDS:.0f} s)"
        )
    if name == "memory":
        return _memory, f" in waves of {MEMORY_WAVE}, RSS read after each"
    return None, ""


async def _steady(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """Open loop: people arrive at a fixed pace whatever the bot's speed (each then goes on
    as soon as the bot answered), so the bot is offered about STEADY_RATE updates/s."""
    pace = STEPS / STEADY_RATE
    outcomes = await _run_all(server, people, onboard_resident, deadline, pace=pace)
    return outcomes, {"offered_updates_per_second": STEADY_RATE}


async def _flood(
    server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
) -> tuple[Outcomes, dict[str, float]]:
    """The first half onboards alone, then the second half beside a flooding person."""
    alone, beside = people[: len(people) // 2], people[len(people) // 2 :]
    first = await _run_all(server, alone, onboard_resident, deadline)
    flooder = server.user(language_code="uk")

    async def flood() -> None:
        for number in range(FLOOD_UPDATES):
            await flooder.send_text(f"flood {number}")
            await asyncio.sleep(FLOOD_SECONDS / FLOOD_UPDATES)

    flooding = asyncio.create_task(flood())
    try:
        second = await _run_all(server, beside, onboard_resident, deadline)
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
        outcomes += await _run_all(
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


async def _run_all(
    server: BenchServer,
    people: list[FakeUser],
    script: Script,
    deadline: float,
    pace: float = 0.0,
) -> list[list[Exchange]]:
    """Everybody at once (or one every ``pace`` seconds); fail loudly unless every person
    got every reply: at once when one fails (error reply, bot exited), else when no awaited
    reply came for :data:`STALL_SECONDS` or at the deadline."""
    tasks = {
        asyncio.create_task(
            _paced(pace, n, script(server, person)) if pace else script(server, person)
        ): person
        for n, person in enumerate(people)
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
