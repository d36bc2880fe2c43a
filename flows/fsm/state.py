"""`State` and `StatesGroup`, named as in aiogram 3.

`RequestForm.text.state == "RequestForm:text"`.
"""

from __future__ import annotations

from typing import Any


class State:
    """One state a conversation can wait in; named by the group it is declared in."""

    def __init__(self, state: str | None = None, group_name: str | None = None) -> None:
        self._state = state
        self._group_name = group_name
        self._group: type[StatesGroup] | None = None

    @property
    def group(self) -> type[StatesGroup]:
        if self._group is None:
            raise RuntimeError("State is not declared in a StatesGroup")
        return self._group

    @property
    def state(self) -> str | None:
        if self._state is None or self._state == "*":
            return self._state
        group = self._group_name or (self._group.__full_group_name__ if self._group else None)
        return f"{group}:{self._state}" if group else self._state

    def set_parent(self, group: type[StatesGroup]) -> None:
        self._group = group
        if self._group_name is None:
            self._group_name = group.__full_group_name__

    def __set_name__(self, owner: type, name: str) -> None:
        if self._state is None:
            self._state = name

    def __str__(self) -> str:
        return f"<State '{self.state or ''}'>"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, State):
            return self.state == other.state
        if isinstance(other, str):
            return self.state == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.state)


class _StatesGroupMeta(type):
    __parent__: type[StatesGroup] | None
    __childs__: tuple[type[StatesGroup], ...]
    __states__: tuple[State, ...]
    __state_names__: tuple[str, ...]
    __full_group_name__: str

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
        cls = super().__new__(mcs, name, bases, namespace)
        states: list[State] = []
        childs: list[type[StatesGroup]] = []
        cls.__full_group_name__ = name
        for value in namespace.values():
            if isinstance(value, State):
                states.append(value)
            elif isinstance(value, type) and issubclass(value, StatesGroup):
                childs.append(value)
        cls.__parent__ = None
        cls.__childs__ = tuple(childs)
        cls.__states__ = tuple(states)
        for state in states:
            state.set_parent(cls)  # type: ignore[arg-type]
        cls.__state_names__ = tuple(s.state for s in states if s.state)
        return cls

    def __contains__(cls, item: object) -> bool:
        if isinstance(item, str):
            return item in cls.__state_names__
        if isinstance(item, State):
            return item in cls.__states__
        return False

    @property
    def __all_states__(cls) -> tuple[State, ...]:
        result = list(cls.__states__)
        for child in cls.__childs__:
            result.extend(child.__all_states__)
        return tuple(result)


class StatesGroup(metaclass=_StatesGroupMeta):
    """Declare states as class attributes: `class RequestForm(StatesGroup): text = State()`."""


StateType = str | State | None


def state_name(state: StateType) -> str | None:
    """The stored form of a state: its full name, or None."""
    return state.state if isinstance(state, State) else state
