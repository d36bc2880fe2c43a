"""Run the real bot in the test's event loop, long-polling the local Bot API server.

The same steps as `Application.run_polling`, without its signal handling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import ALLOWED_UPDATES, HromadaApp, build_application
from bot.settings import Settings
from tests.botapi.fixtures import TEST_TOKEN
from tests.botapi.server import BotApiServer


def test_settings(server: BotApiServer, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TEST_TOKEN,
        "database_url": database_url,
        "telegram_api_base_url": server.base_url,
        "rate_limit_overall_per_second": 0,
        "rate_limit_group_per_minute": 0,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[HromadaApp]:
    app = build_application(settings)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1, poll_interval=0)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
