"""The base of every conversation flow: one `transitions` machine per flow class.

A flow never talks to Telegram or the database. The handler loads the stored state and
data, calls `Flow.handle(...)` with an event, persists the returned `Step` and renders it.
The machine is built once per class; each event gets a short-lived model restored from the
stored state (`add_model(model, initial=state)`), the event is triggered and the model is
removed again. Two events of one person never run at once (the update processor orders them).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar

from transitions import Machine, MachineError

from flows.fsm.state import State, StatesGroup

DONE = "done"  # internal end state; stored as "no state"


class StaleEvent(Exception):
    """The event does not belong to the state the conversation is in (an old button)."""


@dataclass
class Step:
    """What one event did: the state to store, the data to store, and what to persist."""

    state: str | None
    data: dict[str, Any]
    accepted: bool
    problem: str | None = None
    effects: dict[str, Any] = field(default_factory=dict)


def _state_name(value: State | str | None) -> str | None:
    return value.state if isinstance(value, State) else value


class Flow:
    """Subclass with `states` (a StatesGroup) and `transitions` (transitions' dict form,
    `source`/`dest` given as `State` objects or `DONE`)."""

    states: ClassVar[type[StatesGroup]]
    transitions: ClassVar[list[dict[str, Any]]]
    _machine: ClassVar[Machine | None] = None

    state: str

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = copy.deepcopy(data)
        self.problem: str | None = None
        self.effects: dict[str, Any] = {}

    @classmethod
    def machine(cls) -> Machine:
        """The class's machine, built on first use and shared by all its conversations."""
        if cls.__dict__.get("_machine") is None:
            names = [s.state for s in cls.states.__all_states__ if s.state] + [DONE]
            transitions = [
                {
                    **t,
                    "source": _state_name(t["source"]),
                    "dest": _state_name(t.get("dest")),
                }
                for t in cls.transitions
            ]
            cls._machine = Machine(
                model=None,
                states=names,
                transitions=transitions,
                initial=None,
                auto_transitions=False,
                send_event=True,
                ignore_invalid_triggers=False,
            )
        machine = cls.__dict__["_machine"]
        assert isinstance(machine, Machine)
        return machine

    @classmethod
    def owns(cls, state: str | None) -> bool:
        """Whether a stored state belongs to this flow."""
        return state is not None and state in cls.states

    @classmethod
    def handle(cls, state: State | str, data: dict[str, Any], event: str, **kwargs: Any) -> Step:
        """Run one event from `state`; raise StaleEvent if the state has no such event."""
        name = _state_name(state)
        if not cls.owns(name):
            raise StaleEvent(f"{cls.__name__} has no state {name!r}")
        machine = cls.machine()
        model = cls(data)
        machine.add_model(model, initial=name)
        try:
            trigger = model.trigger  # type: ignore[attr-defined]  # added by the machine
            accepted = bool(trigger(event, **kwargs))
        except (MachineError, AttributeError) as exc:
            raise StaleEvent(f"{event!r} is not expected in {name!r}") from exc
        finally:
            machine.remove_model(model)
        final = None if model.state == DONE else model.state
        return Step(
            state=final,
            data=model.data if final else {},
            accepted=accepted,
            problem=model.problem,
            effects=model.effects,
        )
