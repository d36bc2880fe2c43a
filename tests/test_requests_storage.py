"""Request life cycle in storage: numbering, atomic claims, allowed moves, statistics."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import session_factory
from storage.models import Community, ServiceRequest, StaffRole
from storage.repositories import requests, staff
from storage.repositories.users import touch_user
from storage.types import utcnow


async def community(session: AsyncSession, code: str = "DRU") -> Community:
    return (await session.execute(select(Community).where(Community.code == code))).scalar_one()


async def new_request(session: AsyncSession, text: str = "питання") -> ServiceRequest:
    user = await touch_user(session, 555)
    dru = await community(session)
    return await requests.create_request(
        session,
        author_id=user.id,
        community_id=dru.id,
        category="police",
        text=text,
        photos=[],
        urgent=False,
    )


async def moderator(session: AsyncSession, telegram_id: int) -> StaffRole:
    user = await touch_user(session, telegram_id)
    code = await staff.create_invite(session, role="moderator", community=await community(session))
    result = await staff.accept_invite(session, code, user)
    assert result.role is not None
    return result.role


async def test_numbers_are_per_community(db: AsyncSession) -> None:
    first = await new_request(db)
    second = await new_request(db)
    assert (first.number, second.number) == (1, 2)
    assert await requests.reference_of(db, second) == "DRU-0002"
    thread = await requests.thread(db, first.id, include_notes=False)
    assert [m.kind for m in thread] == ["question"]


async def test_invite_works_once_and_expires(db: AsyncSession) -> None:
    dru = await community(db)
    user = await touch_user(db, 777)
    code = await staff.create_invite(db, role="moderator", community=dru)
    assert (await staff.accept_invite(db, code, user)).role is not None
    assert (await staff.accept_invite(db, code, user)).problem == "used"
    assert (await staff.accept_invite(db, "inv_nonsense", user)).problem == "unknown"
    old = await staff.create_invite(
        db, role="moderator", community=dru, valid_for=timedelta(seconds=-1)
    )
    assert (await staff.accept_invite(db, old, user)).problem == "expired"


async def test_moves_only_from_allowed_states(db: AsyncSession) -> None:
    request = await new_request(db)
    mod = await moderator(db, 901)
    assert (await requests.claim(db, request, mod)).won
    assert request.status == "in_review"
    assert await requests.answer(db, request, mod, "відповідь")
    assert not await requests.ask_more(db, request, mod, "ще?")  # answered is not open
    assert await requests.rate(db, request, helped=True)
    assert await requests.reopen(db, request)
    assert request.status == "in_review"
    assert await requests.reject(db, request, mod, "spam", "")
    assert not await requests.reopen(db, request)
    actions = [e.action for e in await requests.events(db, request.id)]
    assert actions == ["created", "claimed", "answered", "rated", "reopened", "rejected"]


async def test_reopen_window_is_seven_days(db: AsyncSession) -> None:
    request = await new_request(db)
    mod = await moderator(db, 902)
    await requests.answer(db, request, mod, "ok")
    assert requests.can_reopen(request, utcnow() + timedelta(days=6))
    assert not requests.can_reopen(request, utcnow() + timedelta(days=8))


async def test_two_moderators_claim_at_once_exactly_one_wins(
    backend: str, engine: AsyncEngine
) -> None:
    """Both sessions have read the request as new before either claims it, so only the
    conditional UPDATE can stop the second. PostgreSQL only: SQLite runs one writing
    transaction at a time (BEGIN IMMEDIATE), so there two claims can never overlap."""
    if backend != "postgres":
        pytest.skip("SQLite serialises writers: two claims cannot overlap there")
    sessions = session_factory(engine)
    both_have_read = asyncio.Barrier(2)
    async with sessions() as session, session.begin():
        request_id = (await new_request(session)).id
        roles = [(await moderator(session, 910)).id, (await moderator(session, 911)).id]

    async def press(role_id: int) -> bool:
        async with sessions() as session, session.begin():
            request = await session.get(ServiceRequest, request_id)
            role = await session.get(StaffRole, role_id)
            assert request is not None and role is not None
            assert request.status == "new" and request.claimed_by_role_id is None
            await both_have_read.wait()
            return (await requests.claim(session, request, role)).won

    results = await asyncio.gather(*(press(r) for r in roles))
    assert sorted(results) == [False, True]
    async with sessions() as session:
        request = await session.get(ServiceRequest, request_id)
        assert request is not None
        assert request.claimed_by_role_id == roles[results.index(True)]


async def test_stats(db: AsyncSession) -> None:
    a, b = await new_request(db), await new_request(db)
    mod = await moderator(db, 903)
    await requests.answer(db, a, mod, "ok")
    await requests.rate(db, a, helped=True)
    result = await requests.stats(db, a.community_id, 7)
    assert result.total == 2 and result.by_category == {"police": 2}
    assert result.by_status == {"answered": 1, "new": 1}
    assert result.rated == 1 and result.helped == 1
    assert result.median_first_answer is not None
    # The figures follow the rows: once `b` is taken it counts as in review.
    assert (await requests.claim(db, b, mod)).won
    later = await requests.stats(db, a.community_id, 7)
    assert later.total == 2 and later.by_status == {"answered": 1, "in_review": 1}


async def test_delivered_notifications_are_forgotten_after_retention(db: AsyncSession) -> None:
    from storage.repositories import outbox

    payload = {"method": "sendMessage", "params": {"text": "x"}}
    assert await outbox.enqueue(db, chat_id=1, payload=payload, dedup_key="old")
    assert await outbox.enqueue(db, chat_id=1, payload=payload, dedup_key="fresh")
    rows = await outbox.claim_due(db, limit=10, now=utcnow())
    for row in rows:
        await outbox.mark_sent(
            db, row.id, now=utcnow() - timedelta(days=40 if row.dedup_key == "old" else 1)
        )
    assert await outbox.purge_sent(db, utcnow() - timedelta(days=30)) == 1
    assert await outbox.pending_count(db) == 0
