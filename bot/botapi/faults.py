"""Injected failures: what :meth:`~bot.botapi.server.BotApiServer.fail_next` schedules.

A :class:`Fault` is consumed by the next valid call of its method (invalid calls are answered
400 first and do not consume it).  It may hold the answer for ``delay`` seconds (cut short when
the server stops) and then answer with ``error_code``; with ``error_code=None`` the call goes
on normally after the delay.  With ``reset`` the server closes the connection without
answering (the client sees "Server disconnected without sending a response"): instead of
applying the call, or, with ``error_code=None``, after applying it (the bot never learns
that its message went out).  Injected errors are recorded neither as violations nor in
``errors_returned``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from .state import ApiError

__all__ = ["ConnectionReset", "Fault", "FaultPlan", "InjectedError"]


class InjectedError(ApiError):
    """An error answered because a test asked for it."""


class ConnectionReset(Exception):
    """Close the connection without an answer (the call was not applied)."""


@dataclass
class Fault:
    """One scheduled failure, used ``times`` times."""

    error_code: int | None
    description: str
    retry_after: int | None = None
    delay: float | None = None
    times: int = 1
    reset: bool = False

    async def inject(self, stopping: asyncio.Event) -> None:
        """Wait ``delay`` (or until ``stopping``), then raise the error, if any."""
        if self.delay:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.delay):
                    await stopping.wait()
        if stopping.is_set():
            raise InjectedError(503, "Service Unavailable: test server is stopping")
        if self.reset and self.error_code is not None:
            raise ConnectionReset
        if self.error_code is not None:
            raise InjectedError(self.error_code, self.description, retry_after=self.retry_after)


class FaultPlan:
    """Scheduled faults per method name, first scheduled first used."""

    def __init__(self) -> None:
        self._queues: dict[str, list[Fault]] = {}

    def add(self, method: str, fault: Fault) -> None:
        self._queues.setdefault(method, []).append(fault)

    def take(self, method: str) -> Fault | None:
        """The fault for this call of ``method``, if one is scheduled."""
        queue = self._queues.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault
