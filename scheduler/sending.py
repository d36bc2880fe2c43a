"""What a send can end in, and the sender the dispatcher is given (no Telegram here).

`bot/outbox_sender.py` implements `Sender` on python-telegram-bot and maps Telegram's
errors to these results; tests may pass any coroutine function of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Sent:
    """Telegram accepted the message (and made message `message_id` of it, when known)."""

    message_id: int | None = None


@dataclass(frozen=True)
class RetryAfter:
    """Flood control (429): the whole bot must wait `seconds` before sending again."""

    seconds: float


@dataclass(frozen=True)
class Transient:
    """A network error, a timeout or a 5xx: try again later with backoff."""

    error: str


@dataclass(frozen=True)
class Unreachable:
    """The chat refuses the bot for good (blocked, kicked, chat not found)."""

    error: str = "chat unreachable"


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with id `new_chat_id` (400 with migrate_to_chat_id):
    the chat's rows move there and are sent again; not a failed attempt."""

    new_chat_id: int


@dataclass(frozen=True)
class Permanent:
    """The request itself is wrong (400 Bad Request): retrying cannot help."""

    error: str


SendResult = Sent | RetryAfter | Transient | Unreachable | Migrated | Permanent


class Sender(Protocol):
    """Sends one outbox payload (`{"method": ..., "params": {...}}`) to `chat_id`. It should
    not raise: any exception it lets through is treated as `Transient`."""

    async def __call__(self, chat_id: int, payload: dict[str, Any]) -> SendResult: ...
