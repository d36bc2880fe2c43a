"""`python -m bot webhook set|delete|info`: the only place that talks to setWebhook."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC

from telegram import Bot, WebhookInfo

from bot.app import ALLOWED_UPDATES
from bot.settings import Settings, require_token, require_webhook
from bot.startup import explain_telegram


@asynccontextmanager
async def telegram(settings: Settings) -> AsyncIterator[Bot]:
    """A Bot for one command; failures a person can act on become a StartupError."""
    bot = Bot(
        require_token(settings),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
    )
    try:
        async with bot:
            yield bot
    except Exception as exc:
        explained = explain_telegram(exc, settings)
        if explained is None:
            raise
        raise explained from None


async def set_webhook(settings: Settings) -> list[str]:
    url, secret = require_webhook(settings)
    async with telegram(settings) as bot:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
            drop_pending_updates=False,
        )
    return [f"webhook set: Telegram posts {', '.join(ALLOWED_UPDATES)} to {url}"]


async def delete_webhook(settings: Settings) -> list[str]:
    async with telegram(settings) as bot:
        await bot.delete_webhook(drop_pending_updates=False)
    return ["webhook deleted: pending updates wait for `python -m bot run` (polling)"]


async def webhook_info(settings: Settings) -> list[str]:
    async with telegram(settings) as bot:
        info = await bot.get_webhook_info()
    return describe(info, settings)


def describe(info: WebhookInfo, settings: Settings) -> list[str]:
    """getWebhookInfo as lines; says whether it matches WEBHOOK_URL and ALLOWED_UPDATES."""
    lines = [
        f"url: {info.url or '(none: polling)'}",
        f"pending updates: {info.pending_update_count}",
    ]
    if info.url:
        matches = "yes" if info.url == settings.webhook_url else "NO"
        lines.append(f"matches WEBHOOK_URL: {matches}")
        allowed = sorted(info.allowed_updates or ())
        lines.append(f"allowed updates: {', '.join(allowed) or '(Telegram default)'}")
        if set(allowed) != set(ALLOWED_UPDATES):
            lines.append("allowed updates differ from the bot's: run `python -m bot webhook set`")
        if info.max_connections:
            lines.append(f"max connections: {info.max_connections}")
    if info.last_error_date is not None:
        when = info.last_error_date.astimezone(UTC)
        lines.append(f"last error: {when:%Y-%m-%d %H:%M:%S}Z {info.last_error_message or ''}")
    return lines
