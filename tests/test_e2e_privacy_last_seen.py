"""/mydata says `last_seen` is kept to within 10 minutes (user-testing review): the bot
stores it rounded down to 10 minutes when it writes it, and a row written before that
(to the microsecond) is rounded in the exported file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.models import User
from storage.types import set_clock
from tests.onboarding_steps import has
from tests.privacy_steps import downloaded_json
from tests.request_steps import onboard

pytestmark = pytest.mark.e2e


class FixedClock:
    """The bot's clock and the fake Telegram's, still unless moved."""

    def __init__(self, botapi: BotApiServer, now: datetime) -> None:
        self.now = now
        botapi.clock.follow(lambda: self.now.timestamp())

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(botapi: BotApiServer) -> Iterator[FixedClock]:
    fixed = FixedClock(botapi, datetime(2026, 12, 3, 10, 17, 42, 123456, tzinfo=UTC))
    set_clock(fixed)
    try:
        yield fixed
    finally:
        set_clock(None)


async def last_seen(engine: AsyncEngine) -> datetime:
    async with engine.connect() as conn:
        value = (await conn.execute(select(User.last_seen_at))).scalar_one()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def test_last_seen_is_kept_and_exported_to_ten_minutes(
    botapi: BotApiServer, clock: FixedClock, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    await onboard(resident, "uk")
    assert await last_seen(engine) == datetime(2026, 12, 3, 10, 10, tzinfo=UTC)
    clock.now += timedelta(minutes=5)  # 10:22:42
    async with resident.expect_message(has("/language")):
        await resident.send_command("/help")
    assert await last_seen(engine) == datetime(2026, 12, 3, 10, 20, tzinfo=UTC)

    # a row written before the rounding kept the microsecond: the file rounds it
    async with engine.begin() as conn:
        exact = datetime(2026, 12, 3, 10, 21, 59, 654321, tzinfo=UTC)
        await conn.execute(update(User).values(last_seen_at=exact))
    async with resident.expect_message(lambda m: bool(m.raw.get("document"))):
        await resident.send_command("/mydata")
    _raw, exported = downloaded_json(botapi, resident)
    profile = exported["sections"]["profile"]
    assert profile["data"]["last_seen"] == "2026-12-03T10:20:00Z"
    assert "10 хвилин" in profile["fields"]["last_seen"]
