"""One contract, every storage: memory, and SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from flows.fsm import BaseStorage, FSMContext, MemoryStorage, State, StatesGroup, StorageKey
from storage.engine import create_engine, session_factory
from storage.fsm_storage import SqlFsmStorage
from tests.databases import fresh_database, postgres_url, skip_reason


class Form(StatesGroup):
    name = State()
    age = State()


KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)
OTHER = StorageKey(bot_id=1, chat_id=43, user_id=43)


@pytest.fixture(params=["memory", "sql-sqlite", "sql-postgres"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    kind: str = request.param
    if kind == "memory":
        yield MemoryStorage()
        return
    backend = kind.removeprefix("sql-")
    if backend == "postgres" and not postgres_url():
        pytest.skip(skip_reason())
    async with fresh_database(backend, tmp_path) as url:
        engine = create_engine(url)
        async with session_factory(engine)() as session, session.begin():
            yield SqlFsmStorage(session)
        await engine.dispose()


async def test_empty_key_has_no_state_and_no_data(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    assert await storage.get_value(KEY, "missing", "fallback") == "fallback"


async def test_state_accepts_state_objects_strings_and_none(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    assert await storage.get_state(KEY) == "Form:name"
    await storage.set_state(KEY, "Form:age")
    assert await storage.get_state(KEY) == "Form:age"
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_data_is_copied_not_shared(storage: BaseStorage) -> None:
    original: dict[str, Any] = {"items": [1, 2], "nested": {"a": "б"}}
    await storage.set_data(KEY, original)
    original["items"].append(3)
    stored = await storage.get_data(KEY)
    assert stored == {"items": [1, 2], "nested": {"a": "б"}}
    stored["items"].append(99)
    assert (await storage.get_data(KEY))["items"] == [1, 2]


async def test_update_data_merges_and_returns_the_result(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"a": 1, "b": 2})
    result = await storage.update_data(KEY, {"b": 3, "c": "текст"})
    assert result == {"a": 1, "b": 3, "c": "текст"}
    assert await storage.get_data(KEY) == result


async def test_keys_are_independent(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, {"x": 1})
    assert await storage.get_state(OTHER) is None
    assert await storage.get_data(OTHER) == {}
    thread = StorageKey(bot_id=1, chat_id=42, user_id=42, thread_id=7)
    destiny = StorageKey(bot_id=1, chat_id=42, user_id=42, destiny="other")
    assert await storage.get_state(thread) is None
    assert await storage.get_state(destiny) is None


async def test_set_data_rejects_a_non_mapping(storage: BaseStorage) -> None:
    with pytest.raises(TypeError):
        await storage.set_data(KEY, ["not", "a", "mapping"])  # type: ignore[arg-type]


async def test_fsm_context_follows_aiogram(storage: BaseStorage) -> None:
    fsm = FSMContext(storage, KEY)
    await fsm.set_state(Form.age)
    assert await fsm.get_state() == Form.age.state
    assert await fsm.update_data({"a": 1}, b=2) == {"a": 1, "b": 2}
    assert await fsm.update_data(c=3) == {"a": 1, "b": 2, "c": 3}
    assert await fsm.get_value("b") == 2
    assert await fsm.get_value("zzz") is None
    assert await fsm.get_value("zzz", 5) == 5
    await fsm.clear()
    assert await fsm.get_state() is None
    assert await fsm.get_data() == {}
