"""Retention with a frozen clock: each kind of personal data goes on its own schedule, a
moment after its period and not a moment before (`scheduler/retention.py`, `jobs.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.privacy_cli import policy_from
from bot.settings import Settings
from scheduler import jobs, retention
from storage.engine import session_factory
from storage.models import (
    ChatMessage,
    Community,
    ConversationState,
    OutboxMessage,
    ProcessedUpdate,
    RequestMessage,
    ServiceRequest,
    User,
)
from storage.privacy import chat_messages
from storage.privacy.policy import Retention
from storage.repositories import outbox, requests
from storage.repositories.updates import record_update
from storage.types import set_clock

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PERIODS = Retention()  # the defaults, as in .env.example


class FrozenClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, delta: timedelta) -> None:
        self.now = T0 + delta


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock()
    set_clock(frozen)
    try:
        yield frozen
    finally:
        set_clock(None)


async def count(sessions: async_sessionmaker[AsyncSession], what: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


async def a_request(session: AsyncSession, status: str, text: str) -> ServiceRequest:
    community = await session.scalar(select(Community).where(Community.code == "DRU"))
    assert community is not None
    user = User(telegram_id=abs(hash(text)) % 10**9, language="uk", community_id=community.id)
    session.add(user)
    await session.flush()
    request = await requests.create_request(
        session,
        author_id=user.id,
        community_id=community.id,
        category="police",
        text=text,
        photos=["file-1"],
        urgent=False,
        contact_name="Олена",
        contact_username="olena",
    )
    if status != "new":
        request.status = status
        request.closed_at = T0
    return request


async def test_closed_requests_lose_text_photos_and_contact_after_180_days(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for status, text in (("closed", "закрите"), ("rejected", "відхилене"), ("new", "нове")):
            await a_request(session, status, text)

    clock.at(timedelta(days=180))
    await retention.nightly(sessions, PERIODS)
    async with sessions() as session:
        texts = set((await session.execute(select(RequestMessage.text))).scalars())
    assert texts == {"закрите", "відхилене", "нове"}  # not a moment before

    clock.at(timedelta(days=180, seconds=1))
    done = await retention.nightly(sessions, PERIODS)
    assert done["closed_request_texts"] == 2
    async with sessions() as session:
        rows = (
            await session.execute(
                select(ServiceRequest.status, RequestMessage.text, RequestMessage.photos)
                .join(RequestMessage, RequestMessage.request_id == ServiceRequest.id)
                .order_by(ServiceRequest.id)
            )
        ).all()
        contacts = (
            await session.execute(
                select(ServiceRequest.contact_name, ServiceRequest.contact_username).order_by(
                    ServiceRequest.id
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("closed", "", []),
        ("rejected", "", []),
        ("new", "нове", ["file-1"]),  # still open: kept
    ]
    assert [tuple(c) for c in contacts] == [(None, None), (None, None), ("Олена", "olena")]
    assert await count(sessions, ServiceRequest) == 3  # the statistics keep every request
    assert (await retention.nightly(sessions, PERIODS))["closed_request_texts"] == 0


async def test_idle_conversations_go_after_24_hours(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        for user in (1, 2):
            session.add(
                ConversationState(bot_id=7, chat_id=user, user_id=user, state="AskForm:text")
            )
    clock.at(timedelta(hours=1))
    async with sessions() as session, session.begin():  # person 2 goes on an hour later
        await session.execute(
            update(ConversationState)
            .where(ConversationState.user_id == 2)
            .values(state="AskForm:photos", updated_at=clock.now)
        )
    clock.at(timedelta(hours=24))
    assert (await retention.nightly(sessions, PERIODS))["idle_conversations"] == 0
    clock.at(timedelta(hours=24, seconds=1))
    assert (await retention.nightly(sessions, PERIODS))["idle_conversations"] == 1
    async with sessions() as session:
        left = (await session.execute(select(ConversationState.user_id))).scalars().all()
    assert left == [2]


async def test_clear_chat_ids_go_after_48_hours(engine: AsyncEngine, clock: FrozenClock) -> None:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await chat_messages.remember(session, 5001, [1, 2])
        await chat_messages.remember(session, -100123, [3])  # a group: never kept
    clock.at(timedelta(hours=1))
    async with sessions() as session, session.begin():
        await chat_messages.remember(session, 5001, [4])
    assert await count(sessions, ChatMessage) == 3
    clock.at(timedelta(hours=48))
    assert await retention.clear_chat_ids(sessions, PERIODS) == 0
    clock.at(timedelta(hours=48, seconds=1))
    assert await retention.clear_chat_ids(sessions, PERIODS) == 2
    async with sessions() as session:
        assert await chat_messages.deletable(session, 5001, T0) == [4]


async def test_update_ids_after_7_days_and_dead_outbox_rows_after_30(
    engine: AsyncEngine, clock: FrozenClock
) -> None:
    """The two periods `scheduler/jobs.py` keeps, with the defaults /privacy states."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await record_update(session, 7, 1)
        payload = {"method": "sendMessage", "params": {"text": "x"}}
        await outbox.enqueue(session, chat_id=5001, payload=payload, dedup_key="dead")
        row = await session.scalar(select(OutboxMessage.id))
        assert row is not None
        await outbox.mark_dead(session, row, error="gave up")
    clock.at(PERIODS.processed_updates)
    assert await jobs.purge_old_updates(sessions, PERIODS.processed_updates) == 0
    clock.at(PERIODS.processed_updates + timedelta(seconds=1))
    assert await jobs.purge_old_updates(sessions, PERIODS.processed_updates) == 1
    assert await count(sessions, ProcessedUpdate) == 0
    clock.at(PERIODS.outbox)
    assert await jobs.purge_old_outbox(sessions, PERIODS.outbox) == 0
    clock.at(PERIODS.outbox + timedelta(seconds=1))
    assert await jobs.purge_old_outbox(sessions, PERIODS.outbox) == 1


def test_env_example_states_the_defaults_these_tests_freeze() -> None:
    """The periods proven above are the settings' defaults, and `.env.example` writes them
    down with the same values (180 days, 24 hours, 7 days, 30 days, 180 days, 48 hours)."""
    example = Path(__file__).resolve().parent.parent / ".env.example"
    written = dict(
        line.split("=", 1)
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "=" in line
    )
    names = {
        "closed_request_text": ("CLOSED_REQUEST_TEXT_RETENTION_DAYS", "days"),
        "idle_conversation": ("CONVERSATION_IDLE_RETENTION_HOURS", "hours"),
        "processed_updates": ("PROCESSED_UPDATES_RETENTION_DAYS", "days"),
        "outbox": ("OUTBOX_RETENTION_DAYS", "days"),
        "poll_vote_links": ("POLL_VOTE_LINK_RETENTION_DAYS", "days"),
        "clear_chat_ids": ("CLEAR_CHAT_RETENTION_HOURS", "hours"),
    }
    from_settings = policy_from(Settings.model_validate({})).retention
    assert from_settings == PERIODS
    for attribute, (name, unit) in names.items():
        stated = timedelta(**{unit: int(written[name])})
        assert stated == getattr(PERIODS, attribute), name
    assert (
        Retention(
            closed_request_text=timedelta(days=180),
            idle_conversation=timedelta(hours=24),
            processed_updates=timedelta(days=7),
            outbox=timedelta(days=30),
            poll_vote_links=timedelta(days=180),
            clear_chat_ids=timedelta(hours=48),
        )
        == PERIODS
    )
