"""Where conversation state lives: the `BaseStorage` contract, its key, a memory storage.

The SQL storage (table `conversation_state`) is in `storage/fsm_storage.py`; both pass
`tests/test_fsm_storage_contract.py`.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, overload, runtime_checkable

from flows.fsm.exceptions import DataNotDictLikeError, check_dict_like
from flows.fsm.state import StateType, state_name

DEFAULT_DESTINY = "default"

__all__ = [
    "DEFAULT_DESTINY",
    "BaseStorage",
    "DataNotDictLikeError",
    "MemoryStorage",
    "MemoryStorageRecord",
    "StorageKey",
]


@dataclass(frozen=True)
class StorageKey:
    """Whose conversation: aiogram 3's key, field for field."""

    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int | None = None
    business_connection_id: str | None = None
    destiny: str = DEFAULT_DESTINY


@runtime_checkable
class BaseStorage(Protocol):
    """aiogram 3's storage contract: state and a JSON-able data dict per key.

    A runtime-checkable protocol rather than aiogram's ABC: `storage.fsm_storage.
    SqlFsmStorage` satisfies it (and `isinstance(sql, BaseStorage)` is true) without
    importing this layer. Subclassing it, as `MemoryStorage` does and as an aiogram user
    would, inherits the default `get_value`, `update_data` and `close`; the four abstract
    methods must be written. `isinstance` checks the methods exist, not their signatures.
    """

    @abstractmethod
    async def set_state(self, key: StorageKey, state: StateType = None) -> None: ...

    @abstractmethod
    async def get_state(self, key: StorageKey) -> str | None: ...

    @abstractmethod
    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None: ...

    @abstractmethod
    async def get_data(self, key: StorageKey) -> dict[str, Any]: ...

    @overload
    async def get_value(self, storage_key: StorageKey, dict_key: str) -> Any | None: ...

    @overload
    async def get_value(self, storage_key: StorageKey, dict_key: str, default: Any) -> Any: ...

    async def get_value(
        self, storage_key: StorageKey, dict_key: str, default: Any | None = None
    ) -> Any | None:
        data = await self.get_data(storage_key)
        return copy.deepcopy(data.get(dict_key, default))

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        current = await self.get_data(key)
        current.update(data)
        await self.set_data(key, current)
        return current.copy()

    async def close(self) -> None:
        """Release resources; nothing to do for most storages."""
        return None


@dataclass
class MemoryStorageRecord:
    data: dict[str, Any] = field(default_factory=dict)
    state: str | None = None


class MemoryStorage(BaseStorage):
    """Keeps everything in a dict; for flow unit tests, lost on restart.

    `storage` is a defaultdict of records, as aiogram's (tests may seed it directly);
    reads use `.get`, so asking about a key does not create a record.
    """

    def __init__(self) -> None:
        self.storage: defaultdict[StorageKey, MemoryStorageRecord] = defaultdict(
            MemoryStorageRecord
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self.storage[key].state = state_name(state)

    async def get_state(self, key: StorageKey) -> str | None:
        record = self.storage.get(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        check_dict_like(data)
        self.storage[key].data = copy.deepcopy(dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self.storage.get(key)
        return copy.deepcopy(record.data) if record else {}
