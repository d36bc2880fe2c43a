"""Logging without personal data and without the token."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.settings import Settings

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# The configured token and webhook secret, whatever their shape (`configure_logging`).
_SECRETS: list[str] = []


def redact(text: str) -> str:
    """`text` with anything shaped like a bot token and every configured secret replaced."""
    text = _TOKEN.sub("<token>", text)
    for secret in _SECRETS:
        text = text.replace(secret, "<secret>")
    return text


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token, wherever it appears in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts tokens from the whole formatted record, tracebacks included (an exception's
    text can carry the token, e.g. python-telegram-bot's "The token ... was rejected")."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(RedactingFormatter):
    """One JSON object a line (`LOG_FORMAT=json`): time (UTC), level, logger, message and,
    for an error, its traceback; tokens redacted from every field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


# Libraries whose detailed logs carry personal data or the token, and the most they may say:
# httpx logs every request URL (it contains the token) at INFO; python-telegram-bot logs
# every API call with its parameters (message text, names) at DEBUG; aiohttp's client (the
# default HTTP_CLIENT) logs little, but its connection errors may name the URL.
QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp.client": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "alembic": logging.WARNING,
    "asyncio": logging.WARNING,
}


def quiet_libraries() -> None:
    """Even with LOG_LEVEL=DEBUG, these never log what they see."""
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, log_format: str = "plain", secrets: Iterable[str] = ()) -> None:
    """`LOG_FORMAT=plain` (one readable line) or `json` (one JSON object a line); `secrets`
    (the token, the webhook secret) never appear, whatever logs them."""
    _SECRETS[:] = [secret for secret in secrets if len(secret) >= 6]
    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens())
    formatter = JsonFormatter() if log_format == "json" else RedactingFormatter(PLAIN)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()


def secrets_of(settings: Settings) -> list[str]:
    """What must never be logged among the settings: the token and the webhook secret."""
    values = (settings.telegram_bot_token, settings.webhook_secret)
    return [value.get_secret_value() for value in values if value is not None]
