"""Staff queries over a large community: /queue and /stats over 100,000 requests.

Run ``.venv/bin/python -m bench.queries`` (``--requests 20000`` for a quick run,
``--database postgres`` with HROMADA_BENCH_POSTGRES_URL set). Not part of the test suite.

A fresh database (migrated, communities seeded) gets N requests in one community (default
100,000, the worst case: every request in the community whose staff ask), created over the
last 180 days: 20 % open (new, in review, routed, waiting for the resident; 5 % urgent), the
rest answered, closed or rejected; answered ones have a first answer 1 minute to 3 days
after creation and half of them a rating. Then, each in a fresh session as an update would
run it, after two warm-up rounds, ``--rounds`` times (default 20):

- /queue: `requests.queue` for the first page and, separately, the last page (8 per page,
  urgent first, then the oldest; the count of open requests included), what
  `handlers/staff/commands.py` asks;
- /stats: `requests.stats_by_period` for 7, 30 and 90 days, the three periods /stats shows.

Printed: median and slowest round in milliseconds against the target (100 ms each); the exit
code is 1 when a median misses it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.databases import bench_database
from bench.processes import BenchError
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade_to_head
from storage.models import Community, ServiceRequest, User
from storage.repositories import requests
from storage.repositories.communities import read_seed, seed_communities
from storage.types import utcnow

TARGET_MS = 100.0
PER_PAGE = 8
BATCH = 5_000
CATEGORIES = ("police", "social", "legal", "health", "housing", "other")
OPEN = ("new", "in_review", "routed", "awaiting_resident")
FINISHED = ("answered", "closed", "rejected")
STATS_PERIODS = (7, 30, 90)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queries",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=100_000, help="requests (100000)")
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds (20)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1")
    return args


def request_rows(community_id: int, author_id: int, count: int, rng: random.Random) -> Any:
    """`count` request rows, oldest first, spread over the last 180 days."""
    now = utcnow()
    span = timedelta(days=180).total_seconds()
    for number in range(1, count + 1):
        created = now - timedelta(seconds=span * (1 - number / count))
        status = rng.choice(OPEN) if rng.random() < 0.2 else rng.choice(FINISHED)
        answered = status in ("answered", "closed") or (status != "new" and rng.random() < 0.1)
        first_answer = created + timedelta(seconds=rng.uniform(60, 3 * 86400)) if answered else None
        yield {
            "community_id": community_id,
            "number": number,
            "category": rng.choice(CATEGORIES),
            "status": status,
            "urgent": rng.random() < 0.05,
            "author_id": author_id,
            "created_at": created,
            "updated_at": first_answer or created,
            "first_answer_at": first_answer,
            "answered_at": first_answer,
            "helped": rng.choice((True, False)) if answered and rng.random() < 0.5 else None,
        }


async def fill(sessions: async_sessionmaker[AsyncSession], count: int, seed: int) -> int:
    """Seed communities and `count` requests in the first one; returns its id."""
    rng = random.Random(seed)
    async with sessions() as session, session.begin():
        await seed_communities(session, read_seed())
        community_id = (await session.execute(select(Community.id).limit(1))).scalar_one()
        session.add(User(telegram_id=1, language="uk", community_id=community_id))
        await session.flush()
        author_id = (await session.execute(select(User.id))).scalar_one()
    rows = request_rows(community_id, author_id, count, rng)
    while True:
        batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
        if not batch:
            break
        async with sessions() as session, session.begin():
            await session.execute(insert(ServiceRequest), batch)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Community).where(Community.id == community_id).values(request_seq=count)
        )
        if session.get_bind().dialect.name == "postgresql":
            # What autovacuum would have done by the time a table holds 100,000 requests.
            await session.execute(text("ANALYZE service_requests"))
    return community_id


async def measure(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[object]],
    rounds: int,
) -> list[float]:
    """Milliseconds per round, each round in a fresh session and transaction."""
    times: list[float] = []
    for n in range(rounds + 2):
        async with sessions() as session, session.begin():
            started = time.perf_counter()
            await work(session)
            elapsed = (time.perf_counter() - started) * 1000
        if n >= 2:  # two warm-up rounds (connection, caches)
            times.append(elapsed)
    return times


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, list[float]]:
    async with bench_database(args.database, workdir) as url:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
            sessions = session_factory(engine)
            print(f"filling {args.requests} requests ({args.database}) ...", flush=True)
            started = time.perf_counter()
            community_id = await fill(sessions, args.requests, args.seed)
            print(f"filled in {time.perf_counter() - started:.1f}s", flush=True)

            async with sessions() as session:
                _, total = await requests.queue(session, community_id, page=0, per_page=PER_PAGE)
            last = max((total - 1) // PER_PAGE, 0)

            async def first_page(session: AsyncSession) -> None:
                await requests.queue(session, community_id, page=0, per_page=PER_PAGE)

            async def last_page(session: AsyncSession) -> None:
                await requests.queue(session, community_id, page=last, per_page=PER_PAGE)

            async def stats(session: AsyncSession) -> None:
                await requests.stats_by_period(session, community_id, STATS_PERIODS)

            return {
                "/queue, first page": await measure(sessions, first_page, args.rounds),
                f"/queue, last page ({last + 1})": await measure(sessions, last_page, args.rounds),
                "/stats (7, 30, 90 days)": await measure(sessions, stats, args.rounds),
            }
        finally:
            await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-bench-queries-") as workdir:
            results = asyncio.run(run(args, Path(workdir)))
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(f"\n{args.requests} requests, {args.database}, {args.rounds} rounds")
    print(f"{'query':32} {'median ms':>10} {'slowest ms':>11}  target {TARGET_MS:.0f} ms")
    missed = False
    for name, times in results.items():
        median = statistics.median(times)
        missed |= median >= TARGET_MS
        verdict = "ok" if median < TARGET_MS else "MISSED"
        print(f"{name:32} {median:10.1f} {max(times):11.1f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
