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
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.databases import bench_database
from bench.drives import (
    FLOOD_PEOPLE,
    STEADY_RATE,
    STEADY_SECONDS,
    STEPS,
    Drive,
    Outcomes,
    Script,
    hromada_drive,
    run_all,
)
from bench.harness import (
    ERROR_REPLY,
    BenchServer,
    echo_chat,
    onboard_resident,
    text_contains,
)
from bench.processes import BenchError, BotProcess, child_env, run_once
from bench.profile import start_sampling
from bench.report import RESULTS_DIR, ScenarioResult
from bench.request_scenario import (
    COMMUNITIES,
    REQUEST_STEPS,
    Moderators,
    hromada_invites,
    request_resident,
)
from bot.botapi.people import FakeUser
from bot.botapi.server import TEST_TOKEN

__all__ = ["DEFAULT_SCENARIOS", "SCENARIOS", "run_scenario", "scenario_people"]


def scenario_people(name: str, users: int, memory_people: int, request_people: int) -> int:
    """How many people a scenario has: ``--users`` for the throughput ones, fixed sizes for
    the others (the issue's figures)."""
    if name == "steady":
        return round(STEADY_RATE * STEADY_SECONDS / STEPS)
    if name == "flood":
        return 2 * FLOOD_PEOPLE  # 200 without the flood, then 200 beside it
    if name == "memory":
        return memory_people
    if name.startswith("request"):
        return request_people
    return users


# request_pg: the request scenario on PostgreSQL whatever --database says (the table's row).
SCENARIOS = (
    "hromada",
    "same_calls",
    "echo",
    "request",
    "request_pg",
    "request_calls",
    "steady",
    "flood",
    "memory",
)
# The memory rows come from the hromada scenario's RSS (half-way, end) unless memory is run.
DEFAULT_SCENARIOS = tuple(s for s in SCENARIOS if s != "memory")
READY_TIMEOUT = 60.0
ONBOARDING_STEPS = ("start", "language", "community")


async def run_scenario(
    name: str,
    users: int,
    database: str,
    deadline: float,
    profile: Path | None = None,
    http_client: str = "aiohttp",
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
            baselines = {
                "same_calls": (
                    "bench.same_calls_bot",
                    "bare PTB bot making exactly onboarding's Bot API calls (concurrent"
                    " updates 64, no database, FSM or catalogs)",
                ),
                "request_calls": (
                    "bench.request_calls_bot",
                    "bare PTB bot making exactly the request scenario's Bot API calls"
                    " (concurrent updates 64, no database, FSM or catalogs)",
                ),
                "echo": (
                    "bench.echo_bot",
                    "bare PTB echo bot, run_polling() defaults: one update at a time, no database",
                ),
            }
            if name in baselines:
                module, description = baselines[name]
                bot = BotProcess(
                    module.rpartition(".")[2], ["-m", module], child_env(base), workdir
                )
                script: Script = onboard_resident
                steps: Sequence[str] = ONBOARDING_STEPS
                drive: Drive | None = None
                if name == "echo":
                    script, steps = echo_chat, ("text 1", "text 2", "text 3")
                elif name == "request_calls":
                    codes = {slug: f"mod_{slug}" for slug, _ in COMMUNITIES}
                    drive, steps = _request_drive(codes), REQUEST_STEPS
                return await _measure(
                    name,
                    server,
                    bot,
                    users,
                    script,
                    drive=drive,
                    ready=lambda: bool(server.calls_of("getUpdates")),
                    description=description,
                    steps=steps,
                    deadline=deadline,
                )
            if name == "request_pg":
                database = "postgres"
            async with bench_database(database, workdir) as url:
                env = child_env(
                    {
                        **base,
                        "DATABASE_URL": url,
                        "HTTP_CLIENT": http_client,
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
                if name.startswith("request"):
                    drive = _request_drive(await hromada_invites(url))
                    what, steps = " and asking; six moderators answer", REQUEST_STEPS
                else:
                    drive, what = hromada_drive(name)
                    steps = ONBOARDING_STEPS
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
                    steps=steps,
                    deadline=deadline,
                    profile=profile,
                )


def _request_drive(codes: dict[str, str]) -> Drive:
    """The request scenario (:mod:`bench.request_scenario`): the moderators join first (not
    timed: their exchanges are not in the outcomes), then every resident at once."""

    async def drive(
        server: BenchServer, bot: BotProcess, people: list[FakeUser], deadline: float
    ) -> tuple[Outcomes, dict[str, float]]:
        moderators = Moderators(server, codes)
        await moderators.join()
        moderators.start()
        towns = [name for _, name in COMMUNITIES]

        def script_for(number: int) -> Script:
            town = towns[number % len(towns)]
            return lambda s, person: request_resident(s, moderators, person, town)

        scripts = [script_for(n) for n in range(len(people))]
        try:
            outcomes = await run_all(server, people, None, deadline, scripts=scripts)
        finally:
            await moderators.stop()
        return outcomes, {"moderators": float(len(codes))}

    return drive


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
            outcomes = await run_all(server, people, script, deadline)
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
    if len(exchanges) != users * len(steps):
        raise BenchError(f"expected {users * len(steps)} replies, got {len(exchanges)}")
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
