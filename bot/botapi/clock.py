"""The fake Telegram's clock: message dates, edit dates and the 48-hour deletion rule read it.

:class:`ServerClock` follows a source (the wall clock by default, or any ``() -> float`` of
Unix seconds, such as the bot's own frozen clock) plus an offset.  Tests move it without
sleeping: ``server.clock.advance(48 * 3600)``, or pin it with ``server.clock.set(ts)``
(frozen until the next ``set``/``advance``/``follow``).  ``server.clock.follow(source)``
makes it read another clock from then on.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["ServerClock"]


class ServerClock:
    """Unix time as the fake Telegram sees it; callable, and settable by tests."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._frozen: float | None = None

    def __call__(self) -> float:
        return self.now()

    def now(self) -> float:
        """Seconds since the epoch."""
        if self._frozen is not None:
            return self._frozen
        return self._source() + self._offset

    def timestamp(self) -> int:
        """Whole seconds, as in ``Message.date``."""
        return int(self.now())

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, if negative) by ``seconds``."""
        if self._frozen is not None:
            self._frozen += seconds
        else:
            self._offset += seconds

    def set(self, timestamp: float) -> None:
        """Freeze the clock at ``timestamp``; :meth:`advance` then moves the frozen time."""
        self._frozen = float(timestamp)

    def follow(self, source: Callable[[], float]) -> None:
        """Read ``source`` from now on (no offset, not frozen)."""
        self._source = source
        self._offset = 0.0
        self._frozen = None
