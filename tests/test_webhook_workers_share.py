"""The limits hold across webhook workers (bot/worker_share.py): real worker processes on
one PostgreSQL, updates posted to them in turn by the local Bot API server (nginx's round
robin, see tests/test_webhook_workers.py).

Two workers see each other and each applies half of the deployment-wide figures; a person
flooding across both is read at the deployment-wide threshold, not twice it; when one
worker is SIGKILLed the survivor takes the whole share.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.botapi.server import BotApiServer
from storage.engine import create_engine
from storage.models import ProcessedUpdate
from tests.onboarding_steps import chat_log
from tests.test_webhook_workers import deliver_to, pg_url, workers

__all__ = ["pg_url"]  # the fixture

pytestmark = pytest.mark.e2e

FLOOD = 6  # updates a minute a person, for the whole deployment
LIMITS = {
    "RATE_LIMIT_OVERALL_PER_SECOND": "30",
    "RATE_LIMIT_GROUP_PER_MINUTE": "20",
    "FLOOD_UPDATES_PER_MINUTE": str(FLOOD),
}
HELP = "поєднує мешканців із робочою групою"
SLOW_DOWN = "надсилаєте повідомлення надто швидко"
# A worker counts the others every 5 s (REFRESH_SECONDS): a change is seen well within this.
SEEN_WITHIN = 30.0


async def share(port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/workers"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


async def shares_once(ports: list[int], live: int) -> list[dict[str, Any]]:
    """Each worker's share, once every one of them counts `live` workers (polled)."""
    async with asyncio.timeout(SEEN_WITHIN):
        while True:
            got = [await share(port) for port in ports]
            if all(s["live_workers"] == live for s in got):
                return got
            await asyncio.sleep(0.1)


def counts(botapi: BotApiServer, person_id: int) -> tuple[int, int]:
    texts = [text for _, text in chat_log(botapi, person_id)]
    return sum(HELP in t for t in texts), sum(SLOW_DOWN in t for t in texts)


def answered(botapi: BotApiServer, update_ids: list[int]) -> bool:
    done = {post.update_id for post in botapi.webhook.posts if post.status == 200}
    return set(update_ids) <= done


async def test_workers_share_the_limits_and_a_survivor_takes_the_whole(
    botapi: BotApiServer, pg_url: str, tmp_path: Path
) -> None:
    first_flooder, second_flooder = botapi.user(), botapi.user()
    async with workers(botapi, pg_url, tmp_path) as group:
        ports = [await group.start(LIMITS), await group.start(LIMITS)]
        await deliver_to(botapi, group, ports)
        for worker in await shares_once(ports, 2):
            assert worker["replies_per_second"] == 15
            assert worker["group_replies_per_minute"] == pytest.approx(10)
            assert worker["flood_updates_per_minute"] == FLOOD // 2
        assert {s["slot"] for s in [await share(p) for p in ports]} == {0, 1}

        # 12 updates in a row, alternately to each worker: 3 read by each (6 in all), and
        # one notice from each worker as its share runs out.
        sent = [await first_flooder.send_command("/help") for _ in range(2 * FLOOD)]
        assert await botapi.state.feed.wait_until(
            lambda: (
                (answered(botapi, sent) and counts(botapi, first_flooder.id) == (FLOOD, 2)) or None
            ),
            120,
        ), counts(botapi, first_flooder.id)

        # The first worker is killed; the survivor takes the whole share.
        botapi.webhook.targets = botapi.webhook.targets[1:]
        group.kill(ports[0])
        [survivor] = await shares_once(ports[1:], 1)
        assert survivor["replies_per_second"] == 30
        assert survivor["group_replies_per_minute"] == pytest.approx(20)
        assert survivor["flood_updates_per_minute"] == FLOOD

        sent = [await second_flooder.send_command("/help") for _ in range(FLOOD + 3)]
        assert await botapi.state.feed.wait_until(
            lambda: (answered(botapi, sent) and counts(botapi, second_flooder.id)[1] == 1) or None,
            120,
        ), counts(botapi, second_flooder.id)
    # the survivor stopped cleanly (SIGTERM): everything it took is processed
    assert counts(botapi, first_flooder.id) == (FLOOD, 2)
    assert counts(botapi, second_flooder.id) == (FLOOD, 1)
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            read = (
                await conn.execute(select(func.count()).select_from(ProcessedUpdate))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert read == 2 * FLOOD  # what was dropped was never read
    assert botapi.violations == []
