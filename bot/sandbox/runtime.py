"""The sandbox's world: the local Bot API server, the real bot polling it, the people.

:class:`Sandbox` starts them in this order: the server on a free port of 127.0.0.1, the
clock installed (the bot's and the server's), the people cast, the database migrated and
seeded (the demo communities, a self-help group linked to the group pane, the working
group's weekly meeting), then the bot
exactly as ``python -m bot run`` builds it (:func:`bot.app.build_application`: the same
Application, update processor, storage, scheduler and outbox) polling the server, and last
the staff roles handed out through invites.  :meth:`Sandbox.reset` stops everything,
deletes the SQLite file and starts again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import ALLOWED_UPDATES, HromadaApp, build_application
from bot.botapi.server import BotApiServer
from bot.sandbox.cast import COMMUNITY, Pane, cast, give_roles
from bot.sandbox.clock import SandboxClock, run_jobs_now
from bot.sandbox.seed import seed_group, seed_meeting
from bot.settings import Settings
from bot.startup import open_database
from storage.engine import session_factory
from storage.repositories.communities import read_seed, seed_communities

__all__ = ["SANDBOX_TOKEN", "Sandbox", "Toast", "sandbox_settings"]

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "424242:SANDBOX-offline-not-a-real-token"
DATABASE_FILE = "hromada.sqlite3"
ERASURE_LEDGER = "erasures.log"
ERASURE_KEY = "sandbox-only-erasure-key-not-for-real-data"


@dataclass(frozen=True)
class Toast:
    """A button press made from the page, to show its answerCallbackQuery text."""

    query_id: str
    pane: str


def sandbox_settings(base: Settings, server: BotApiServer, data_dir: Path) -> Settings:
    """``base`` (the environment and .env) with the sandbox's token, server, database and
    erasure ledger (under ``data_dir``, never the real bot's); never a real token, so the
    sandbox cannot reach Telegram."""
    values = base.model_dump()
    values.update(
        telegram_bot_token=SANDBOX_TOKEN,
        telegram_api_base_url=server.base_url,
        database_url=f"sqlite+aiosqlite:///{(data_dir / DATABASE_FILE).resolve()}",
        webhook_url=None,
        webhook_secret=None,
        erasure_ledger_file=str((data_dir / ERASURE_LEDGER).resolve()),
        erasure_hmac_key=ERASURE_KEY,
    )
    return Settings.model_validate(values)


class Sandbox:
    """One running world; :attr:`generation` grows on every reset."""

    def __init__(
        self, base: Settings, data_dir: Path, *, machine: Callable[[], datetime] | None = None
    ) -> None:
        """``machine``: the time the clock starts from and runs on (default: the machine's;
        tests give a fixed start, so that what is due when does not depend on the hour the
        suite runs at)."""
        self.base = base
        self.data_dir = data_dir
        self.machine = machine
        self.generation = 0
        self.status = "starting"
        self.clock = SandboxClock(machine)
        self.server = BotApiServer(SANDBOX_TOKEN, bot_username="hromada_sandbox_bot")
        self.app: HromadaApp | None = None
        self.panes: dict[str, Pane] = {}
        self.toasts: list[Toast] = []
        self.lock = asyncio.Lock()
        self.ready = asyncio.Event()  # set once a start has finished (or failed)

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_FILE

    async def start(self) -> None:
        """Start the world; :attr:`status` says ``ready`` or what went wrong."""
        self.generation += 1
        self.status = "starting"
        self.ready.clear()
        self.panes = {}
        self.toasts = []
        self.clock = SandboxClock(self.machine)
        self.server = BotApiServer(SANDBOX_TOKEN, bot_username="hromada_sandbox_bot")
        self.clock.install(self.server.clock)
        await self.server.start()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        settings = sandbox_settings(self.base, self.server, self.data_dir)
        self.panes = cast(self.server)
        async with open_database(settings) as engine:
            async with session_factory(engine)() as session, session.begin():
                await seed_communities(session, read_seed())
            group_id = await seed_group(engine, COMMUNITY, self.panes["group"].view.chat_id)
            await seed_meeting(engine, COMMUNITY)
        app = build_application(settings)
        await app.initialize()
        await app.lifecycle.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, poll_interval=0)
        await app.start()
        self.app = app
        assert app.lifecycle.engine is not None
        given = await give_roles(app.lifecycle.engine, self.panes, group_id)
        log.info("sandbox ready (roles given: %s)", ", ".join(given) or "none needed")
        self.status = "ready"
        self.ready.set()

    async def stop(self) -> None:
        """Stop the bot, then the server; the clock goes back to the machine's."""
        self.status = "stopped"
        app, self.app = self.app, None
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
            await app.lifecycle.post_shutdown(app)
        self.server.state.feed.bump()  # the page's waiting requests return
        await self.server.stop()
        self.clock.uninstall()

    async def reset(self) -> None:
        """Wipe the sandbox: a fresh database, server and clock, the roles given again."""
        async with self.lock:
            await self.stop()
            await asyncio.to_thread(self._wipe_database)
            await self.start()

    def _wipe_database(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database_path}{suffix}").unlink(missing_ok=True)
        (self.data_dir / ERASURE_LEDGER).unlink(missing_ok=True)

    def move_clock(self, by: timedelta) -> None:
        """Move the bot's and the server's clock forward and run the scheduler's jobs."""
        self.clock.advance(by)
        self.wake()

    def wake(self) -> None:
        """Run every scheduled job now and let the outbox send what became due."""
        if self.app is not None:
            run_jobs_now(self.app.lifecycle.scheduler)
            self.app.lifecycle.wake_outbox()
        self.server.state.feed.bump()
