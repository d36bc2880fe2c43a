"""Two webhook worker processes on one PostgreSQL, behind one address.

The local Bot API server posts like Telegram (several connections at once, one person's
updates one after another) to the two workers in turn, as nginx would. Real processes
(`python -m bot run --webhook --port N`), a real database, real HTTP:

- 50 people each send 10 updates at once: every update is answered, each person's in the
  order sent, and both workers did part of the work;
- 2,000 notifications while the worker holding the dispatcher's advisory lock is
  SIGKILLed midway: the other takes over, every notification arrives, and none twice
  beyond the at-least-once window (the rows in hand at the kill: claimed, their outcome
  not yet written; at most OUTBOX_BATCH_SIZE of them, docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.botapi.server import TEST_TOKEN, BotApiServer
from bot.settings import Settings
from bot.webhook import commands
from storage.engine import create_engine, session_factory
from storage.models import OutboxMessage, ProcessedUpdate
from storage.repositories.users import touch_user
from tests.onboarding_steps import chat_log, onboard
from tests.running_bot import bot_settings

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SECRET = "two-workers-secret-0123456789"
PATH = "/telegram/hook"
HELP = "поєднує мешканців із робочою групою"
NOTHING_TO_CANCEL = "Немає чого скасовувати"
CONCURRENCY = 32
BATCH = 100  # OUTBOX_BATCH_SIZE: the at-least-once window (rows claimed, outcome unwritten)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_url(backend: str, database_url: str) -> str:
    if backend != "postgres":
        pytest.skip("several workers need PostgreSQL (SQLite: one process)")
    return database_url


class Workers:
    def __init__(self, botapi: BotApiServer, url: str, tmp: Path) -> None:
        self.botapi, self.url, self.tmp = botapi, url, tmp
        self.processes: dict[int, asyncio.subprocess.Process] = {}

    def settings(self) -> Settings:
        return bot_settings(
            self.botapi,
            self.url,
            webhook_url=f"http://127.0.0.1:1{PATH}",
            webhook_secret=SECRET,
            webhook_max_connections=8,
        )

    async def start(self, overrides: dict[str, str] | None = None) -> int:
        """A worker process; `overrides` are environment variables of its settings."""
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            "TELEGRAM_API_BASE_URL": self.botapi.base_url,
            "DATABASE_URL": self.url,
            "WEBHOOK_URL": f"http://127.0.0.1:1{PATH}",
            "WEBHOOK_SECRET": SECRET,
            "RATE_LIMIT_OVERALL_PER_SECOND": "0",
            "RATE_LIMIT_GROUP_PER_MINUTE": "0",
            "RATE_LIMIT_PRIVATE_PER_SECOND": "0",
            "FLOOD_UPDATES_PER_MINUTE": "0",
            "OUTBOX_POLL_INTERVAL_SECONDS": "0.2",
            "OUTBOX_CONCURRENCY": str(CONCURRENCY),
            "OUTBOX_BATCH_SIZE": str(BATCH),
            "LOG_LEVEL": "WARNING",
            **(overrides or {}),
        }
        started = len(self.botapi.calls_of("getWebhookInfo"))
        log = (self.tmp / f"worker-{port}.log").open("wb")
        self.processes[port] = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--webhook",
            "--port",
            str(port),
            cwd=self.tmp,
            env=env,
            stdout=log,
            stderr=log,
        )
        # A worker asks getWebhookInfo once its HTTP server listens.
        ready = await self.botapi.state.feed.wait_until(
            lambda: True if len(self.botapi.calls_of("getWebhookInfo")) > started else None, 60
        )
        assert ready, (self.tmp / f"worker-{port}.log").read_text()
        return port

    def kill(self, port: int) -> None:
        self.processes[port].send_signal(signal.SIGKILL)

    async def stop_all(self) -> None:
        for process in self.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


@asynccontextmanager
async def workers(botapi: BotApiServer, url: str, tmp: Path) -> AsyncIterator[Workers]:
    group = Workers(botapi, url, tmp)
    try:
        yield group
    finally:
        await group.stop_all()


async def deliver_to(botapi: BotApiServer, group: Workers, ports: list[int]) -> None:
    await commands.set_webhook(group.settings())
    botapi.webhook.targets = [f"http://127.0.0.1:{port}{PATH}" for port in ports]
    botapi.webhook.connections = 8


async def test_fifty_people_ten_updates_each_across_two_workers(
    botapi: BotApiServer, pg_url: str, tmp_path: Path
) -> None:
    async with workers(botapi, pg_url, tmp_path) as group:
        ports = [await group.start(), await group.start()]
        await deliver_to(botapi, group, ports)
        people = [botapi.user() for _ in range(50)]
        await asyncio.wait_for(asyncio.gather(*(onboard(p) for p in people)), 180)
        sent: dict[int, list[int]] = {}
        for person in people:
            sent[person.id] = [
                await person.send_command("/help" if i % 2 == 0 else "/cancel") for i in range(10)
            ]

        def replies(person_id: int) -> list[str]:
            return [
                "help" if HELP in text else "cancel"
                for _, text in chat_log(botapi, person_id)
                if HELP in text or text.startswith(NOTHING_TO_CANCEL)
            ]

        done = await botapi.state.feed.wait_until(
            lambda: True if all(len(replies(p.id)) == 10 for p in people) else None, 240
        )
        assert done, [len(replies(p.id)) for p in people]
        for person in people:
            assert replies(person.id) == ["help", "cancel"] * 5
        used = {post.url for post in botapi.webhook.posts if post.status == 200}
        assert used == set(botapi.webhook.targets)  # both workers took part

    engine = create_engine(pg_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(ProcessedUpdate.update_id, ProcessedUpdate.processed_at)
            )
            at = {update_id: when for update_id, when in rows}
    finally:
        await engine.dispose()
    for ids in sent.values():  # processed (the person's lock taken) in the order sent
        assert sorted(ids, key=lambda i: at[i]) == ids
    assert botapi.violations == []


async def test_two_thousand_notifications_survive_the_dispatcher_being_killed(
    botapi: BotApiServer, pg_url: str, tmp_path: Path
) -> None:
    people = [botapi.user() for _ in range(200)]
    engine = create_engine(pg_url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for person in people:
            await touch_user(session, person.id)

    def delivered() -> list[str]:
        return [m.text or "" for p in people for m in p.messages()]

    try:
        async with workers(botapi, pg_url, tmp_path) as group:
            first = await group.start()
            async with sessions() as session, session.begin():
                await session.execute(
                    insert(OutboxMessage),
                    [
                        {
                            "chat_id": people[0].id,
                            "dedup_key": "hello",
                            "payload": {"method": "sendMessage", "params": {"text": "hello"}},
                        }
                    ],
                )
            assert await botapi.state.feed.wait_until(lambda: "hello" in delivered() or None, 30)
            await group.start()  # the first leads (it sent); the second stands by
            rows = [
                {
                    "chat_id": p.id,
                    "dedup_key": f"n{i}-{p.id}",
                    "payload": {"method": "sendMessage", "params": {"text": f"n{i}-{p.id}"}},
                }
                for i in range(10)
                for p in people
            ]
            async with sessions() as session, session.begin():
                await session.execute(insert(OutboxMessage), rows)
            calls = len(botapi.calls)  # cheap to watch; the exact check runs only near the end
            midway = await botapi.state.feed.wait_until(
                lambda: True if len(botapi.calls) >= calls + 500 else None, 120
            )
            assert midway
            group.kill(first)
            texts = {row["dedup_key"] for row in rows}
            everything = await botapi.state.feed.wait_until(
                lambda: (
                    True
                    if len(botapi.calls) >= calls + len(texts) and texts <= set(delivered())
                    else None
                ),
                180,
            )
            assert everything, len(texts - set(delivered()))
        # the survivor stopped cleanly: every outcome is recorded
        async with sessions() as session:
            statuses = (await session.scalars(select(OutboxMessage.status))).all()
    finally:
        await engine.dispose()
    got = [t for t in delivered() if t != "hello"]
    twice = len(got) - len(set(got))
    assert set(got) == {row["dedup_key"] for row in rows}
    assert twice <= BATCH, twice  # only rows in hand (claimed, not yet written) at the kill
    assert set(statuses) == {"sent"}
    for person in people:  # and each chat's in order, duplicates aside
        mine = [m.text for m in person.messages()]
        firsts = list(dict.fromkeys(t for t in mine if t != "hello"))
        assert firsts == [f"n{i}-{person.id}" for i in range(10)]
