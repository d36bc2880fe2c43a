"""Where conversation state lives: the `BaseStorage` contract, its key, a memory storage.

The SQL storage (table `conversation_state`) is in `storage/fsm_storage.py`; both pass
`tests/test_fsm_storage_contract.py`.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flows.fsm.state import StateType, state_name

DEFAULT_DESTINY = "default"


@dataclass(frozen=True)
class StorageKey:
    """Whose conversation: aiogram 3's key, field for field."""

    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int | None = None
    business_connection_id: str | None = None
    destiny: str = DEFAULT_DESTINY


class BaseStorage(Protocol):
    """aiogram 3's storage contract: state and a JSON-able data dict per key.

    A protocol, so that `storage.fsm_storage.SqlFsmStorage` satisfies it without importing
    this layer; `MemoryStorage` subclasses it and inherits the default methods.
    """

    @abstractmethod
    async def set_state(self, key: StorageKey, state: StateType = None) -> None: ...

    @abstractmethod
    async def get_state(self, key: StorageKey) -> str | None: ...

    @abstractmethod
    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None: ...

    @abstractmethod
    async def get_data(self, key: StorageKey) -> dict[str, Any]: ...

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
class _Record:
    state: str | None = None
    data: dict[str, Any] | None = None


class MemoryStorage(BaseStorage):
    """Keeps everything in a dict; for flow unit tests, lost on restart."""

    def __init__(self) -> None:
        self._records: dict[StorageKey, _Record] = {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        self._records.setdefault(key, _Record()).state = state_name(state)

    async def get_state(self, key: StorageKey) -> str | None:
        record = self._records.get(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError("data must be a mapping")
        self._records.setdefault(key, _Record()).data = copy.deepcopy(dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = self._records.get(key)
        return copy.deepcopy(record.data) if record and record.data else {}
