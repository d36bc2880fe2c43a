"""Delivered and given-up notifications are forgotten on one schedule: a staff card in a
payload can carry a resident's shared name, and no kind of row may keep it for ever."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler import jobs
from storage.engine import session_factory
from storage.models import OutboxMessage, User
from storage.repositories import outbox
from storage.repositories.users import touch_user
from storage.types import set_clock

NAME = "Олена Петренко"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RETENTION = timedelta(days=30)


class FrozenClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, days: float) -> None:
        self.now = T0 + timedelta(days=days)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock()
    set_clock(frozen)
    try:
        yield frozen
    finally:
        set_clock(None)


def card(ref: str) -> dict[str, object]:
    text = f"<b>{ref}</b> · police\nМені потрібна допомога\n👤 {NAME} (@olena_p)"
    return {"method": "sendMessage", "params": {"text": text, "parse_mode": "HTML"}}


async def test_dead_rows_are_forgotten_like_delivered_ones(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        blocked = await touch_user(session, 4004)
        for chat_id, key in [(4001, "dead-early"), (4002, "sent"), (4003, "dead-late")]:
            assert await outbox.enqueue(session, chat_id=chat_id, payload=card(key), dedup_key=key)
        assert await outbox.enqueue(session, chat_id=4004, payload=card("x"), dedup_key="blocked")
        await session.execute(update(User).where(User.id == blocked.id).values(is_reachable=False))
        rows = {row.dedup_key: row.id for row in await outbox.claim_due(session, limit=10)}
        assert set(rows) == {"dead-early", "sent", "dead-late"}  # "blocked" died on the way
        await outbox.mark_dead(session, rows["dead-early"], error="BadRequest: can't parse")
        await outbox.mark_sent(session, rows["sent"])
        await outbox.mark_dead(session, rows["dead-late"], error="TimedOut")

    # An admin puts one back on day 20; it dies again on day 25.
    clock.at(20)
    async with sessions() as session, session.begin():
        assert await outbox.retry_dead(session, rows["dead-late"])
    clock.at(25)
    async with sessions() as session, session.begin():
        assert [r.id for r in await outbox.claim_due(session, limit=10)] == [rows["dead-late"]]
        await outbox.mark_dead(session, rows["dead-late"], error="TimedOut")

    async def kept() -> dict[str, bool]:
        """Each remaining row's key, and whether its payload still names the resident."""
        async with sessions() as session:
            result = await session.execute(select(OutboxMessage.dedup_key, OutboxMessage.payload))
            return {key: NAME in json.dumps(payload, ensure_ascii=False) for key, payload in result}

    clock.at(29)
    assert await jobs.purge_old_outbox(sessions, RETENTION) == 0
    assert set(await kept()) == {"dead-early", "sent", "dead-late", "blocked"}

    clock.at(31)  # 31 days after the first deaths and the delivery; 6 after the late death
    assert await jobs.purge_old_outbox(sessions, RETENTION) == 3
    assert await kept() == {"dead-late": True}

    clock.at(56)
    assert await jobs.purge_old_outbox(sessions, RETENTION) == 1
    assert await kept() == {}
