"""Start-up failures a person can act on, each turned into one readable line.

The CLI prints a `StartupError` as `error: <line>` and exits 1 instead of a traceback:
the database cannot be opened, Telegram rejects the token, the Bot API cannot be reached.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.settings import Settings, require_token
from storage.engine import create_engine
from storage.migrate import current_revision, head_revision, upgrade_to_head

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message is one line that says what to do."""


def _first_line(exc: BaseException) -> str:
    """The first line of an error's text, without SQLAlchemy's background link."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def safe_database_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


async def connect_database(settings: Settings, *, migrate: bool = True) -> AsyncEngine:
    """An engine at the newest schema; a StartupError if the database cannot be opened or
    upgraded. With `migrate=False` (webhook workers: `python -m bot migrate` upgrades, once)
    an old schema is a StartupError instead. The caller disposes of the engine."""
    engine: AsyncEngine | None = None
    try:
        engine = create_engine(settings.database_url)
        if migrate:
            await upgrade_to_head(engine)
        else:
            current, head = await current_revision(engine), head_revision()
            if current != head:
                await engine.dispose()
                raise StartupError(
                    f"the database schema is at {current or 'nothing'}, this code needs "
                    f"{head}: run `python -m bot migrate` once, then start the workers."
                )
    except (OSError, SQLAlchemyError) as exc:
        if engine is not None:
            await engine.dispose()
        log.debug("database start-up failed", exc_info=True)
        raise StartupError(
            f"cannot open the database DATABASE_URL={safe_database_url(settings.database_url)}: "
            f"{_first_line(exc)}. Check the setting, that the server runs and that the folder "
            "is writable."
        ) from None
    return engine


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """`connect_database` for the length of a `with` block (the CLI's commands)."""
    engine = await connect_database(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


def explain_telegram(exc: BaseException, settings: Settings) -> StartupError | None:
    """The one line for a Telegram failure at start, or None when it is not one we know."""
    if isinstance(exc, InvalidToken):
        return StartupError(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token again "
            "from @BotFather (/mybots, API Token) into .env; it may have been revoked."
        )
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):  # and TimedOut
        return StartupError(
            f"cannot reach the Bot API at TELEGRAM_API_BASE_URL={settings.telegram_api_base_url} "
            f"({type(exc).__name__}): check the network, or point the setting at a reachable "
            "Bot API server."
        )
    return None


async def check_telegram(settings: Settings) -> None:
    """Ask the Bot API who we are once, before python-telegram-bot's own start-up, whose
    failures are logged as tracebacks; raise the StartupError that says what to do."""
    bot = Bot(
        require_token(settings),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
    )
    try:
        async with bot:  # initialize() calls getMe
            pass
    except Exception as exc:
        explained = explain_telegram(exc, settings)
        if explained is None:
            raise
        raise explained from None
