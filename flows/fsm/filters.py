"""State filters as aiogram's: `StateFilter(*states)`, and the names a filter stands for.

A `State`, a `StatesGroup` instance and `any_state` are filters themselves
(`flows.fsm.state`); `StateFilter` also takes a group class, a raw name or None ("no
state"), as `aiogram.filters.StateFilter` does. Our router is keyed by state name, so it
registers a filter under `state_names(filter)`.
"""

from __future__ import annotations

from typing import TypeAlias

from flows.fsm.state import ANY, State, StatesGroup

StateFilterType: TypeAlias = str | State | StatesGroup | type[StatesGroup] | None


def state_names(spec: StateFilterType) -> tuple[str | None, ...]:
    """The stored names `spec` matches: one state, all of a group's (nested ones too),
    `"*"` for `any_state`, `None` for `default_state` / no state."""
    if isinstance(spec, State):
        return (spec.state,)
    if isinstance(spec, StatesGroup):
        return type(spec).__all_states_names__
    if isinstance(spec, type) and issubclass(spec, StatesGroup):
        return spec.__all_states_names__
    if spec is None or isinstance(spec, str):
        return (spec,)
    raise TypeError(f"not a state, a StatesGroup, a name or None: {spec!r}")


class StateFilter:
    """True when the raw state matches any of `states` (`"*"` / `any_state` match all)."""

    __slots__ = ("states",)

    def __init__(self, *states: StateFilterType) -> None:
        if not states:
            raise ValueError("At least one state is required")
        for spec in states:
            state_names(spec)  # a wrong argument fails here, not at the first update
        self.states = states

    async def __call__(self, event: object = None, raw_state: str | None = None) -> bool:
        names = (name for spec in self.states for name in state_names(spec))
        return any(name in (ANY, raw_state) for name in names)

    def __str__(self) -> str:
        return f"StateFilter({', '.join(map(repr, self.states))})"
