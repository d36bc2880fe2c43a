"""Meeting reminders at scale: 5,000 recipients due in the same minute, enqueued.

Run ``.venv/bin/python -m bench.reminders`` (``--recipients 20000``, ``--database postgres``
with HROMADA_BENCH_POSTGRES_URL set, ``--rounds 5``). Not part of the test suite.

A fresh database (migrated, communities seeded) gets N residents of one community who
opted in to its working-group meetings (half reading Ukrainian, half Russian) and one
meeting with reminders 24 h and 2 h before; the clock is put at the 24 h reminder's due
time and the scan (`scheduler.reminders.send_due_reminders`, exactly what the bot's job
runs) is timed from its first query to its last commit: arming, selecting the due
reminder, reading the recipients, rendering in both languages and writing N outbox rows.
Each round uses a fresh meeting, so nothing is skipped as already enqueued; a second scan
of the same minute is timed too (it must write nothing). Printed: the seconds per round
against the target (5 s) and the rows written; exit code 1 when a round misses it or a
row count is wrong.

Then, with ``--deliver N`` (default 300; ``--deliver 5000`` takes about three minutes),
the first N of those rows are delivered by the real outbox dispatcher
(`scheduler/dispatcher.py`, default limits) to a sender that records when each chat got
what: printed are the rate after the overall bucket's initial burst (must stay at 30/s),
the most sent in any one-second window (the burst of 30 included, so up to 60) and how
many chats got a reminder twice (must be 0). The per-group-chat
limit (20 a minute) is the dispatcher's own tests' (`tests/test_dispatcher.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.databases import bench_database
from bench.processes import BenchError
from flows.recurrence import instant
from locales import load_translators
from scheduler.buckets import RateLimits
from scheduler.dispatcher import OutboxDispatcher
from scheduler.reminders import send_due_reminders
from scheduler.sending import SendResult, Sent
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade_to_head
from storage.models import Community, Meeting, MeetingOptIn, OutboxMessage, User
from storage.repositories import meetings
from storage.repositories.communities import read_seed, seed_communities
from storage.types import set_clock, utcnow

TARGET_S = 5.0
KYIV = "Europe/Kyiv"
BATCH = 5_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reminders",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--recipients", type=int, default=5_000, help="recipients (5000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (3)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--deliver", type=int, default=300, help="rows delivered (300; 0: none)")
    args = parser.parse_args(argv)
    if args.recipients < 1 or args.rounds < 1:
        parser.error("--recipients and --rounds must be at least 1")
    return args


async def fill(sessions: async_sessionmaker[AsyncSession], count: int) -> int:
    """Seed communities and `count` opted-in residents of the first one; its id."""
    async with sessions() as session, session.begin():
        await seed_communities(session, read_seed())
        community_id = (await session.execute(select(Community.id).limit(1))).scalar_one()
    for start in range(0, count, BATCH):
        people = [
            {
                "telegram_id": 10_000_000 + n,
                "language": "uk" if n % 2 else "ru",
                "community_id": community_id,
            }
            for n in range(start, min(start + BATCH, count))
        ]
        async with sessions() as session, session.begin():
            await session.execute(insert(User), people)
            ids = (
                await session.scalars(select(User.id).where(User.telegram_id >= 10_000_000 + start))
            ).all()
            await session.execute(insert(MeetingOptIn), [{"user_id": i} for i in ids])
    return community_id


async def one_round(
    sessions: async_sessionmaker[AsyncSession], community_id: int, day: int
) -> tuple[float, int, float, int]:
    """A new meeting `day` days from the base; (seconds, rows) of the due scan and of a
    second scan of the same minute."""
    local = datetime(2027, 3, 1, 18) + timedelta(days=day)
    start = instant(local, KYIV)
    set_clock(lambda: start - timedelta(days=3))
    async with sessions() as session, session.begin():
        await meetings.create_meeting(
            session,
            Meeting(
                community_id=community_id,
                title_uk="Звіт поліції громаді",
                title_ru="Отчёт полиции громаде",
                place="Будинок культури",
                first_local=local,
                zone=KYIV,
                duration_minutes=90,
                repeat="none",
                offsets=[24 * 60, 120],
            ),
        )
    due = start - timedelta(hours=24)
    set_clock(lambda: due)
    translators = load_translators()
    before = await _rows(sessions)
    started = time.perf_counter()
    await send_due_reminders(sessions, translators, "uk")
    first = time.perf_counter() - started
    middle = await _rows(sessions)
    started = time.perf_counter()
    await send_due_reminders(sessions, translators, "uk")
    again = time.perf_counter() - started
    return first, middle - before, again, await _rows(sessions) - middle


class Recorder:
    """A sender that records (monotonic time, chat) of every call and always succeeds."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int]] = []

    async def __call__(self, chat_id: int, payload: dict[str, Any]) -> SendResult:
        self.calls.append((time.monotonic(), chat_id))
        return Sent()


async def deliver(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """The first `count` pending rows through the real dispatcher at Telegram's limits."""
    async with sessions() as session, session.begin():
        keep = (
            await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id).limit(count))
        ).all()
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.not_in(keep))
            .values(status="sent", sent_at=utcnow())
        )
    recorder = Recorder()
    dispatcher = OutboxDispatcher(sessions, recorder, limits=RateLimits())
    started = time.monotonic()
    await dispatcher.start()
    try:
        await dispatcher.drain()
    finally:
        await dispatcher.stop()
    elapsed = time.monotonic() - started
    times = sorted(at for at, _chat in recorder.calls)
    window = max((bisect.bisect_left(times, at + 1.0) - i for i, at in enumerate(times)), default=0)
    # the overall bucket starts full (a burst of `overall_per_second`); after it the rate
    burst = int(RateLimits().overall_per_second)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    sustained = (len(times) - burst) / span if span else 0.0
    chats = [chat for _at, chat in recorder.calls]
    twice = len(chats) - len(set(chats))
    print(
        f"delivered {len(chats)} of {count} in {elapsed:.1f} s: {sustained:.1f} msg/s after the"
        f" first {burst} (limit 30); at most {window} in one second, the first burst included;"
        f" {twice} chats twice"
    )
    if len(chats) != count or sustained > 30 * 1.01 or twice:
        raise BenchError("delivery broke the overall limit or sent someone a reminder twice")


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int((await session.scalar(select(func.count()).select_from(OutboxMessage))) or 0)


async def run(args: argparse.Namespace, workdir: Path) -> list[tuple[float, int, float, int]]:
    async with bench_database(args.database, workdir) as url:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
            sessions = session_factory(engine)
            print(f"filling {args.recipients} recipients ({args.database}) ...", flush=True)
            community_id = await fill(sessions, args.recipients)
            rounds = [await one_round(sessions, community_id, n) for n in range(args.rounds)]
            if args.deliver:
                await deliver(sessions, args.deliver)
            return rounds
        finally:
            set_clock(None)
            await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="hromada-bench-reminders-") as workdir:
            results = asyncio.run(run(args, Path(workdir)))
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(f"\n{args.recipients} recipients due in one minute, {args.database}")
    header = f"{'round':>5} {'enqueue s':>10} {'rows':>7} {'again s':>8} {'rows':>5}"
    print(f"{header}  target {TARGET_S:.0f} s")
    failed = False
    for n, (seconds, rows, again, extra) in enumerate(results, 1):
        bad = seconds >= TARGET_S or rows != args.recipients or extra != 0
        failed |= bad
        verdict = "MISSED" if bad else "ok"
        print(f"{n:5} {seconds:10.2f} {rows:7} {again:8.2f} {extra:5}  {verdict}")
    median = statistics.median(r[0] for r in results)
    print(f"median {median:.2f} s for {args.recipients} rows ({datetime.now(UTC):%Y-%m-%d})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
