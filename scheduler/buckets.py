"""Token buckets for Telegram's sending limits, with an injectable clock for tests.

Telegram allows about 30 messages a second overall, one a second in a private chat (short
bursts are tolerated) and 20 a minute in a group. A bucket holds up to `capacity` tokens and
gains `rate` tokens a second; a send takes one. A rate of 0 means unlimited.

The overall limit is an `OverallLimiter`, not a bucket: the local Bot API server (and
Telegram) count messages by when *they* got them, in any one-second window, and a message
gets there some time between the moment the dispatcher takes its turn and the moment the
answer is back. The limiter counts a message in the window from its take until one window
after its answer, so no window at the server can hold more than the limit whatever the
latency; and it paces evenly (one send every `window / limit` seconds at most, starting
empty), so there is no burst at the start.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
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


class OverallLimiter:
    """At most `limit` messages in any `window` seconds as counted where they arrive.

    `try_acquire()` before a send (False: wait `delay()` seconds, or until a release),
    `release()` once its answer is back (or it failed). A send occupies the window from
    its take until `window` seconds after its release: Telegram got it somewhere in
    between, so any `window`-long stretch at Telegram's end holds only sends that were
    counted together here. Besides, takes are at least `window / limit` seconds apart (a
    token bucket of capacity one that starts empty): even pacing, no burst.
    A rate of 0 means unlimited."""

    def __init__(
        self, per_second: float, *, window: float = 1.0, clock: Clock = time.monotonic
    ) -> None:
        if per_second < 0 or window <= 0:
            raise ValueError("per_second must not be negative and window must be positive")
        self.limit = int(per_second * window)
        self.window = window
        self.unlimited = per_second == 0
        if not self.unlimited and self.limit < 1:
            raise ValueError("the limit must allow at least one message per window")
        self._clock = clock
        self._spacing = 0.0 if self.unlimited else window / self.limit
        self._next_take = clock() + self._spacing  # starts empty: the first waits one gap
        self._in_flight = 0
        self._released: deque[float] = deque()  # release times, oldest first
        self._release_event = asyncio.Event()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _occupied(self, now: float) -> int:
        released = self._released
        while released and released[0] <= now - self.window:
            released.popleft()
        return self._in_flight + len(released)

    def try_acquire(self) -> bool:
        if self.unlimited:
            self._in_flight += 1
            return True
        now = self._clock()
        if now < self._next_take or self._occupied(now) >= self.limit:
            return False
        self._next_take = max(now, self._next_take) + self._spacing
        self._in_flight += 1
        return True

    def release(self) -> None:
        """A send taken earlier has its answer (or failed): it leaves the window `window`
        seconds from now."""
        if self._in_flight <= 0:
            raise RuntimeError("release() without try_acquire()")
        self._in_flight -= 1
        if not self.unlimited:
            self._released.append(self._clock())
        event, self._release_event = self._release_event, asyncio.Event()
        event.set()

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait for `try_acquire` to succeed (woken by the clock's delay or a release);
        False if `stopping` is set first."""
        while not self.try_acquire():
            if stopping.is_set():
                return False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.delay()):
                    await self._release_event.wait()
        if stopping.is_set():
            self.release()  # taken but not used
            return False
        return True

    def delay(self) -> float:
        """Seconds until `try_acquire` may succeed; while the window is full of sends still
        in flight it is one gap (a release may come any moment; the caller is woken then
        too if it waits on `released`)."""
        if self.unlimited:
            return 0.0
        now = self._clock()
        wait = max(self._next_take - now, 0.0)
        excess = self._occupied(now) - self.limit + 1
        if excess > 0:
            released = self._released
            if excess <= len(released):
                wait = max(wait, released[excess - 1] + self.window - now)
            else:
                wait = max(wait, self._spacing)
        return wait


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
