"""Outbox broadcasts through the real dispatcher and sender to the local Bot API server.

``python -m bench.outbox`` (``--messages 10000``, ``--limited 600``, ``--database postgres``).
A fresh database (migrated) gets one pending ``sendMessage`` row per person, each person a
chat of the local Bot API server; then `scheduler.dispatcher.OutboxDispatcher` with
`bot.outbox_sender.TelegramSender` (a PTB Bot over HTTP_CLIENT's client, as the bot builds it, with
``OUTBOX_CONCURRENCY`` 8) sends them all, and the server records when each message arrived.

* lifted: N rows with every rate limit off: messages per second, first send to last.
* limited: M rows at the default limits (30 a second overall, 1 a second per chat):
  the sustained rate as a share of 30/s (after the first second), and the violations the
  server counted: one-second windows (sliding, at every message) holding more than 30
  messages, and chats that got two messages less than a second apart.

The server runs in this process, so its own work shares the CPU with the dispatcher: the
lifted rate is a lower bound of what a bot process alone would reach.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from telegram import Bot

from bench.databases import bench_database
from bench.processes import BenchError
from bot.botapi.server import TEST_TOKEN, BotApiServer
from bot.botapi.state import ApiState, StoredMessage
from bot.http_client import bot_request
from bot.outbox_sender import TelegramSender
from bot.settings import Settings
from scheduler.buckets import RateLimits
from scheduler.dispatcher import OutboxDispatcher
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade_to_head
from storage.models import OutboxMessage
from storage.types import utcnow

__all__ = ["Broadcast", "run"]

OVERALL = 30.0
CONCURRENCY = 8  # bot.settings.Settings.outbox_concurrency's default
CHUNK = 2_000


class RecordingState(ApiState):
    """Records (perf_counter, chat id) of every new message the bot sends."""

    def __init__(self, bot_id: int, bot_username: str) -> None:
        super().__init__(bot_id, bot_username)
        self.sent: list[tuple[float, int]] = []
        self._seen: set[tuple[int, int]] = set()

    def touch(self, stored: StoredMessage) -> None:
        super().touch(stored)
        if stored.from_bot and not stored.deleted:
            key = (int(stored.raw["chat"]["id"]), int(stored.raw["message_id"]))
            if key not in self._seen:
                self._seen.add(key)
                self.sent.append((time.perf_counter(), key[0]))


class RecordingServer(BotApiServer):
    def __init__(self) -> None:
        super().__init__(TEST_TOKEN)
        self.recorder = RecordingState(
            int(self.state.bot_user["id"]), str(self.state.bot_user["username"])
        )
        self.state = self.recorder


@dataclass
class Broadcast:
    messages: int
    seconds: float
    per_second: float  # lifted: all of them / time; limited: sustained after the first second
    windows_over: int  # one-second windows with more than 30 messages
    chats_too_fast: int  # chats that got two messages within a second
    delivered: int
    cpu_seconds: float = 0.0  # this process's CPU (dispatcher, sender and server together)
    load_before: float = 0.0  # the machine's 1-minute load average at the start
    load_after: float = 0.0

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds / self.messages * 1000 if self.messages else 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000, help="lifted limits (10000)")
    parser.add_argument("--limited", type=int, default=600, help="default limits (600)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, help="OUTBOX_CONCURRENCY (8)"
    )
    return parser.parse_args(argv)


async def _broadcast(
    database: str, workdir: Path, count: int, limits: RateLimits, concurrency: int = CONCURRENCY
) -> Broadcast:
    server = RecordingServer()
    async with bench_database(database, workdir) as url, server:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
            sessions = session_factory(engine)
            people = [server.user(language_code="uk") for _ in range(count)]
            now = utcnow()
            async with sessions() as session, session.begin():
                for start in range(0, count, CHUNK):
                    rows = [
                        {
                            "chat_id": person.id,
                            "payload": {
                                "method": "sendMessage",
                                "params": {"text": f"Новина громади #{n}"},
                            },
                            "dedup_key": f"bench:{n}",
                            "status": "pending",
                            "attempts": 0,
                            "not_before": now,
                            "created_at": now,
                        }
                        for n, person in enumerate(people[start : start + CHUNK], start)
                    ]
                    await session.execute(insert(OutboxMessage), rows)
            bot = Bot(
                TEST_TOKEN,
                base_url=server.base_url,
                base_file_url=server.base_file_url,
                request=bot_request(Settings(), concurrency + 2),
            )
            async with bot:
                dispatcher = OutboxDispatcher(
                    sessions, TelegramSender(bot), limits=limits, concurrency=concurrency
                )
                load_before = os.getloadavg()[0]
                cpu_started = time.process_time()
                started = time.perf_counter()
                await dispatcher.start()
                try:
                    await asyncio.wait_for(dispatcher.drain(), timeout=max(60.0, count / 5))
                finally:
                    await dispatcher.stop()
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                load_after = os.getloadavg()[0]
        finally:
            await engine.dispose()
        figures = _figures(
            server.recorder.sent, count, seconds, limited=limits.overall_per_second > 0
        )
        figures.cpu_seconds, figures.load_before, figures.load_after = cpu, load_before, load_after
        return figures


def _figures(sent: list[tuple[float, int]], count: int, seconds: float, limited: bool) -> Broadcast:
    if len(sent) != count:
        raise BenchError(f"{len(sent)} of {count} messages arrived")
    times = sorted(at for at, _chat in sent)
    over = sum(1 for i, at in enumerate(times) if bisect.bisect_left(times, at + 1.0) - i > OVERALL)
    last: dict[int, float] = {}
    too_fast = 0
    for at, chat in sorted(sent):
        if chat in last and at - last[chat] < 1.0:
            too_fast += 1
        last[chat] = at
    span = times[-1] - times[0]
    if limited:
        # after the first second (the bucket starts full), the rate it holds
        after = [at for at in times if at >= times[0] + 1.0]
        rate = (len(after) - 1) / (after[-1] - after[0]) if len(after) > 1 else 0.0
    else:
        rate = count / span if span else float("inf")
    return Broadcast(count, seconds, rate, over, too_fast, len(sent))


async def run(args: argparse.Namespace, workdir: Path) -> tuple[Broadcast | None, Broadcast | None]:
    lifted = limited = None
    if args.messages:
        lifted = await _broadcast(
            args.database,
            workdir / "lifted",
            args.messages,
            RateLimits.unlimited(),
            args.concurrency,
        )
    if args.limited:
        limited = await _broadcast(
            args.database, workdir / "limited", args.limited, RateLimits(), args.concurrency
        )
    return lifted, limited


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hromada-bench-outbox-") as workdir:
        try:
            lifted, limited = asyncio.run(run(args, Path(workdir)))
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    if lifted:
        print(
            f"lifted: {lifted.messages} messages in {lifted.seconds:.1f} s,"
            f" {lifted.per_second:.0f} msg/s, CPU {lifted.cpu_ms_per_message:.2f} ms/message,"
            f" load {lifted.load_before:.1f} -> {lifted.load_after:.1f}"
        )
    if limited:
        print(
            f"limited: {limited.messages} messages in {limited.seconds:.1f} s, sustained"
            f" {limited.per_second:.1f} msg/s ({limited.per_second / OVERALL:.0%} of 30/s),"
            f" {limited.windows_over} one-second windows over 30, {limited.chats_too_fast}"
            f" chats twice within a second, CPU {limited.cpu_ms_per_message:.2f} ms/message,"
            f" load {limited.load_before:.1f} -> {limited.load_after:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
