"""Updates of different people run concurrently; one person's updates strictly in order."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.core.admission import Admissions
from handlers.core.flood import FloodGate, Verdict

# What a flood's one notice is sent with (handlers/core/flood.py `tell_to_slow_down`).
Notify = Callable[[Update], Awaitable[None]]

# PTB's own semaphore, taken before `do_process_update`: large enough never to make anyone wait.
_NEVER_FULL = sys.maxsize


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0


def ordering_key(update: object) -> int | None:
    """Whose updates must not overtake each other: the person's, else the chat's."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """One lock per person, created on their first update and dropped when they are idle,
    so memory does not grow with the number of people. asyncio's locks and semaphores wake
    waiters first-come first-served, so a person's updates keep Telegram's order.

    An update takes its person's lock first and a global slot (at most
    `max_concurrent_updates` run at once) only then, so a person's queued updates wait on
    their own lock and hold no slot: 64 quick updates from one person cannot keep everyone
    else waiting. Flood control (`gate`, handlers/core/flood.py) comes before both: an
    update over its person's limit takes neither and never reaches the pipeline.
    **Decision:** PTB's `process_update` takes its semaphore *before*
    `do_process_update` and is marked `@final`, so instead of overriding it we give PTB a
    semaphore that never fills and keep the real limit here, behind the person's lock.
    """

    def __init__(self, max_concurrent_updates: int, gate: FloodGate | None = None) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        super().__init__(_NEVER_FULL)  # PTB's slot is taken before the person's lock
        self.gate = gate or FloodGate(0)
        self.notify: Notify | None = None  # set once the translations are loaded
        self.admissions: Admissions | None = None  # webhook answers waiting (admission.py)
        self._slots: dict[int, _Slot] = {}
        self._limit = max_concurrent_updates
        self._running = asyncio.BoundedSemaphore(max_concurrent_updates)

    @property
    def limit(self) -> int:
        """How many updates run at once at most (`CONCURRENT_UPDATES`)."""
        return self._limit

    @property
    def active_people(self) -> int:
        return len(self._slots)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._process(update, coroutine)
        finally:
            if self.admissions is not None and isinstance(update, Update):
                self.admissions.admit(update.update_id)  # done, whatever happened

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        verdict = self.gate.check(update)  # before any lock, slot or database work
        if verdict is not Verdict.PASS:
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # the pipeline never runs for it
            if verdict is Verdict.NOTIFY and self.notify is not None:
                assert isinstance(update, Update)
                async with self._running:
                    await self.notify(update)
            return
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        slot.holders += 1
        try:
            async with slot.lock, self._running:
                await coroutine
        finally:
            slot.holders -= 1
            if slot.holders == 0:
                del self._slots[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release; locks go with their last holder."""
