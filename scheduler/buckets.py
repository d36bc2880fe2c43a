"""Token buckets for Telegram's sending limits, with an injectable clock for tests.

Telegram allows about 30 messages a second overall, one a second in a private chat (short
bursts are tolerated) and 20 a minute in a group. A bucket holds up to `capacity` tokens and
gains `rate` tokens a second; a send takes one. A rate of 0 means unlimited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


class TokenBucket:
    def __init__(self, rate: float, capacity: float, *, clock: Clock = time.monotonic) -> None:
        if rate < 0 or capacity < 0:
            raise ValueError("rate and capacity must not be negative")
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()

    @property
    def unlimited(self) -> bool:
        return self.rate == 0

    def _refill(self) -> None:
        now = self._clock()
        if now > self._updated:
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def try_take(self) -> bool:
        """Take a token if one is there."""
        if self.unlimited:
            return True
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def delay(self) -> float:
        """Seconds until a token is there (0 when one is there now)."""
        if self.unlimited:
            return 0.0
        self._refill()
        if self._tokens >= 1:
            return 0.0
        return (1 - self._tokens) / self.rate

    def is_full(self) -> bool:
        """Unused for so long that a fresh bucket would behave the same."""
        if self.unlimited:
            return True
        self._refill()
        return self._tokens >= self.capacity


@dataclass(frozen=True)
class RateLimits:
    """Sending limits; a rate of 0 switches that limit off."""

    overall_per_second: float = 30
    private_per_second: float = 1
    private_burst: int = 3
    group_per_minute: float = 20
    group_burst: int = 1

    @classmethod
    def unlimited(cls) -> RateLimits:
        return cls(overall_per_second=0, private_per_second=0, group_per_minute=0)


def is_group_chat(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; private chats positive ones."""
    return chat_id < 0


class ChatBuckets:
    """One bucket per chat, created on demand; idle (full) buckets are forgotten once there
    are many, so memory does not grow with the number of people ever written to."""

    PRUNE_ABOVE = 1024

    def __init__(self, limits: RateLimits, *, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[int, TokenBucket] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def _new(self, chat_id: int) -> TokenBucket:
        limits = self.limits
        if is_group_chat(chat_id):
            return TokenBucket(limits.group_per_minute / 60, limits.group_burst, clock=self._clock)
        return TokenBucket(limits.private_per_second, limits.private_burst, clock=self._clock)

    def get(self, chat_id: int) -> TokenBucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) >= self.PRUNE_ABOVE:
                self._prune()
            bucket = self._buckets[chat_id] = self._new(chat_id)
        return bucket

    def _prune(self) -> None:
        for chat_id, bucket in list(self._buckets.items()):
            if bucket.is_full():
                del self._buckets[chat_id]
