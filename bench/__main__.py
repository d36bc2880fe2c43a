"""Issue 11's benchmark: the Hromada bot against bare python-telegram-bot baselines, one table.

Run ``make bench`` or ``.venv/bin/python -m bench`` (``--users 200`` for a quick run,
``--only hromada|echo``, ``--database postgres`` with HROMADA_BENCH_POSTGRES_URL set).

Layout: this process is the harness.  It hosts the local Bot API server
(:mod:`bot.botapi`) and the simulated people (asyncio) on 127.0.0.1; the bot under test
runs as a separate child process that long-polls the server with ``getUpdates``.

* ``hromada``: N residents (default 1,000) onboard at once, each in order: ``/start``, press
  "Українська", press "Дружківка"; each step waits for the bot's reply (the language
  question, the community list, the main menu), so 3·N updates.  The bot runs as
  ``python -m bot run`` on a fresh, seeded SQLite file in a temp dir (or a scratch
  PostgreSQL database), with the outgoing rate limits off.
* ``same_calls``: the same onboarding against :mod:`bench.same_calls_bot`, a bare PTB bot
  making exactly onboarding's Bot API calls (no database, FSM or catalogs): the fair
  baseline, whose ratio measures our own pipeline.
* ``echo``: N people send 3 texts each, each after the previous echo, to
  :mod:`bench.echo_bot` (``run_polling()`` defaults: one update at a time).
* ``steady``: the Hromada bot offered a steady 100 updates/s, open loop: a new resident
  starts onboarding every 30 ms whatever the bot's speed (334 residents, 10 s); its p95 is
  the table's latency figure.
* ``flood``: 200 residents onboard alone, then 200 more beside one person sending 500
  texts in 10 s; the table compares the two throughputs.
* ``request`` (:mod:`bench.request_scenario`): ``--request-people`` residents (120) onboard,
  ask a police question (category, text, no photos, anonymous, preview, send), six
  moderators (one per community of the list's first page, invited before the bot starts)
  claim and answer each card, the resident rates: 15 updates a request.  ``request_pg``:
  the same on PostgreSQL (in the default run when HROMADA_BENCH_POSTGRES_URL is set and
  ``--database`` is sqlite).  ``request_calls``: the same people against
  :mod:`bench.request_calls_bot`, a bare PTB bot making exactly the calls our bot made in
  this scenario (recorded at the local Bot API server), the request rows' baseline.
* ``memory`` (only with ``--only memory``; the default run reads the bot's RSS half-way and
  at the end of ``hromada`` for the table's memory rows): ``--memory-people`` residents
  (1,000: 3,000 updates, one to two minutes; the issue's 10,000 with ``--memory-people
  10000``, 15 minutes or more) onboard in waves of 250; the bot's RSS after each wave.

Then the side benchmarks (``--no-side`` skips them): outbox broadcasts (:mod:`bench.outbox`,
``--outbox-messages`` with the limits lifted, 2,000 by default, and 600 at the default
limits), meeting reminders (:mod:`bench.reminders`), poll publishing (:mod:`bench.polls`),
/queue and /stats over 100,000 requests (:mod:`bench.queries`).  The whole default run
took 557 s and 696 s on the team's 2-core machine at load averages 5-14 with the larger
memory scenario of then (2,000 people, 110-200 s of it); with 1,000 people, on a quiet
machine, 280 s (5 min 9 s for ``make bench`` in a fresh clone, set-up included).

Measured per scenario: wall time from the first update queued to the last reply the server
received; updates/s = updates / that time; latency of each update = from queueing it to the
server applying the awaited reply (p50, p95); the bot process's peak RSS (``VmHWM``) and
final ``VmRSS`` read from ``/proc`` just before it is stopped; CPU time of the bot and of the
harness during the run; CPU per update (bot CPU / updates, the figure that survives a loaded
machine); the Bot API calls made.  Then the table of issue 11 (:mod:`bench.targets`): each
figure beside its target with met yes/no, throughputs as ratios to the baselines of the same
run, and the rows of the other benchmark modules (:mod:`bench.side`: reminders, polls,
/queue and /stats) unless ``--only`` or ``--no-side``.  The machine's load average before and
after is printed and stored.  Everything also goes to ``bench/results/latest.json``.

A run fails (exit code 1, no figures) unless every person got every awaited reply: it stops
at once when the bot answers with its "something went wrong" message, when no reply has come
for 60 s, or at the time limit; the bot's output is then kept in
``bench/results/<scenario>-failed.log``.  Every child process is stopped at the end, also on
errors and on SIGINT/SIGTERM; the whole run is bounded by ``--timeout`` (600 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time

from bench.databases import POSTGRES_ENV
from bench.processes import BenchError, kill_all
from bench.profile import summarize
from bench.report import RESULTS_DIR, ScenarioResult, render, write_json
from bench.scenarios import DEFAULT_SCENARIOS, SCENARIOS, run_scenario, scenario_people
from bench.side import side_figures
from bench.targets import Figure, render_figures, scenario_figures

PROFILE = RESULTS_DIR / "hromada.pyspy.txt"
REQUEST_PEOPLE = 120  # 20 a moderator; 1,800 updates


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000, help="people per scenario (1000)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario")
    parser.add_argument(
        "--http-client",
        choices=("httpx", "aiohttp"),
        default="aiohttp",
        help="the Hromada bot's HTTP_CLIENT (aiohttp, its default; baselines: httpx)",
    )
    parser.add_argument(
        "--outbox-messages",
        type=int,
        default=2000,
        help="broadcast with the limits lifted (2000; the issue's size is 10000)",
    )
    parser.add_argument(
        "--memory-people",
        type=int,
        default=1000,
        help="people in the memory scenario (1000: 3,000 updates; the issue's size is 10000)",
    )
    parser.add_argument(
        "--request-people",
        type=int,
        default=REQUEST_PEOPLE,
        help=f"residents asking in the request scenarios ({REQUEST_PEOPLE}; 15 updates each)",
    )
    parser.add_argument(
        "--no-side", action="store_true", help="skip reminders, polls, /queue and /stats rows"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy samples the Hromada bot: bench/results/hromada.pyspy.txt, top printed",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for everything")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users must be at least 1")
    return args


async def run(args: argparse.Namespace) -> tuple[list[ScenarioResult], list[Figure]]:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    deadline = time.monotonic() + args.timeout
    results: list[ScenarioResult] = []
    async with asyncio.timeout(args.timeout):
        for name in [args.only] if args.only else DEFAULT_SCENARIOS:
            skip_pg = args.database == "postgres" or not os.environ.get(POSTGRES_ENV)
            if name == "request_pg" and not args.only and skip_pg:
                continue  # the same as "request" then, or no PostgreSQL to run it on
            people = scenario_people(name, args.users, args.memory_people, args.request_people)
            print(f"running {name}: {people} people ...", flush=True)
            profile = PROFILE if args.profile and name == "hromada" else None
            results.append(
                await run_scenario(name, people, args.database, deadline, profile, args.http_client)
            )
        figures = scenario_figures(results, args.database)
        if not (args.only or args.no_side):
            print("running the side benchmarks (reminders, polls, /queue, /stats) ...", flush=True)
            figures += await side_figures(args.database, args.outbox_messages)
    return results, figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    load_before = os.getloadavg()
    try:
        results, figures = asyncio.run(run(args))
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    except TimeoutError:
        print(f"benchmark failed: not finished within {args.timeout:.0f}s", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("benchmark interrupted", file=sys.stderr)
        return 130
    finally:
        kill_all()
    load_after = os.getloadavg()
    load = {
        "cpus": os.cpu_count(),
        "load_average_1_5_15_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_after": [round(x, 2) for x in load_after],
    }
    print()
    print(render(results))
    print()
    print(render_figures(figures))
    if args.profile and PROFILE.exists():
        print(f"\nprofile of the Hromada bot ({PROFILE}):\n{summarize(PROFILE, 10)}")
    print(
        f"\nmachine: {load['cpus']} CPUs, load average (1/5/15 min) before"
        f" {load['load_average_1_5_15_before']}, after {load['load_average_1_5_15_after']}"
    )
    path = write_json(
        results,
        {
            "users": args.users,
            "request_people": args.request_people,
            "database": args.database,
            "only": args.only,
            "http_client": args.http_client,
        },
        [f.as_json() for f in figures],
        load,
    )
    print(f"\nwritten to {path}; the whole run took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
