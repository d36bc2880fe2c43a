"""The webhook worker's HTTP server: Telegram's updates in, `/healthz` for the balancer.

**Decision:** our own small aiohttp server rather than PTB's `Updater.start_webhook`:
PTB's handler compares the secret with `!=` and logs a wrong one at DEBUG, calls
`setWebhook` from every worker at start, and has no health endpoint. Ours checks the
secret in constant time before reading the body, puts the update on PTB's
`Application.update_queue` and answers 200 at once; `Application.start()`'s fetcher takes
it from there through our `PerUserUpdateProcessor`, exactly as with polling.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Final

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from bot.app import HromadaApp

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH: Final = "/healthz"
SHARE_PATH: Final = "/workers"  # this worker's share of the limits (bot/worker_share.py)
# Telegram's updates are small; a photo is a file id. Anything bigger is not from Telegram.
MAX_BODY: Final = 1024 * 1024
HEALTH_TIMEOUT: Final = 3.0
# The longest an answer waits for its update's turn; Telegram gives up after 60 s.
ADMIT_TIMEOUT: Final = 30.0


class WebhookServer:
    """POST `path`: one update (403 without the right secret, 400 if it is no update);
    GET /healthz: 200 when the database answers, else 503; GET /workers: the live workers
    this one counts and the limits it applies, as JSON (no database work)."""

    def __init__(self, app: HromadaApp, *, secret: str, path: str, host: str, port: int) -> None:
        self._app = app
        self._secret = secret.encode()
        self._path = path or "/"
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.accepted = 0
        self.refused = 0

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the webhook server is not started")
        return self._port

    async def start(self) -> None:
        web_app = web.Application(client_max_size=MAX_BODY)
        web_app.router.add_post(self._path, self._on_update)
        web_app.router.add_get(HEALTH_PATH, self._on_health)
        web_app.router.add_get(SHARE_PATH, self._on_share)
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._requested_port).start()
        self._port = int(self._runner.addresses[0][1])
        log.info("webhook worker listening on %s:%s", self._host, self._port)

    async def stop(self) -> None:
        """Stop taking updates; those already queued are processed by `Application.stop`."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def secret_matches(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self._secret)

    async def _on_update(self, request: web.Request) -> web.Response:
        if not self.secret_matches(request):
            self.refused += 1
            log.warning("webhook request without the right secret refused (403)")
            return web.Response(status=403, text="Forbidden")
        try:
            raw = await request.json(loads=json.loads)
            update = Update.de_json(raw, self._app.bot) if isinstance(raw, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError):  # not an Update
            update = None
        if update is None:
            log.warning("webhook request that is no update refused (400)")
            return web.Response(status=400, text="Bad Request")
        services = self._app.bot_data.services
        if services is None:  # not initialised yet: Telegram posts it again later
            return web.Response(status=503, text="starting")
        admissions = services.admissions
        turn = admissions.expect(update.update_id)
        await self._app.update_queue.put(update)  # processed after the 200 ...
        try:  # ... which waits until it holds its person's turn (handlers/core/admission.py)
            async with asyncio.timeout(ADMIT_TIMEOUT):
                await turn.wait()
        except TimeoutError:
            log.warning("update %s answered before its turn began", update.update_id)
        finally:
            admissions.forget(update.update_id)
        self.accepted += 1
        return web.Response(status=200, text="ok")

    async def _on_health(self, request: web.Request) -> web.Response:
        engine = self._app.lifecycle.engine
        if engine is None:
            return web.Response(status=503, text="starting")
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT), engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure of the database is "not healthy"
            log.warning("health check: database unavailable (%s)", type(exc).__name__)
            return web.Response(status=503, text="database unavailable")
        return web.Response(status=200, text="ok")

    async def _on_share(self, request: web.Request) -> web.Response:
        lifecycle = self._app.lifecycle
        slots = lifecycle.workers
        overall, group = lifecycle.limiter.overall, lifecycle.limiter.group
        return web.json_response(
            {
                "live_workers": 1 if slots is None else slots.live,
                "slot": None if slots is None else slots.slot,
                "refreshes": 0 if slots is None else slots.refreshes,
                "replies_per_second": overall[0] / overall[1] if overall[0] else 0,
                "group_replies_per_minute": 60 * group[0] / group[1] if group[0] else 0,
                "flood_updates_per_minute": lifecycle.flood.limit,
            }
        )
