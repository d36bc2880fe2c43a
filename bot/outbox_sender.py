"""The outbox's Telegram side: the sender the dispatcher is given, and its wiring.

**Decision:** outbox rows go out through their own `telegram.Bot` (same token and server),
not the Application's bot. The Application's bot sits behind PTB's `AIORateLimiter`, which
retries every 429 itself (`max_retries=3`, and `rate_limit_args=0` cannot turn that off: 0 is
read as "use the default"); the dispatcher must see a 429 at once to pause *all* outbox
sending and keep its own per-chat and overall token buckets (`scheduler/buckets.py`). The
price: direct replies (AIORateLimiter) and the outbox (buckets) each keep their own overall
budget, so in the worst case both together exceed 30 msg/s for a moment; Telegram then
answers 429, which both handle.

Payloads are Bot API calls: `sendMessage` (text, parse_mode, reply_markup, ...),
`sendPhoto` (photo = a file_id or URL, caption, ...) and `editMessageText` (a staff-chat
card's edit; its message id is filled in when the row is claimed). Every parameter but the
required ones is passed through unchanged (`api_kwargs`), so HTML and inline keyboards
arrive exactly as enqueued.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.error import RetryAfter as TelegramRetryAfter

from bot.http_client import bot_request
from bot.settings import Settings, require_token
from scheduler.buckets import RateLimits
from scheduler.dispatcher import OutboxDispatcher
from scheduler.leader import AdvisoryLockLeader
from scheduler.sending import (
    Migrated,
    Permanent,
    RetryAfter,
    SendResult,
    Sent,
    Transient,
    Unreachable,
)
from storage.repositories.outbox import advisory_lock_key
from storage.repositories.polls_outbox import CHART_REF, ChartFiles

log = logging.getLogger(__name__)

JSON = dict[str, Any]
Call = Callable[[Bot, int, JSON], Awaitable[object]]

# 400 answers that mean the chat is gone for the bot, not that the request was wrong.
_UNREACHABLE = re.compile(
    r"chat not found|peer_id_invalid|user not found|bot was kicked|user is deactivated"
    r"|group chat was deactivated|have no rights to send|not enough rights to send"
    r"|chat_write_forbidden|need administrator rights",
    re.IGNORECASE,
)
_NOT_MODIFIED = "message is not modified"


async def _send_message(bot: Bot, chat_id: int, params: JSON) -> object:
    text = params.pop("text")
    return await bot.send_message(chat_id=chat_id, text=text, api_kwargs=params or None)


async def _send_photo(bot: Bot, chat_id: int, params: JSON) -> object:
    photo = params.pop("photo")
    if not isinstance(photo, str | InputFile):
        raise ValueError("photo must be a file_id, an HTTP URL or an upload")
    return await bot.send_photo(chat_id=chat_id, photo=photo, api_kwargs=params or None)


async def _edit_message_text(bot: Bot, chat_id: int, params: JSON) -> object:
    text, message_id = params.pop("text"), params.pop("message_id")
    if not isinstance(message_id, int):
        raise ValueError("editMessageText needs the message id")
    await bot.edit_message_text(
        text=text, chat_id=chat_id, message_id=message_id, api_kwargs=params or None
    )
    return None  # an edit makes no new message


METHODS: dict[str, Call] = {
    "sendMessage": _send_message,
    "sendPhoto": _send_photo,
    "editMessageText": _edit_message_text,
}


def retry_seconds(exc: TelegramRetryAfter) -> float:
    """How long Telegram asks us to wait. `bot/__init__.py` opts in to PTB_TIMEDELTA, so this
    is a timedelta; a plain number is still understood."""
    value: Any = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class TelegramSender:
    """`scheduler.sending.Sender` on a PTB `Bot`: one Bot API call per outbox row, with
    Telegram's errors mapped to what the dispatcher does next."""

    def __init__(self, bot: Bot, files: ChartFiles | None = None) -> None:
        self.bot = bot
        self.files = files

    async def __call__(self, chat_id: int, payload: JSON) -> SendResult:
        method, params = payload.get("method"), payload.get("params")
        call = METHODS.get(method) if isinstance(method, str) else None
        if call is None:
            return Permanent(f"unsupported outbox method {method!s:.40}")
        if not isinstance(params, dict):
            return Permanent("outbox params are not an object")
        photo = params.get("photo")
        if self.files is not None and isinstance(photo, str) and photo.startswith(CHART_REF):
            # A poll chart: the first send uploads it, the others wait and send its file id.
            async with self.files.first_upload(photo):
                return await self._send_chart(chat_id, call, params, photo)
        return await self._send(chat_id, call, params)

    async def _send_chart(self, chat_id: int, call: Call, params: JSON, ref: str) -> SendResult:
        assert self.files is not None
        content = await self.files.load(ref)
        if content is None:
            return Permanent("poll chart is gone")
        upload = content if isinstance(content, str) else InputFile(content, filename="chart.png")
        return await self._send(chat_id, call, {**params, "photo": upload}, ref)

    async def _send(
        self, chat_id: int, call: Call, params: JSON, chart: str | None = None
    ) -> SendResult:
        try:
            made = await call(self.bot, chat_id, dict(params))
            photos = getattr(made, "photo", None)
            if chart is not None and self.files is not None and photos:
                await self.files.remember(chart, photos[-1].file_id)
        except TelegramRetryAfter as exc:
            return RetryAfter(retry_seconds(exc))
        except Forbidden as exc:
            return Unreachable(f"Forbidden: {exc.message}")
        except ChatMigrated as exc:
            # A group became a supergroup with a new id: the row goes there.
            return Migrated(int(exc.new_chat_id))
        except BadRequest as exc:  # before NetworkError: BadRequest is a subclass
            if _NOT_MODIFIED in exc.message.lower():
                return Sent()  # an edit to what the message already says
            if _UNREACHABLE.search(exc.message):
                return Unreachable(f"BadRequest: {exc.message}")
            return Permanent(f"BadRequest: {exc.message}")
        except TimedOut:
            return Transient("TimedOut")
        except NetworkError as exc:
            return Transient(f"NetworkError: {exc.message}")
        except InvalidToken:
            # Misconfiguration, not the row's fault: retried until the attempts run out.
            return Transient("InvalidToken")
        except TelegramError as exc:
            return Transient(type(exc).__name__)
        except (KeyError, TypeError, ValueError) as exc:
            return Permanent(f"malformed outbox payload ({type(exc).__name__})")
        message_id = getattr(made, "message_id", None)
        return Sent(message_id if isinstance(message_id, int) else None)


def rate_limits(settings: Settings) -> RateLimits:
    return RateLimits(
        overall_per_second=settings.rate_limit_overall_per_second,
        private_per_second=settings.rate_limit_private_per_second,
        private_burst=settings.rate_limit_private_burst,
        group_per_minute=settings.rate_limit_group_per_minute,
    )


def build_outbox_bot(settings: Settings) -> Bot:
    """A Bot of its own for the outbox (no PTB rate limiter, see the module docstring)."""
    return Bot(
        require_token(settings),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
        request=bot_request(settings, settings.outbox_concurrency + 2),
    )


class Outbox:
    """The outbox's runtime: its Bot, the sender and the dispatcher; started in post_init
    after the engine, stopped in post_shutdown before the engine is disposed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bot: Bot | None = None
        self.dispatcher: OutboxDispatcher | None = None

    def wake(self) -> None:
        """Send newly committed rows now (handlers call it after each commit)."""
        if self.dispatcher is not None:
            self.dispatcher.wake()

    async def start(
        self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, bot_id: int
    ) -> OutboxDispatcher:
        settings = self.settings
        self.bot = build_outbox_bot(settings)
        await self.bot.initialize()
        self.dispatcher = OutboxDispatcher(
            sessions,
            TelegramSender(self.bot, ChartFiles(sessions)),
            limits=rate_limits(settings),
            max_attempts=settings.outbox_max_attempts,
            batch=settings.outbox_batch_size,
            poll_interval=settings.outbox_poll_interval_seconds,
            concurrency=settings.outbox_concurrency,
            leader=AdvisoryLockLeader(engine, advisory_lock_key(bot_id)),
        )
        await self.dispatcher.start()
        return self.dispatcher

    async def stop(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        if self.bot is not None:
            await self.bot.shutdown()
            self.bot = None
