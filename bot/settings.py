"""Settings, read once from the environment and `.env`, then handed down to the layers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/hromada.sqlite3"

# The words .env.example's placeholder token is made of; a real token never has them.
PLACEHOLDER_TOKEN_MARK = "replace-with-your-token"

# Telegram's alphabet for secret_token (1-256 characters); we ask for at least 16.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
HttpClient = Literal["aiohttp", "httpx"]


class Settings(BaseSettings):
    """Everything the bot can be told from outside. `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    default_language: Literal["uk", "ru"] = "uk"
    timezone: str = "Europe/Kyiv"
    log_level: LogLevel = "INFO"
    # The HTTP client of the bot's Bot API calls (issue 11: aiohttp costs about a quarter
    # less CPU per update than python-telegram-bot's default, httpx).
    http_client: HttpClient = "aiohttp"
    # Outgoing rate limits (Telegram's documented limits); 0 disables a limit.
    rate_limit_overall_per_second: float = Field(default=30, ge=0)
    rate_limit_group_per_minute: float = Field(default=20, ge=0)
    # The outbox also keeps Telegram's per-private-chat limit: one a second, short bursts.
    rate_limit_private_per_second: float = Field(default=1, ge=0)
    rate_limit_private_burst: int = Field(default=3, ge=1, le=100)
    # The outbox dispatcher (messages to people other than the one acting).
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    outbox_batch_size: int = Field(default=50, ge=1, le=1000)
    outbox_poll_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_concurrency: int = Field(default=8, ge=1, le=256)
    # How many updates of *different* users are processed at once.
    concurrent_updates: int = Field(default=64, ge=1, le=1024)
    # How long `processed_updates` rows are kept to recognise a resent update.
    processed_updates_retention_days: int = Field(default=7, ge=1)
    # Days to keep delivered notifications (their dedup keys go with them).
    outbox_retention_days: int = Field(default=30, ge=1)
    # Webhook mode (`python -m bot run --webhook`; `python -m bot webhook set` registers it).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # Log lines as plain text or as one JSON object a line.
    log_format: Literal["plain", "json"] = "plain"
    # Per-person flood control: more updates a minute than this are dropped (0: off).
    flood_updates_per_minute: int = Field(default=30, ge=0)
    # Retention of residents' data (the nightly job; /privacy states these values).
    closed_request_text_retention_days: int = Field(default=180, ge=1)
    conversation_idle_retention_hours: int = Field(default=24, ge=1)
    poll_vote_link_retention_days: int = Field(default=180, ge=1)
    # Telegram lets a bot delete messages of a private chat for 48 hours, so "Clear this
    # chat" needs the ids no longer than that.
    clear_chat_retention_hours: int = Field(default=48, ge=1, le=48)
    # The key of the HMAC kept of each erased Telegram id (`forget --reapply` after a
    # restore). Keep it outside the database and its backups.
    erasure_hmac_key: SecretStr | None = None
    # The ledger's copy outside the database, which a restore does not roll back ("" = none).
    erasure_ledger_file: str = "./data/erasures.log"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("sqlite:", "postgresql:", "postgres:")):
            raise ValueError(
                "use an async driver: sqlite+aiosqlite:///... or postgresql+asyncpg://..."
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// address Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_alphabet(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @property
    def telegram_api_base_file_url(self) -> str:
        """PTB's file URL for the same server: `.../bot` becomes `.../file/bot`."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base.rstrip("/") + "/file/bot"

    def sqlite_path(self) -> Path | None:
        """The SQLite file, when the database is a SQLite file."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :].split("?", 1)[0])
        return None


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line meant for a person."""


def load_settings() -> Settings:
    """Read settings, turning pydantic's report into one readable line."""
    try:
        return Settings()
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            parts.append(f"{name}: {err['msg']}")
        raise SettingsError("Invalid setting " + "; ".join(parts)) from None


def require_token(settings: Settings) -> str:
    """The bot token, or a SettingsError that tells the person where to get one."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    if not token.strip():
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set. Ask @BotFather in Telegram for a bot token "
            "and put it in .env (see .env.example) or in the environment."
        )
    if PLACEHOLDER_TOKEN_MARK in token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is still the placeholder from .env.example. Ask @BotFather in "
            "Telegram for a bot token and put it in .env in place of the placeholder."
        )
    return token.strip()


def require_webhook(settings: Settings) -> tuple[str, str]:
    """WEBHOOK_URL and WEBHOOK_SECRET, or a SettingsError naming what is missing."""
    missing = [
        name
        for name, value in (
            ("WEBHOOK_URL", settings.webhook_url),
            ("WEBHOOK_SECRET", settings.webhook_secret),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            f"webhook mode needs {' and '.join(missing)} (see .env.example): the public "
            "https:// address and a secret of 16-256 letters, digits, _ or -."
        )
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    return settings.webhook_url, settings.webhook_secret.get_secret_value()
