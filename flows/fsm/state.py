"""`State` and `StatesGroup`, named, nested and filtering as in aiogram 3.

    class Ask(StatesGroup):
        text = State()                      # "Ask:text"

        class Confirm(StatesGroup):
            yes = State()                   # "Ask.Confirm:yes"

A state, a group (an instance, as aiogram's `StateFilter` makes of a group class) and
`any_state` are filters: `Ask.text(event, raw_state) -> bool`. `default_state` is "no
state" (`None`); `any_state` (`"*"`) matches every state, `None` included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ANY = "*"
NO_GROUP = "@"  # the group part of a State declared outside any StatesGroup


class State:
    """One state a conversation can wait in; named by the group it is declared in."""

    def __init__(self, state: str | None = None, group_name: str | None = None) -> None:
        self._state = state
        self._group_name = group_name
        self._group: type[StatesGroup] | None = None

    @property
    def group(self) -> type[StatesGroup]:
        if self._group is None:
            raise RuntimeError(f"{self} is not declared in a StatesGroup")
        return self._group

    @property
    def state(self) -> str | None:
        """The stored name: `"Group.Child:name"`, `"@:name"` outside a group, `"*"`, None."""
        if self._state is None or self._state == ANY:
            return self._state
        if self._group_name is not None:
            prefix = self._group_name
        elif self._group is not None:
            prefix = self._group.__full_group_name__
        else:
            prefix = NO_GROUP
        return f"{prefix}:{self._state}"

    def set_parent(self, group: type[StatesGroup]) -> None:
        if not (isinstance(group, type) and issubclass(group, StatesGroup)):
            raise ValueError(f"a State belongs in a StatesGroup subclass, not in {group!r}")
        self._group = group

    def __set_name__(self, owner: type, name: str) -> None:
        if self._state is None:
            self._state = name
        # Python 3.11 reports this as a RuntimeError whose __cause__ is the ValueError;
        # 3.12+ raises the ValueError itself (PEP 678), as aiogram's does.
        self.set_parent(owner)

    def __call__(self, event: object = None, raw_state: str | None = None) -> bool:
        """Filter: is the conversation in this state? `any_state` says yes to every state."""
        if self._state == ANY:
            return True
        return raw_state == self.state

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


class StatesGroupMeta(type):
    """Collects a group's states and child groups; the child learns its parent here."""

    __parent__: type[StatesGroup] | None
    __childs__: tuple[type[StatesGroup], ...]
    __states__: tuple[State, ...]

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
        cls = super().__new__(mcs, name, bases, namespace)
        states: list[State] = []
        childs: list[type[StatesGroup]] = []
        for value in namespace.values():
            if isinstance(value, State):
                states.append(value)
            elif isinstance(value, StatesGroupMeta):
                value.__parent__ = cls  # type: ignore[assignment]  # cls is a StatesGroup
                childs.append(value)  # type: ignore[arg-type]
        cls.__parent__ = None
        cls.__childs__ = tuple(childs)
        cls.__states__ = tuple(states)
        return cls

    # Computed on each use rather than cached: a child is complete before its parent
    # exists, so a cached name would miss the parents declared around it.
    @property
    def __full_group_name__(cls) -> str:
        if cls.__parent__ is None:
            return cls.__name__
        return f"{cls.__parent__.__full_group_name__}.{cls.__name__}"

    @property
    def __state_names__(cls) -> tuple[str, ...]:
        return tuple(s.state for s in cls.__states__ if s.state)

    @property
    def __all_childs__(cls) -> tuple[type[StatesGroup], ...]:
        """Every group nested in this one, at any depth, parents before their children."""
        result: list[type[StatesGroup]] = []
        for child in cls.__childs__:
            result.append(child)
            result.extend(child.__all_childs__)
        return tuple(result)

    @property
    def __all_states__(cls) -> tuple[State, ...]:
        """The group's own states, then those of its children at any depth."""
        result = list(cls.__states__)
        for child in cls.__childs__:
            result.extend(child.__all_states__)
        return tuple(result)

    @property
    def __all_states_names__(cls) -> tuple[str, ...]:
        return tuple(s.state for s in cls.__all_states__ if s.state)

    def __contains__(cls, item: object) -> bool:
        if isinstance(item, str):
            return item in cls.__all_states_names__
        if isinstance(item, State):
            return item in cls.__all_states__
        if isinstance(item, StatesGroupMeta):
            return item in cls.__all_childs__
        return False

    def __iter__(cls) -> Iterator[State]:
        return iter(cls.__all_states__)

    def __str__(cls) -> str:
        return f"<StatesGroup '{cls.__full_group_name__}'>"


class StatesGroup(metaclass=StatesGroupMeta):
    """Declare states as class attributes: `class RequestForm(StatesGroup): text = State()`."""

    @classmethod
    def get_root(cls) -> type[StatesGroup]:
        """The outermost group this one is nested in (itself when it is not nested)."""
        return cls if cls.__parent__ is None else cls.__parent__.get_root()

    def __call__(self, event: object = None, raw_state: str | None = None) -> bool:
        """Filter: is the conversation in one of this group's states, nested ones included?"""
        return raw_state in type(self).__all_states_names__

    def __str__(self) -> str:
        return f"StatesGroup {type(self).__full_group_name__}"


default_state = State()
any_state = State(state=ANY)

StateType = str | State | None


def state_name(state: StateType) -> str | None:
    """The stored form of a state: its full name, or None."""
    return state.state if isinstance(state, State) else state
