"""Webhook mode over real HTTP: the local Bot API server posts updates to a running worker
(as Telegram does, with the secret header), and tests post forged ones themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import ALLOWED_UPDATES, HromadaApp
from bot.botapi.server import BotApiServer
from bot.settings import Settings, SettingsError
from bot.startup import StartupError
from bot.webhook import commands
from bot.webhook.server import SECRET_HEADER, WebhookServer
from bot.webhook.worker import webhook_worker
from storage.engine import create_engine, session_factory
from storage.models import ProcessedUpdate
from tests.onboarding_steps import chat_log, has, onboard, start
from tests.running_bot import bot_settings

pytestmark = pytest.mark.e2e

SECRET = "s3cret-for-tests_0123456789"
PATH = "/telegram/hook"


def webhook_settings(botapi: BotApiServer, database_url: str, port: int = 1) -> Settings:
    return bot_settings(
        botapi,
        database_url,
        webhook_url=f"http://127.0.0.1:{port}{PATH}",
        webhook_secret=SECRET,
        webhook_port=0,
    )


@pytest.fixture
async def worker(
    botapi: BotApiServer, database_url: str
) -> AsyncIterator[tuple[HromadaApp, WebhookServer, Settings]]:
    """A running worker on a free port, and settings whose WEBHOOK_URL names that port."""
    settings = webhook_settings(botapi, database_url)
    async with webhook_worker(settings) as (app, server):
        yield app, server, webhook_settings(botapi, database_url, server.port)


async def processed_ids(database_url: str) -> set[int]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(select(ProcessedUpdate.update_id))
            return set(rows)
    finally:
        await engine.dispose()


async def post(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers=headers) as r:
        return r.status


async def test_telegram_posts_updates_and_the_bot_answers(
    botapi: BotApiServer, worker: tuple[HromadaApp, WebhookServer, Settings]
) -> None:
    _app, server, settings = worker
    assert await commands.set_webhook(settings) == [
        f"webhook set: Telegram posts {', '.join(ALLOWED_UPDATES)} to {settings.webhook_url}"
    ]
    assert botapi.state.webhook["secret_token"] == SECRET
    assert botapi.state.webhook["allowed_updates"] == ALLOWED_UPDATES

    resident = botapi.user()
    menu = await onboard(resident)  # every step posted by the server, with the secret
    assert "Головне меню" in (menu.text or "")
    assert server.accepted >= 3 and server.refused == 0
    assert all(p.status == 200 for p in botapi.webhook.posts)

    info = await commands.webhook_info(settings)
    assert f"url: {settings.webhook_url}" in info
    assert "matches WEBHOOK_URL: yes" in info
    assert "pending updates: 0" in info
    assert not [line for line in info if "differ" in line]

    assert (await commands.delete_webhook(settings))[0].startswith("webhook deleted")
    assert botapi.state.webhook == {}
    assert (await commands.webhook_info(settings))[0] == "url: (none: polling)"
    assert botapi.problems() == []


async def test_wrong_secret_is_refused_until_the_webhook_is_set_again(
    botapi: BotApiServer, worker: tuple[HromadaApp, WebhookServer, Settings]
) -> None:
    """A rotated WEBHOOK_SECRET the webhook was not set again with: every post is 403 and
    nothing is processed; `webhook set` with the new secret delivers what waited."""
    app, server, settings = worker
    await commands.set_webhook(settings)
    botapi.state.webhook["secret_token"] = "the-old-secret-000000"  # what Telegram still has
    resident = botapi.user()
    await resident.send_command("/start")
    refused = await botapi.state.feed.wait_until(
        lambda: True if any(p.status == 403 for p in botapi.webhook.posts) else None, 10
    )
    assert refused
    assert server.accepted == 0 and app.update_queue.qsize() == 0
    assert chat_log(botapi, resident.id) == []
    info = await commands.webhook_info(settings)
    assert any(line.startswith("last error:") and "403" in line for line in info), info
    assert "pending updates: 1" in info

    async with resident.expect_message(has("оберіть мову")):
        await commands.set_webhook(settings)
    assert server.refused >= 1


async def test_forged_update_gets_403_and_is_never_processed(
    botapi: BotApiServer,
    worker: tuple[HromadaApp, WebhookServer, Settings],
    database_url: str,
) -> None:
    app, server, settings = worker
    url = f"http://127.0.0.1:{server.port}{PATH}"
    resident = botapi.user()
    forged_id = await resident.send_command("/start")  # pending: no webhook is set
    forged = botapi.state.updates.pop()
    assert forged["update_id"] == forged_id
    assert await post(url, forged, None) == 403
    assert await post(url, forged, SECRET[:-1] + "X") == 403
    assert await post(url, forged, "") == 403
    assert server.refused == 3 and server.accepted == 0
    assert app.update_queue.qsize() == 0  # refused before anything was queued

    await commands.set_webhook(settings)
    await start(resident)  # the same person's next update: processed after the forged one
    assert forged_id not in await processed_ids(database_url)
    assert sum("оберіть мову" in text for _, text in chat_log(botapi, resident.id)) == 1

    assert await post(url, {"not": "an update"}, SECRET) == 400
    assert await post(url + "/other", forged, SECRET) in (404, 405)


async def test_healthz_checks_the_database(
    worker: tuple[HromadaApp, WebhookServer, Settings], tmp_path: Path
) -> None:
    app, server, _ = worker
    url = f"http://127.0.0.1:{server.port}/healthz"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as response:
            assert (response.status, await response.text()) == (200, "ok")
        working = app.lifecycle.engine
        # a folder that does not exist: every connection fails
        broken = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/db.sqlite3")
        app.lifecycle.engine = broken
        try:
            async with http.get(url) as response:
                assert (response.status, await response.text()) == (503, "database unavailable")
        finally:
            app.lifecycle.engine = working
            await broken.dispose()


async def test_a_worker_needs_the_secret_and_a_current_schema(
    botapi: BotApiServer, tmp_path: Path
) -> None:
    empty = f"sqlite+aiosqlite:///{tmp_path}/empty.sqlite3"
    without_secret = bot_settings(botapi, empty, webhook_url="https://example.org/hook")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        async with webhook_worker(without_secret):
            pass
    with pytest.raises(StartupError, match="python -m bot migrate"):
        async with webhook_worker(webhook_settings(botapi, empty)):
            pass


async def test_starting_a_worker_never_touches_the_webhook(
    botapi: BotApiServer, database_url: str
) -> None:
    """Only `python -m bot webhook set|delete` talk to setWebhook/deleteWebhook: a worker
    that starts (or restarts) leaves what Telegram has as it was, and reads updates from
    nothing but its HTTP server (no getUpdates)."""
    botapi.state.webhook = {"url": "https://bot.example.org/elsewhere", "secret_token": SECRET}
    async with webhook_worker(webhook_settings(botapi, database_url)) as (_app, server):
        assert server.port > 0
    methods = {call.method for call in botapi.calls}
    assert "getMe" in methods  # the worker did talk to the Bot API ...
    assert not methods & {"setWebhook", "deleteWebhook", "getUpdates"}, methods
    assert botapi.state.webhook["url"] == "https://bot.example.org/elsewhere"
