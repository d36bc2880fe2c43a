"""One contract, every storage: memory, and SQL on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypedDict

import pytest

from flows.fsm import (
    BaseStorage,
    DataNotDictLikeError,
    FSMContext,
    MemoryStorage,
    State,
    StatesGroup,
    StorageKey,
)
from storage.engine import create_engine, session_factory
from storage.fsm_storage import SqlFsmStorage
from tests.databases import fresh_database, postgres_url, skip_reason


class Form(StatesGroup):
    name = State()
    age = State()

    class Confirm(StatesGroup):
        yes = State()


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


# Keys that differ from KEY in exactly one field, each field in turn.
VARIANTS = {
    "bot_id": StorageKey(bot_id=2, chat_id=42, user_id=42),
    "chat_id": StorageKey(bot_id=1, chat_id=-42, user_id=42),
    "user_id": StorageKey(bot_id=1, chat_id=42, user_id=43),
    "thread_id": StorageKey(bot_id=1, chat_id=42, user_id=42, thread_id=7),
    "business_connection_id": StorageKey(
        bot_id=1, chat_id=42, user_id=42, business_connection_id="biz-1"
    ),
    "destiny": StorageKey(bot_id=1, chat_id=42, user_id=42, destiny="other"),
}


@pytest.mark.parametrize("field", sorted(VARIANTS))
async def test_every_key_field_keeps_conversations_apart(storage: BaseStorage, field: str) -> None:
    other = VARIANTS[field]
    await storage.set_state(KEY, Form.name)
    await storage.set_data(KEY, {"who": "key"})
    await storage.set_state(other, Form.age)
    await storage.set_data(other, {"who": field})
    assert await storage.get_state(KEY) == "Form:name"
    assert await storage.get_data(KEY) == {"who": "key"}
    assert await storage.get_state(other) == "Form:age"
    assert await storage.get_data(other) == {"who": field}


async def test_two_business_connections_of_one_person_are_apart(storage: BaseStorage) -> None:
    first = StorageKey(bot_id=1, chat_id=42, user_id=42, business_connection_id="biz-1")
    second = StorageKey(bot_id=1, chat_id=42, user_id=42, business_connection_id="biz-2")
    await storage.set_state(first, Form.name)
    assert await storage.get_state(second) is None
    await storage.set_state(second, Form.age)
    assert await storage.get_state(first) == "Form:name"
    assert await storage.get_state(KEY) is None


async def test_nested_states_are_stored_under_their_full_name(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.Confirm.yes)
    assert await storage.get_state(KEY) == "Form.Confirm:yes"
    assert await storage.get_state(KEY) in Form
    assert Form.Confirm.yes(None, await storage.get_state(KEY))


class Profile(TypedDict, total=False):
    foo: str
    bar: str


async def test_set_data_takes_dict_likes_and_rejects_the_rest(storage: BaseStorage) -> None:
    await storage.set_data(KEY, Profile(foo="bar", bar="baz"))
    assert await storage.get_data(KEY) == {"foo": "bar", "bar": "baz"}
    for wrong in ((), ["not", "a", "mapping"], "text", 42):
        with pytest.raises(TypeError):
            await storage.set_data(KEY, wrong)  # type: ignore[arg-type]
    assert await storage.get_data(KEY) == {"foo": "bar", "bar": "baz"}  # left as it was


async def test_fsm_context_set_data_raises_aiogram_s_error(storage: BaseStorage) -> None:
    fsm = FSMContext(storage, KEY)
    await fsm.set_data({"kept": True})
    with pytest.raises(DataNotDictLikeError, match="got tuple"):
        await fsm.set_data(())  # type: ignore[arg-type]
    assert await fsm.get_data() == {"kept": True}
    assert issubclass(DataNotDictLikeError, TypeError)


async def test_memory_storage_raises_aiogram_s_error_itself() -> None:
    with pytest.raises(DataNotDictLikeError):
        await MemoryStorage().set_data(KEY, ())  # type: ignore[arg-type]


async def test_every_storage_is_a_base_storage(storage: BaseStorage) -> None:
    assert isinstance(storage, BaseStorage)
    assert not isinstance(object(), BaseStorage)
    await storage.close()  # harmless: nothing of the storage's own to release


async def test_get_value_and_update_data_as_aiogram(storage: BaseStorage) -> None:
    assert await storage.get_value(KEY, "foo") is None
    assert await storage.get_value(KEY, "foo", "baz") == "baz"
    assert await storage.update_data(KEY, {"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {}) == {"foo": "bar"}
    assert await storage.get_value(KEY, "foo", "baz") == "bar"
    await storage.set_data(KEY, {})
    assert await storage.get_value(KEY, "foo") is None
    await storage.set_data(KEY, {"items": [1]})
    value = await storage.get_value(KEY, "items", [])
    value.append(2)
    assert await storage.get_value(KEY, "items") == [1]


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


async def test_fsm_context_addresses_only_its_key(storage: BaseStorage) -> None:
    mine, theirs = FSMContext(storage, KEY), FSMContext(storage, OTHER)
    await mine.set_state("test")
    await mine.set_data({"foo": "bar"})
    await theirs.set_state("experiments")
    await mine.update_data({"key": "value"})
    assert await mine.get_data() == {"foo": "bar", "key": "value"}
    assert await theirs.get_data() == {}
    await mine.clear()
    assert await mine.get_state() is None
    assert await theirs.get_state() == "experiments"


async def test_memory_storage_can_be_seeded_as_aiogram_s() -> None:
    storage = MemoryStorage()
    record = storage.storage[KEY]
    record.state = "test"
    record.data = {"foo": "bar"}
    fsm = FSMContext(storage, KEY)
    assert await fsm.get_state() == "test"
    assert await fsm.get_value("foo") == "bar"
    assert await storage.get_state(OTHER) is None
    assert OTHER not in storage.storage  # a read creates no record
