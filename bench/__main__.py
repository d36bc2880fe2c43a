"""Throughput benchmark: the Hromada bot against a bare python-telegram-bot echo bot.

Run ``make bench`` or ``.venv/bin/python -m bench`` (``--users 200`` for a quick run,
``--only hromada|echo``, ``--database postgres`` with HROMADA_BENCH_POSTGRES_URL set).

Layout: this process is the harness.  It hosts the local Bot API server
(:mod:`tests.botapi`) and the simulated people (asyncio) on 127.0.0.1; the bot under test
runs as a separate child process that long-polls the server with ``getUpdates``.

* ``hromada``: N residents (default 1,000) onboard at once, each in order: ``/start``, press
  "Українська", press "Дружківка"; each step waits for the bot's reply (the language
  question, the community list, the main menu), so 3·N updates.  The bot runs as
  ``python -m bot run`` on a fresh, seeded SQLite file in a temp dir (or a scratch
  PostgreSQL database), with the outgoing rate limits off.
* ``echo``: N people send 3 texts each, each after the previous echo, to
  :mod:`bench.echo_bot` (``run_polling()`` defaults: one update at a time).

Measured per scenario: wall time from the first update queued to the last reply the server
received; updates/s = updates / that time; latency of each update = from queueing it to the
server applying the awaited reply (p50, p95); the bot process's peak RSS (``VmHWM``) and
final ``VmRSS`` read from ``/proc`` just before it is stopped; CPU time of the bot and of the
harness during the run.  Then the ratio hromada/echo of updates/s (target >= 0.5).  Results
also go to ``bench/results/latest.json``.

A run fails (exit code 1, no figures) unless every person got every awaited reply: it stops
at once when the bot answers with its "something went wrong" message, when no reply has come
for 60 s, or at the time limit; the bot's output is then kept in
``bench/results/<scenario>-failed.log``.  Every child process is stopped at the end, also on
errors and on SIGINT/SIGTERM; the whole run is bounded by ``--timeout`` (600 s).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time

from bench.processes import BenchError, kill_all
from bench.report import ScenarioResult, render, write_json
from bench.scenarios import SCENARIOS, run_scenario


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000, help="people per scenario (1000)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for everything")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users must be at least 1")
    return args


async def run(args: argparse.Namespace) -> list[ScenarioResult]:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    deadline = time.monotonic() + args.timeout
    results: list[ScenarioResult] = []
    async with asyncio.timeout(args.timeout):
        for name in [args.only] if args.only else SCENARIOS:
            print(f"running {name}: {args.users} people x 3 updates ...", flush=True)
            results.append(await run_scenario(name, args.users, args.database, deadline))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = asyncio.run(run(args))
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
    print()
    print(render(results))
    path = write_json(results, {"users": args.users, "database": args.database, "only": args.only})
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
