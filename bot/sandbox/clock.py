"""The sandbox's one clock: the machine's time plus an offset the page moves forward.

:meth:`SandboxClock.install` makes the bot read it (``storage.types.set_clock``: reminders,
poll deadlines, reopen windows, the outbox) and the local Bot API server too (message dates,
the 48-hour deletion rule).  Moving it never touches the machine clock; after each move the
bot's scheduler runs every job at once (see :func:`run_jobs_now`), because each job computes
what is due from the database by ``utcnow()``, not from APScheduler's own timing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler

from bot.botapi.clock import ServerClock
from storage.types import set_clock

__all__ = ["SandboxClock", "run_jobs_now"]


class SandboxClock:
    """Now = the machine's time + :attr:`offset`; only ever moved forward."""

    def __init__(self, machine: Callable[[], datetime] | None = None) -> None:
        self._machine = machine or (lambda: datetime.now(UTC))
        self.offset = timedelta()

    def now(self) -> datetime:
        return self._machine() + self.offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, by: timedelta) -> None:
        if by < timedelta():
            raise ValueError("the sandbox clock only moves forward")
        self.offset += by

    def advance_to(self, moment: datetime) -> None:
        """Jump to ``moment`` (no-op if it is not in the future)."""
        gap = moment - self.now()
        if gap > timedelta():
            self.offset += gap

    def install(self, server_clock: ServerClock) -> None:
        """The bot and the local Bot API server read this clock from now on."""
        set_clock(self.now)
        server_clock.follow(self.timestamp)

    @staticmethod
    def uninstall() -> None:
        set_clock(None)


def run_jobs_now(scheduler: BaseScheduler | None) -> list[str]:
    """Make every scheduled job run now (APScheduler wakes at once); returns their ids."""
    if scheduler is None or not scheduler.running:
        return []
    now = datetime.now(UTC)
    ids = []
    for job in scheduler.get_jobs():
        job.modify(next_run_time=now)
        ids.append(str(job.id))
    scheduler.wakeup()
    return ids
