"""A sandbox clock for tests that starts at a fixed morning and then runs as time passes,
so that what is due when (the seeded meeting is tomorrow at 18:00 Kyiv time, its reminders
24 and 2 hours before) does not depend on the hour the suite runs at."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

MORNING = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Kyiv


def morning_clock() -> Callable[[], datetime]:
    began = time.monotonic()
    return lambda: MORNING + timedelta(seconds=time.monotonic() - began)
