"""aiogram-compatible FSM helpers (State, StatesGroup, FSMContext, storages, filters)."""

from flows.fsm.context import FSMContext
from flows.fsm.exceptions import DataNotDictLikeError
from flows.fsm.filters import StateFilter, StateFilterType, state_names
from flows.fsm.state import State, StatesGroup, StateType, any_state, default_state
from flows.fsm.storage import DEFAULT_DESTINY, BaseStorage, MemoryStorage, StorageKey

__all__ = [
    "DEFAULT_DESTINY",
    "BaseStorage",
    "DataNotDictLikeError",
    "FSMContext",
    "MemoryStorage",
    "State",
    "StateFilter",
    "StateFilterType",
    "StateType",
    "StatesGroup",
    "StorageKey",
    "any_state",
    "default_state",
    "state_names",
]
