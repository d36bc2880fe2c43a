"""A webhook worker: the bot's Application fed by `WebhookServer` instead of getUpdates.

Several workers may run behind one address (nginx, see docs/DEPLOY.md). None of them calls
`setWebhook` (`python -m bot webhook set` does, once) and none migrates the schema (`python
-m bot migrate` does, once per upgrade); a worker refuses to start on an old schema.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from bot.app import HromadaApp, build_application
from bot.settings import Settings, require_webhook
from bot.webhook.server import WebhookServer

log = logging.getLogger(__name__)


@asynccontextmanager
async def webhook_worker(
    settings: Settings, *, port: int | None = None
) -> AsyncIterator[tuple[HromadaApp, WebhookServer]]:
    """The bot processing what its webhook server receives, for the `with` block. On the
    way out the server stops taking updates first, then PTB processes those it holds."""
    url, secret = require_webhook(settings)
    app = build_application(settings, migrate=False)
    await app.initialize()
    await app.lifecycle.post_init(app)
    await app.start()
    server = WebhookServer(
        app,
        secret=secret,
        path=urlsplit(url).path,
        host=settings.webhook_listen,
        port=settings.webhook_port if port is None else port,
    )
    try:
        await server.start()
        yield app, server
    finally:
        await server.stop()
        await app.stop()  # waits for the queued updates to be processed
        await app.shutdown()
        await app.lifecycle.post_shutdown(app)


async def serve(settings: Settings, *, port: int | None = None) -> None:
    """Run one worker until SIGTERM or SIGINT (systemd's stop, Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with webhook_worker(settings, port=port) as (app, _server):
        info = await app.bot.get_webhook_info()
        if info.url != settings.webhook_url:
            log.warning(
                "Telegram does not post to WEBHOOK_URL (%s); run `python -m bot webhook set`",
                "no webhook is set" if not info.url else "another address is set",
            )
        await stop.wait()
    log.info("webhook worker stopped")
