"""Migration 0004: the full aiogram key in `conversation_state`, and old state names.

A person in the middle of a flow when 0004 is deployed resumes at the same step: the row
written under the old schema (and, for nested groups, under the old name) is read back by
the new code, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from flows.fsm import FSMContext, State, StatesGroup, StorageKey
from flows.fsm.legacy import pre_nesting_names
from flows.onboarding import OnboardingFlow, OnboardingForm
from storage.engine import create_engine, session_factory
from storage.fsm_storage import SqlFsmStorage
from storage.migrate import MIGRATIONS, alembic_config
from tests.databases import postgres_url

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


def _migration_0004() -> ModuleType:
    path = next((MIGRATIONS / "versions").glob("0004_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def empty_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with no schema at all (so a test picks the revision)."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        await engine.dispose()
        return
    base = postgres_url()
    assert base
    name = f"hromada_m_{uuid.uuid4().hex[:12]}"
    admin_dsn = make_url(base).set(drivername="postgresql", database="postgres")
    admin = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        engine = create_engine(make_url(base).set(database=name).render_as_string(False))
        try:
            yield engine
        finally:
            await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _alembic(engine: AsyncEngine, action: Callable[..., None], revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: action(alembic_config(sync), revision))


async def _write_old_row(engine: AsyncEngine, state: str, data: str) -> None:
    """A row as the code before 0004 wrote it: no business_connection_id column."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO conversation_state"
                " (bot_id, chat_id, user_id, thread_id, destiny, state, data, updated_at)"
                " VALUES (1, 42, 42, 0, 'default', :state, :data, CURRENT_TIMESTAMP)"
            ),
            {"state": state, "data": data},
        )


async def _stored(engine: AsyncEngine, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
    async with session_factory(engine)() as session, session.begin():
        fsm = FSMContext(SqlFsmStorage(session), key)
        return await fsm.get_state(), await fsm.get_data()


def _primary_key(sync: Connection) -> list[str]:
    columns: list[str] = inspect(sync).get_pk_constraint("conversation_state")[
        "constrained_columns"
    ]
    return columns


async def test_a_conversation_in_progress_resumes_after_0004(empty_engine: AsyncEngine) -> None:
    await _alembic(empty_engine, command.upgrade, "0003")
    await _write_old_row(empty_engine, OnboardingForm.community.state or "", '{"page": 1}')
    await _alembic(empty_engine, command.upgrade, "head")

    state, data = await _stored(empty_engine, KEY)
    assert state == "OnboardingForm:community"
    assert data == {"page": 1}
    step = OnboardingFlow.handle(state, data, "choose_community", community_id=5, known_ids={5})
    assert step.accepted
    assert step.state is None  # the flow went on from the step it was at, and finished


async def test_0004_puts_every_key_field_in_the_primary_key(empty_engine: AsyncEngine) -> None:
    await _alembic(empty_engine, command.upgrade, "head")
    async with empty_engine.connect() as conn:
        assert await conn.run_sync(_primary_key) == [
            "bot_id",
            "chat_id",
            "user_id",
            "thread_id",
            "business_connection_id",
            "destiny",
        ]


async def test_0004_downgrades_and_keeps_plain_conversations(empty_engine: AsyncEngine) -> None:
    await _alembic(empty_engine, command.upgrade, "head")
    business = StorageKey(bot_id=1, chat_id=42, user_id=42, business_connection_id="biz")
    async with session_factory(empty_engine)() as session, session.begin():
        storage = SqlFsmStorage(session)
        await storage.set_state(KEY, OnboardingForm.language)
        await storage.set_state(business, OnboardingForm.community)
    await _alembic(empty_engine, command.downgrade, "0003")
    async with empty_engine.connect() as conn:
        assert "business_connection_id" not in await conn.run_sync(_primary_key)
        rows = (await conn.execute(text("SELECT state FROM conversation_state"))).all()
    assert [row.state for row in rows] == ["OnboardingForm:language"]


def test_no_production_group_nests_so_0004_renames_nothing() -> None:
    from flows.ask import AskForm
    from flows.reply import ReplyForm
    from flows.staff import StaffForm

    module = _migration_0004()
    assert module.RENAMED_STATES == {}
    # Each value of the frozen map must still be a declared state (none today).
    declared = {
        name
        for group in (OnboardingForm, AskForm, ReplyForm, StaffForm)
        for name in group.__all_states_names__
    }
    assert set(module.RENAMED_STATES.values()) <= declared


# --- the mechanism for nested groups ---------------------------------------------------


class Order(StatesGroup):
    items = State()

    class Confirm(StatesGroup):
        yes = State()

        class Payment(StatesGroup):
            card = State()


class Refund(StatesGroup):
    class Reason(StatesGroup):
        text = State()


def test_pre_nesting_names_maps_old_names_of_nested_states() -> None:
    assert pre_nesting_names(Order, Refund) == {
        "Confirm:yes": "Order.Confirm:yes",
        "Payment:card": "Order.Confirm.Payment:card",
        "Reason:text": "Refund.Reason:text",
    }
    assert pre_nesting_names(Order.Confirm.Payment) == pre_nesting_names(Order)  # from its root


def test_pre_nesting_names_refuses_an_ambiguous_old_name() -> None:
    class A(StatesGroup):
        class Confirm(StatesGroup):
            yes = State()

    class B(StatesGroup):
        class Confirm(StatesGroup):
            yes = State()

    class Confirm(StatesGroup):  # a top-level group whose current name is an old one
        yes = State()

    with pytest.raises(ValueError, match="Confirm:yes"):
        pre_nesting_names(A, B)
    with pytest.raises(ValueError, match="Confirm:yes"):
        pre_nesting_names(A, Confirm)


async def test_a_row_under_an_old_nested_name_resumes_at_the_same_step(
    empty_engine: AsyncEngine,
) -> None:
    await _alembic(empty_engine, command.upgrade, "0003")
    await _write_old_row(empty_engine, "Confirm:yes", '{"items": 3}')
    await _alembic(empty_engine, command.upgrade, "head")
    renames = pre_nesting_names(Order)
    async with empty_engine.begin() as conn:
        changed = await conn.run_sync(lambda sync: _migration_0004().rename_states(sync, renames))
    assert changed == 1

    state, data = await _stored(empty_engine, KEY)
    assert state == "Order.Confirm:yes"
    assert data == {"items": 3}
    # what picks the step's handler and its flow: the state filter and group membership
    assert Order.Confirm.yes(None, state)
    assert state in Order
    assert Order.Confirm()(None, state)
