"""The SQL storage's own guarantees beyond the contract (issue 11): its per-session cache is
written once at commit, forgotten on rollback, restored on a savepoint's rollback, and
never hides a pending write from another statement of the same session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flows.fsm import StorageKey
from storage.engine import create_engine, session_factory
from storage.fsm_storage import SqlFsmStorage
from storage.models import ConversationState, ProcessedUpdate, User
from storage.repositories.users import touch_user
from tests.databases import fresh_database, postgres_url, skip_reason

BOT = 7
PERSON = 4242
KEY = StorageKey(bot_id=BOT, chat_id=PERSON, user_id=PERSON)


@pytest.fixture(params=["sqlite", "postgres"])
async def sessions(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    backend: str = request.param
    if backend == "postgres" and not postgres_url():
        pytest.skip(skip_reason())
    async with fresh_database(backend, tmp_path) as url:
        engine = create_engine(url)
        yield session_factory(engine)
        await engine.dispose()


def _engine(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    engine = sessions.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


async def _stored(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[Any, ...]]:
    async with sessions() as session:
        rows = await session.execute(
            select(ConversationState.destiny, ConversationState.state, ConversationState.data)
            .where(ConversationState.user_id == PERSON)
            .order_by(ConversationState.destiny)
        )
        return [tuple(row) for row in rows]


def _count_statements(engine: AsyncEngine, on: str) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if on in statement:
            seen.append(statement.split()[0].upper())

    return seen


async def test_writes_reach_the_table_once_at_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    seen = _count_statements(_engine(sessions), "conversation_state")
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        assert await fsm.get_state(KEY) is None
        await fsm.set_state(KEY, "Form:a")
        await fsm.set_data(KEY, {"n": 1})
        await fsm.update_data(KEY, {"m": 2})
        await fsm.set_state(KEY, "Form:b")
    # The person's load (joined with their conversation), then one upsert at the commit.
    assert seen == ["SELECT", "INSERT"]
    assert await _stored(sessions) == [("default", "Form:b", {"n": 1, "m": 2})]

    seen.clear()
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        assert await fsm.get_state(KEY) == "Form:b"  # preloaded with the person
        assert await fsm.get_data(KEY) == {"n": 1, "m": 2}
        await fsm.set_state(KEY, None)
    assert seen == ["SELECT", "INSERT"]
    assert await _stored(sessions) == [("default", None, {"n": 1, "m": 2})]


async def test_a_rollback_forgets_the_pending_writes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        await SqlFsmStorage(session).set_state(KEY, "Form:a")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with sessions() as session, session.begin():
            await touch_user(session, PERSON, bot_id=BOT)
            fsm = SqlFsmStorage(session)
            await fsm.set_state(KEY, "Form:b")
            await fsm.set_data(KEY, {"lost": True})
            raise Boom
    assert await _stored(sessions) == [("default", "Form:a", {})]


async def test_a_duplicate_update_in_the_same_session_leaves_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        session.add(ProcessedUpdate(bot_id=BOT, update_id=1))
    async with sessions() as session:
        await session.begin()
        await touch_user(session, PERSON, bot_id=BOT)
        await SqlFsmStorage(session).set_state(KEY, "Form:a")
        session.add(ProcessedUpdate(bot_id=BOT, update_id=1))
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()
        # The same session, a new transaction: the rolled-back write is not resurrected.
        async with session.begin():
            assert await SqlFsmStorage(session).get_state(KEY) is None
    assert await _stored(sessions) == []


async def test_a_savepoint_rolled_back_keeps_what_came_before_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        await fsm.set_state(KEY, "Form:before")
        await fsm.set_data(KEY, {"kept": 1})
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await fsm.set_state(KEY, "Form:inside")
                await session.execute(select(ConversationState))  # written inside it
                session.add(User(telegram_id=PERSON))  # a duplicate: the savepoint fails
        assert await fsm.get_state(KEY) == "Form:before"
        async with session.begin_nested():  # a savepoint that is released keeps its writes
            await fsm.update_data(KEY, {"released": 2})
    assert await _stored(sessions) == [("default", "Form:before", {"kept": 1, "released": 2})]


async def test_another_statement_sees_the_pending_write(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        await fsm.set_state(KEY, "Form:a")
        joined = await session.execute(
            select(User.telegram_id, ConversationState.state).join(
                ConversationState, ConversationState.user_id == User.telegram_id
            )
        )
        assert joined.all() == [(PERSON, "Form:a")]


async def test_a_delete_by_someone_else_is_not_undone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """As erasure does: the rows deleted in the update's own session stay deleted."""
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        await SqlFsmStorage(session).set_state(KEY, "Form:a")
    async with sessions() as session, session.begin():
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        await fsm.set_state(KEY, "Form:b")
        await session.execute(delete(ConversationState).where(ConversationState.user_id == PERSON))
        assert await fsm.get_state(KEY) is None
    assert await _stored(sessions) == []


async def test_a_commit_in_the_middle_of_an_update_forgets_the_cache(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A session that commits and goes on (a handler's commit mid-update) reads the table
    again afterwards: a change another session made after that commit is seen, not the row
    this session had cached before it."""
    async with sessions() as session:
        await touch_user(session, PERSON, bot_id=BOT)
        fsm = SqlFsmStorage(session)
        await fsm.set_state(KEY, "Form:mine")
        await session.commit()
        async with sessions() as other, other.begin():
            await other.execute(
                update(ConversationState)
                .where(ConversationState.user_id == PERSON)
                .values(state="Form:theirs")
            )
        assert await fsm.get_state(KEY) == "Form:theirs"
        await session.commit()
    assert await _stored(sessions) == [("default", "Form:theirs", {})]
