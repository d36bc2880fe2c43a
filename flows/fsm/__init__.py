"""aiogram-compatible FSM helpers (State, StatesGroup, FSMContext, storages)."""

from flows.fsm.context import FSMContext
from flows.fsm.state import State, StatesGroup, StateType
from flows.fsm.storage import BaseStorage, MemoryStorage, StorageKey

__all__ = [
    "BaseStorage",
    "FSMContext",
    "MemoryStorage",
    "State",
    "StateType",
    "StatesGroup",
    "StorageKey",
]
