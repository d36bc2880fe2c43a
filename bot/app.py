"""The Application factory: everything is built in post_init and closed in post_shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

import handlers
from bot.http_client import bot_request
from bot.outbox_sender import Outbox
from bot.privacy_cli import NO_KEY, policy_from
from bot.settings import Settings, require_token
from bot.startup import connect_database
from bot.worker_share import SharedRateLimiter, WorkerSlots, share_of_threshold, slot_namespace
from handlers.core.context import BotData, HromadaContext, Services
from handlers.core.flood import (
    FloodGate,
    keep_dropped_every,
    load_staff,
    refresh_staff,
    tell_to_slow_down,
)
from handlers.core.processor import PerUserUpdateProcessor
from handlers.resident.navigation import COMMANDS
from handlers.staff.polls_publish import announce
from locales import load_translators
from scheduler.dispatcher import OutboxDispatcher
from scheduler.polls import add_poll_jobs
from scheduler.runner import SchedulerConfig, build_scheduler, stop_scheduler
from storage.engine import session_factory

log = logging.getLogger(__name__)

AnyApp = Application[Any, HromadaContext, Any, Any, BotData, Any]


class HromadaApp(AnyApp):
    """PTB's Application with its `Lifecycle` attached (the outbox dispatcher, the engine,
    the scheduler), so that tests and tools reach them through a typed attribute."""

    def __init__(self, *, lifecycle: Lifecycle, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lifecycle = lifecycle


# Connections for the bot's own calls (python-telegram-bot's default pool size).
CALL_CONNECTIONS = 256

# Updates the bot asks Telegram for; anything else is never fetched.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def build_application(settings: Settings, *, migrate: bool = True) -> HromadaApp:
    """The bot; with `migrate=False` (webhook workers) it only checks the schema is current."""
    token = require_token(settings)
    context_types = ContextTypes(context=HromadaContext, bot_data=BotData)
    lifecycle = Lifecycle(settings, migrate=migrate)
    processor = PerUserUpdateProcessor(settings.concurrent_updates, lifecycle.flood)
    lifecycle.processor = processor
    built = (
        ApplicationBuilder()
        .application_class(HromadaApp, {"lifecycle": lifecycle})
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .request(bot_request(settings, CALL_CONNECTIONS))
        .get_updates_request(bot_request(settings, 1))
        .context_types(context_types)
        .concurrent_updates(processor)
        .rate_limiter(lifecycle.limiter)
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    assert isinstance(built, HromadaApp)
    app = built
    handlers.register(app)
    app.add_error_handler(_on_error)
    return app


class Lifecycle:
    """Opens the engine, migrates, loads catalogs, starts the scheduler and the outbox
    dispatcher in post_init; closes them in post_shutdown. Nothing is opened at import time."""

    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        self.migrate = migrate
        self.engine: AsyncEngine | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self.outbox = Outbox(settings)
        self.flood = FloodGate(settings.flood_updates_per_minute)
        # Direct replies' rate limits; with several workers each applies its share.
        self.limiter = SharedRateLimiter(
            overall_per_second=settings.rate_limit_overall_per_second,
            group_per_minute=settings.rate_limit_group_per_minute,
        )
        self.workers: WorkerSlots | None = None
        self.processor: PerUserUpdateProcessor | None = None
        self._staff_refresher: asyncio.Task[None] | None = None
        self._dropped_keeper: asyncio.Task[None] | None = None

    @property
    def dispatcher(self) -> OutboxDispatcher | None:
        return self.outbox.dispatcher

    def wake_outbox(self) -> None:
        """Send newly committed outbox rows now; a no-op until the dispatcher runs."""
        self.outbox.wake()

    def apply_share(self, workers: int) -> None:
        """`workers` live workers share the configured limits (bot/worker_share.py)."""
        self.limiter.set_workers(workers)
        self.flood.limit = share_of_threshold(self.settings.flood_updates_per_minute, workers)

    async def post_init(self, app: AnyApp) -> None:
        settings = self.settings
        self.engine = await connect_database(settings, migrate=self.migrate)
        sessions = session_factory(self.engine)
        translators = load_translators()
        privacy = policy_from(settings)
        if privacy.erasure_key is None:
            log.warning(NO_KEY)
        app.bot_data.services = Services(
            sessions=sessions,
            translators=translators,
            default_language=settings.default_language,
            timezone=settings.timezone,
            wake_outbox=self.wake_outbox,
            became_staff=self.flood.exempt,
            privacy=privacy,
        )
        services = app.bot_data.services
        if self.processor is not None:
            self.processor.notify = partial(tell_to_slow_down, services=services, gate=self.flood)
            self.processor.admissions = services.admissions
        self.workers = WorkerSlots(
            self.engine, slot_namespace(app.bot.id), on_change=self.apply_share
        )
        await self.workers.start()  # counts the live workers before the first update
        await load_staff(self.flood, services)
        self._staff_refresher = asyncio.create_task(refresh_staff(self.flood, services))
        self._dropped_keeper = asyncio.create_task(keep_dropped_every(self.flood, services))
        await self.outbox.start(sessions, self.engine, bot_id=app.bot.id)
        retention = timedelta(days=settings.processed_updates_retention_days)
        self.scheduler = build_scheduler(
            sessions,
            SchedulerConfig(
                timezone=settings.timezone,
                processed_updates_retention=retention,
                outbox_retention=timedelta(days=settings.outbox_retention_days),
                translators=translators,
                default_language=settings.default_language,
                wake_outbox=self.wake_outbox,
                privacy=privacy.retention,
            ),
        )
        add_poll_jobs(self.scheduler, sessions, partial(announce, sessions, translators))
        self.scheduler.start()
        await register_commands(app, translators, settings.default_language)
        log.info("bot started as @%s", app.bot.username)

    async def post_shutdown(self, app: AnyApp) -> None:
        for task in (self._staff_refresher, self._dropped_keeper):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.scheduler is not None:
            await stop_scheduler(self.scheduler)  # its running jobs end before the engine
        await self.outbox.stop()
        if self.workers is not None:
            await self.workers.stop()
        if self.engine is not None:
            await self.engine.dispose()


async def register_commands(app: AnyApp, translators: dict[str, Any], default: str) -> None:
    """The command menu in each language, and the default language's for everyone else."""
    for language in (*translators, None):
        _ = translators[language or default].gettext
        commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        try:
            await app.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=language
            )
        except TelegramError as exc:  # the menu is a convenience; the bot works without it
            log.warning("setMyCommands(%s) failed: %s", language, exc)


async def _on_error(update: object, context: Any) -> None:
    """Errors outside the pipeline (polling, network); never logs message content."""
    log.error("unhandled error: %s", type(context.error).__name__, exc_info=context.error)
