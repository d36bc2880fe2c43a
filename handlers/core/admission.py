"""When a webhook worker may answer Telegram: once the update's turn has begun.

The webhook server answers 200 before the update is processed, but not before the update
holds its person's lock in the database (or needed none): Telegram posts a chat's next
update only after this answer, so that update, whichever worker it reaches, waits behind
this one, and one person's updates keep their order across workers. `expect` is called
by the server, `admit` by the pipeline once the lock is held and by the update processor
when an update is done whatever happened (dropped, ignored, failed), so no answer waits
for ever. Polling never expects anything, so `admit` is a dictionary miss.
"""

from __future__ import annotations

import asyncio


class Admissions:
    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Event] = {}

    def expect(self, update_id: int) -> asyncio.Event:
        event = self._waiting[update_id] = asyncio.Event()
        return event

    def admit(self, update_id: int) -> None:
        event = self._waiting.pop(update_id, None)
        if event is not None:
            event.set()

    def forget(self, update_id: int) -> None:
        self._waiting.pop(update_id, None)

    @property
    def waiting(self) -> int:
        return len(self._waiting)
