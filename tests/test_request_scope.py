"""The right to act is part of the atomic move: the UPDATE's WHERE names the actor's scope
(moderator: their community; provider: community, category and organisation of the
routing), so a request that left someone's hands meanwhile cannot be moved by them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from flows.permissions import Action, can
from handlers.staff.access import actor_of, target_of
from storage.engine import session_factory
from storage.models import Community, RequestEvent, RequestMessage, ServiceRequest, StaffRole
from storage.repositories import requests, staff
from storage.repositories.users import touch_user

ORG_A = ("Поліція А", "Полиция А")
ORG_B = ("Поліція Б", "Полиция Б")


async def community(session: AsyncSession, code: str) -> Community:
    return (await session.execute(select(Community).where(Community.code == code))).scalar_one()


async def role(
    session: AsyncSession,
    telegram_id: int,
    kind: str,
    *,
    code: str = "DRU",
    category: str | None = None,
    org: tuple[str, str] | None = None,
) -> StaffRole:
    user = await touch_user(session, telegram_id)
    invite = await staff.create_invite(
        session,
        role=kind,
        community=await community(session, code),
        category=category,
        org_name_uk=org[0] if org else None,
        org_name_ru=org[1] if org else None,
    )
    result = await staff.accept_invite(session, invite, user)
    assert result.role is not None
    return result.role


async def new_request(session: AsyncSession, code: str = "DRU") -> ServiceRequest:
    author = await touch_user(session, 5550)
    return await requests.create_request(
        session,
        author_id=author.id,
        community_id=(await community(session, code)).id,
        category="police",
        text="питання",
        photos=[],
        urgent=False,
    )


@dataclass
class Cast:
    moderator: StaffRole
    provider_a: StaffRole
    provider_b: StaffRole
    request: ServiceRequest


async def routed_to_a(session: AsyncSession) -> Cast:
    moderator = await role(session, 8001, "moderator")
    a = await role(session, 8002, "provider", category="police", org=ORG_A)
    b = await role(session, 8003, "provider", category="police", org=ORG_B)
    request = await new_request(session)
    assert await requests.route(session, request, moderator, a)
    return Cast(moderator, a, b, request)


async def answers_of(session: AsyncSession, request_id: int) -> list[str]:
    rows = await session.execute(
        select(RequestMessage.text).where(
            RequestMessage.request_id == request_id, RequestMessage.kind == "answer"
        )
    )
    return list(rows.scalars())


# -- one session: the rights were read, then the request was routed elsewhere -----------------


async def test_provider_cannot_answer_after_routing_elsewhere(db: AsyncSession) -> None:
    cast = await routed_to_a(db)
    request, a = cast.request, cast.provider_a
    # What staff access reads before the move: the request is routed to A's organisation.
    assert request.routed_role_id == a.id and request.routed_category == a.category
    assert await requests.route(db, request, cast.moderator, cast.provider_b)
    assert await requests.answer(db, request, a, "відповідь") is requests.Move.NOT_ALLOWED
    assert await requests.ask_more(db, request, a, "ще?") is requests.Move.NOT_ALLOWED
    assert request.status == "routed" and request.routed_role_id == cast.provider_b.id
    assert await answers_of(db, request.id) == []
    assert await requests.answer(db, request, cast.provider_b, "так") is requests.Move.DONE


async def test_colleague_of_the_same_organisation_may_answer(db: AsyncSession) -> None:
    cast = await routed_to_a(db)
    colleague = await role(db, 8004, "provider", category="police", org=ORG_A)
    assert await requests.answer(db, cast.request, colleague, "ok") is requests.Move.DONE


async def test_revoked_moderator_cannot_move(db: AsyncSession) -> None:
    moderator = await role(db, 8005, "moderator")
    request = await new_request(db)
    assert await staff.revoke(db, moderator.id)
    result = await requests.claim(db, request, moderator)
    assert (result.won, result.allowed) == (False, False)
    assert await requests.reject(db, request, moderator, "spam", "") is requests.Move.NOT_ALLOWED
    closed = await requests.close(db, request, actor_kind="moderator", role=moderator)
    assert closed is requests.Move.NOT_ALLOWED
    assert request.status == "new"


async def test_finished_request_says_changed_not_refused(db: AsyncSession) -> None:
    cast = await routed_to_a(db)
    assert await requests.answer(db, cast.request, cast.provider_a, "ok")
    again = await requests.answer(db, cast.request, cast.provider_a, "ще раз")
    assert again is requests.Move.CHANGED
    assert await answers_of(db, cast.request.id) == ["ok"]


# -- the rule as SQL, case by case ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "moderators_only", "allowed"),
    [
        ("moderator", False, True),
        ("moderator", True, True),
        ("moderator of another community", False, False),
        ("revoked moderator", False, False),
        ("provider routed to", False, True),
        ("provider routed to", True, False),
        ("colleague in the organisation", False, True),
        ("provider of another organisation", False, False),
        ("provider of another category", False, False),
        ("provider of another community", False, False),
        ("revoked provider", False, False),
        ("facilitator", False, False),
    ],
)
async def test_scope_rule(db: AsyncSession, who: str, moderators_only: bool, allowed: bool) -> None:
    moderator = await role(db, 8101, "moderator")
    routed = await role(db, 8102, "provider", category="police", org=ORG_A)
    request = await new_request(db)
    assert await requests.route(db, request, moderator, routed)

    async def already_routed() -> StaffRole:
        return routed

    actors: dict[str, Callable[[], Awaitable[StaffRole]]] = {
        "moderator": lambda: role(db, 8103, "moderator"),
        "moderator of another community": lambda: role(db, 8104, "moderator", code="VUH"),
        "revoked moderator": lambda: role(db, 8105, "moderator"),
        "provider routed to": already_routed,
        "colleague in the organisation": lambda: role(
            db, 8106, "provider", category="police", org=ORG_A
        ),
        "provider of another organisation": lambda: role(
            db, 8107, "provider", category="police", org=ORG_B
        ),
        "provider of another category": lambda: role(
            db, 8108, "provider", category="social", org=ORG_A
        ),
        "provider of another community": lambda: role(
            db, 8109, "provider", code="VUH", category="police", org=ORG_A
        ),
        "revoked provider": lambda: role(db, 8110, "provider", category="police", org=ORG_A),
        "facilitator": lambda: role(db, 8111, "facilitator"),
    }
    actor = await actors[who]()
    if who.startswith("revoked"):
        assert await staff.revoke(db, actor.id)
    condition = requests.may_act(actor, moderators_only=moderators_only)
    found = await db.scalar(
        select(ServiceRequest.id).where(ServiceRequest.id == request.id, condition)
    )
    assert (found is not None) is allowed


# -- PostgreSQL: two sessions, the routing commits between the provider's read and update ----


def postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has one writer at a time (BEGIN IMMEDIATE, one connection)")


async def test_routed_elsewhere_between_read_and_update(engine: AsyncEngine, backend: str) -> None:
    postgres_only(backend)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        cast = await routed_to_a(session)
    ids = cast.request.id, cast.moderator.id, cast.provider_a.id, cast.provider_b.id
    request_id, moderator_id, a_id, b_id = ids

    async with sessions() as provider_session, provider_session.begin():
        # The provider's update reads the request and their role: routed to them.
        request = await provider_session.get(ServiceRequest, request_id)
        a = await provider_session.get(StaffRole, a_id)
        assert request is not None and a is not None and request.routed_role_id == a_id
        # Meanwhile a moderator routes it to organisation B and commits.
        async with sessions() as moderator_session, moderator_session.begin():
            again = await moderator_session.get(ServiceRequest, request_id)
            moderator = await moderator_session.get(StaffRole, moderator_id)
            b = await moderator_session.get(StaffRole, b_id)
            assert again is not None and moderator is not None and b is not None
            assert await requests.route(moderator_session, again, moderator, b)
        result = await requests.answer(provider_session, request, a, "відповідь")
    assert result is requests.Move.NOT_ALLOWED

    async with sessions() as session:
        stored = await session.get(ServiceRequest, request_id)
        assert stored is not None
        assert (stored.status, stored.routed_role_id) == ("routed", b_id)
        assert await answers_of(session, request_id) == []
        actions = await session.scalars(
            select(RequestEvent.action).where(RequestEvent.request_id == request_id)
        )
        assert "answered" not in list(actions)


async def _wait_until_blocked(engine: AsyncEngine, pid: int) -> None:
    """Return once backend `pid` waits for a lock held by another transaction."""
    async with asyncio.timeout(10), engine.connect() as conn:
        while not await conn.scalar(
            text("SELECT cardinality(pg_blocking_pids(:pid)) > 0"), {"pid": pid}
        ):
            await conn.rollback()  # a fresh snapshot for the next look
            await asyncio.sleep(0.005)


async def test_provider_update_waits_for_the_routing_then_refuses(
    engine: AsyncEngine, backend: str
) -> None:
    """The provider's UPDATE runs while the routing holds the row; PostgreSQL re-checks the
    WHERE against the committed row (scope included) and finds it no longer theirs."""
    postgres_only(backend)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        cast = await routed_to_a(session)
    request_id, moderator_id = cast.request.id, cast.moderator.id
    a_id, b_id = cast.provider_a.id, cast.provider_b.id

    async with sessions() as moderator_session, moderator_session.begin():
        request = await moderator_session.get(ServiceRequest, request_id)
        moderator = await moderator_session.get(StaffRole, moderator_id)
        b = await moderator_session.get(StaffRole, b_id)
        assert request is not None and moderator is not None and b is not None
        assert await requests.route(moderator_session, request, moderator, b)  # row locked

        async def provider_answers() -> requests.Move:
            async with sessions() as provider_session, provider_session.begin():
                pid.set_result(await provider_session.scalar(text("SELECT pg_backend_pid()")))
                mine = await provider_session.get(ServiceRequest, request_id)
                a = await provider_session.get(StaffRole, a_id)
                assert mine is not None and a is not None and mine.routed_role_id == a_id
                return await requests.answer(provider_session, mine, a, "відповідь")

        pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        answering = asyncio.create_task(provider_answers())
        await _wait_until_blocked(engine, await pid)
    assert await answering is requests.Move.NOT_ALLOWED
    async with sessions() as session:
        assert await answers_of(session, request_id) == []


# -- the SQL condition and the pure rule agree, over every role, request and move ------------

MOVES = {  # the storage moves, and whether only moderators make them
    Action.CLAIM: True,
    Action.ROUTE: True,
    Action.REJECT: True,
    Action.CLOSE: True,
    Action.ANSWER: False,
    Action.ASK_MORE: False,
}


async def test_sql_scope_agrees_with_the_permission_rule(db: AsyncSession) -> None:
    moderator = await role(db, 8201, "moderator")
    police_a = await role(db, 8202, "provider", category="police", org=ORG_A)
    actors = [
        moderator,
        await role(db, 8203, "moderator", code="VUH"),
        police_a,
        await role(db, 8204, "provider", category="police", org=ORG_A),  # a colleague
        await role(db, 8205, "provider", category="police", org=ORG_B),
        await role(db, 8206, "provider", category="social", org=ORG_A),
        await role(db, 8207, "provider", code="VUH", category="police", org=ORG_A),
        await role(db, 8208, "facilitator"),
    ]
    social_a = actors[5]
    unrouted = await new_request(db)
    routed_a = await new_request(db)
    assert await requests.route(db, routed_a, moderator, police_a)
    routed_b = await new_request(db)
    assert await requests.route(db, routed_b, moderator, actors[4])
    # A routing whose role does not match the routed category: nobody's organisation.
    mismatched = await new_request(db)
    assert await requests.route(db, mismatched, moderator, social_a)
    mismatched.routed_category = "police"
    other_community = await new_request(db, "VUH")
    targets = [unrouted, routed_a, routed_b, mismatched, other_community]
    await db.flush()

    disagreements = []
    for actor in actors:
        for request in targets:
            target = await target_of(db, request)
            for action, moderators_only in MOVES.items():
                condition = requests.may_act(actor, moderators_only=moderators_only)
                in_sql = await db.scalar(
                    select(ServiceRequest.id).where(ServiceRequest.id == request.id, condition)
                )
                if (in_sql is not None) != can(actor_of(actor), action, target):
                    disagreements.append((actor.id, request.id, action.value))
    assert disagreements == []
