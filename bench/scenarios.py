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

__all__ = ["SCENARIOS", "run_scenario"]

SCENARIOS = ("hromada", "same_calls", "echo")
STEPS = 3
READY_TIMEOUT = 60.0
STALL_SECONDS = 60.0
ONBOARDING_STEPS = ("start", "language", "community")

Script = Callable[[BenchServer, FakeUser], Coroutine[Any, Any, list[Exchange]]]


async def run_scenario(
    name: str, users: int, database: str, deadline: float, profile: Path | None = None
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
                bot = BotProcess("hromada_bot", ["-m", "bot", "run"], env, workdir)
                server.replies.error_reply = text_contains(ERROR_REPLY)
                concurrency = env.get("CONCURRENT_UPDATES", "64 (default)")
                return await _measure(
                    name,
                    server,
                    bot,
                    users,
                    onboard_resident,
                    ready=lambda: (
                        len(server.calls_of("setMyCommands")) >= 3
                        and bool(server.calls_of("getUpdates"))
                    ),
                    description=(
                        f"Hromada bot on {database}, residents onboarding; different users"
                        f" processed concurrently (CONCURRENT_UPDATES={concurrency}),"
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
) -> ScenarioResult:
    """Start ``bot``, wait until it polls, run ``script`` for every person, stop ``bot``."""
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
        outcomes = await _run_all(server, people, script, deadline)
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


async def _run_all(
    server: BenchServer, people: list[FakeUser], script: Script, deadline: float
) -> list[list[Exchange]]:
    """Everybody at once; fail loudly unless every person got every reply: at once when one
    fails (error reply, bot exited), else when no awaited reply came for :data:`STALL_SECONDS`
    or at the deadline."""
    tasks = {asyncio.create_task(script(server, person)): person for person in people}
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
