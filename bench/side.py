"""The table's rows measured by the other benchmark modules, each only if it exists.

``bench.outbox`` (broadcasts through the real dispatcher), ``bench.reminders`` (meeting
reminders for 5,000 recipients) and ``bench.queries`` (/queue
and /stats over 100,000 requests) are called in this process with their own defaults;
``bench.polls`` (poll publish, the polls engineer's) is run as ``python -m bench.polls``
and its exit code is its verdict (0: met), its last output line the figure.  A module that
is missing, or fails, gives a row that says "not measured" and why.
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
import tempfile
from pathlib import Path

from bench.processes import BenchError, child_env, run_once
from bench.targets import Figure, not_measured

__all__ = ["side_figures"]


def _exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


async def reminders_figure(database: str) -> Figure:
    name, target = "meeting reminders for 5,000 recipients due at once: enqueue", "<= 5 s"
    if not _exists("bench.reminders"):
        return not_measured(name, target, "bench/reminders.py is not in this tree")
    module = importlib.import_module("bench.reminders")
    # Its own parser, so options it adds later keep their defaults.
    args = module.parse_args(["--recipients", "5000", "--rounds", "1", "--database", database])
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-bench-reminders-") as workdir:
            rounds = await module.run(args, Path(workdir))
        seconds, rows, _, extra = rounds[0][:4]
    except (BenchError, TypeError, ValueError, IndexError) as exc:
        return not_measured(name, target, f"bench.reminders failed: {exc!r}")
    right = rows == 5_000 and extra == 0
    return Figure(
        name,
        target,
        round(seconds, 2),
        "s",
        seconds <= module.TARGET_S and right,
        f"{rows} outbox rows, {extra} on a second scan (bench.reminders, {database})",
    )


async def query_figures(database: str, requests: int = 100_000) -> list[Figure]:
    target = "< 100 ms"
    if not _exists("bench.queries"):
        return [not_measured("/queue and /stats", target, "bench/queries.py is not here")]
    module = importlib.import_module("bench.queries")
    args = module.parse_args(["--requests", str(requests), "--rounds", "5", "--database", database])
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-bench-queries-") as workdir:
            results = await module.run(args, Path(workdir))
    except BenchError as exc:
        return [not_measured("/queue and /stats", target, f"bench.queries failed: {exc}")]
    figures = []
    for query, times in results.items():
        median = statistics.median(times)
        figures.append(
            Figure(
                f"{query} over {requests:,} requests",
                target,
                round(median, 1),
                "ms",
                median < module.TARGET_MS,
                f"median of 5 rounds, slowest {max(times):.0f} ms ({database})",
            )
        )
    return figures


async def polls_figure(database: str) -> Figure:
    name, target = "poll publish (bench.polls)", "bench.polls's own target"
    if not _exists("bench.polls"):
        return not_measured(name, target, "bench/polls.py is not in this tree")
    with tempfile.TemporaryDirectory(prefix="hromada-bench-polls-") as workdir:
        argv = ["-m", "bench.polls", *(["--database", database] if database != "sqlite" else [])]
        try:
            output = await run_once(argv, child_env({}), Path(workdir), within=300)
        except BenchError as exc:  # exit code 1 is a missed target there
            text = str(exc).strip().splitlines()
            return Figure(name, target, None, "", False, text[-1] if text else "failed")
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return Figure(name, target, None, "", True, lines[-1] if lines else "exit code 0")


async def outbox_figures(database: str, lifted: int, limited: int) -> list[Figure]:
    names = (
        f"outbox broadcast, rate limits lifted ({lifted:,} messages; issue: 10,000)",
        f"outbox broadcast to {limited} people at the default limits: share of 30 msg/s",
        "the same: violations counted at the server",
    )
    targets = (">= 500 msg/s", "97-100 %", "0")
    if not _exists("bench.outbox"):
        why = "bench/outbox.py is not here"
        return [not_measured(n, t, why) for n, t in zip(names, targets, strict=True)]
    module = importlib.import_module("bench.outbox")
    args = module.parse_args(
        ["--messages", str(lifted), "--limited", str(limited), "--database", database]
    )
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-bench-outbox-") as workdir:
            free, capped = await module.run(args, Path(workdir))
    except (BenchError, TimeoutError) as exc:
        why = f"bench.outbox failed: {exc!r}"
        return [not_measured(n, t, why) for n, t in zip(names, targets, strict=True)]
    share = capped.per_second / module.OVERALL * 100
    violations = capped.windows_over + capped.chats_too_fast
    return [
        Figure(
            names[0],
            targets[0],
            round(free.per_second),
            "msg/s",
            free.per_second >= 500,
            f"{free.messages} in {free.seconds:.1f} s, dispatcher + TelegramSender in the"
            " harness process beside the server",
        ),
        Figure(
            names[1],
            targets[1],
            round(share, 1),
            "%",
            97 <= share <= 100.5,
            f"sustained {capped.per_second:.1f} msg/s after the first second",
        ),
        Figure(
            names[2],
            targets[2],
            violations,
            "",
            violations == 0,
            f"{capped.windows_over} one-second windows over 30 messages (the bucket starts"
            f" full: a burst of 30, then 30/s), {capped.chats_too_fast} chats twice in a second",
        ),
    ]


async def side_figures(database: str, outbox_messages: int = 2_000) -> list[Figure]:
    return [
        *await outbox_figures(database, outbox_messages, 600),
        await reminders_figure(database),
        await polls_figure(database),
        *await query_figures(database),
    ]
