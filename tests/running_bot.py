"""Run the real bot in the test's event loop, long-polling the local Bot API server.

The same steps as `Application.run_polling`, without its signal handling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.app import ALLOWED_UPDATES, HromadaApp, build_application
from bot.botapi.server import TEST_TOKEN, BotApiServer
from bot.settings import Settings


def bot_settings(server: BotApiServer, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TEST_TOKEN,
        "database_url": database_url,
        "telegram_api_base_url": server.base_url,
        "rate_limit_overall_per_second": 0,
        "rate_limit_group_per_minute": 0,
        "flood_updates_per_minute": 0,  # tests about flood control switch it on
        **overrides,
    }
    return Settings.model_validate(values)  # validated, but no .env or environment read


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[HromadaApp]:
    app = build_application(settings)
    await app.initialize()
    await app.lifecycle.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1, poll_interval=0)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await app.lifecycle.post_shutdown(app)


@asynccontextmanager
async def quiet_bot(settings: Settings) -> AsyncIterator[HromadaApp]:
    """The bot, initialised but not polling: tests hand it updates with `feed` and know
    that each one is fully processed (replies sent) when `feed` returns."""
    app = build_application(settings)
    await app.initialize()
    await app.lifecycle.post_init(app)
    try:
        yield app
    finally:
        await app.shutdown()
        await app.lifecycle.post_shutdown(app)


async def feed(app: HromadaApp, server: BotApiServer) -> list[Update]:
    """Process every update the server holds, in order, one after another."""
    pending, server.state.updates = list(server.state.updates), []
    updates = [Update.de_json(raw, app.bot) for raw in pending]
    for update in updates:
        assert update is not None
        await app.process_update(update)
    return [u for u in updates if u is not None]
