"""The base of every conversation flow: one `transitions` machine per flow class.

A flow never talks to Telegram or the database. The handler loads the stored state and
data, calls `Flow.handle(...)` with an event, stores the returned `Step` and renders it
(`handlers/core/steps.py` does this for every flow, with one rule). The machine is built
once per class; each event gets a short-lived model restored from the stored state
(`add_model(model, initial=state)`), the event is triggered and the model is removed again.
Two events of one person never run at once (the update processor orders them).

What an event did is typed per flow: `Step[Effects, Problem]`, where `Effects` is the
flow's dataclass of what the handler must carry out (a chosen language, a question to
submit) and `Problem` its `StrEnum` of reasons an event was refused.

Only an event the state does not have is stale (`StaleEvent`: an old button). Anything a
condition or callback raises is a bug and propagates unchanged, so the pipeline logs it and
tells the person that something went wrong.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from transitions import Machine

from flows.fsm.state import State, StatesGroup

DONE = "done"  # internal end state; stored as "no state"

E = TypeVar("E")  # the flow's effects (a dataclass)
P = TypeVar("P", bound=StrEnum)  # the flow's problems


STEP_MARK = "~"  # separates a button's data from the token of the step that showed it


def step_token(state: str | None, data: dict[str, Any]) -> str:
    """A short fingerprint of a step as stored (its state and data). Buttons a step shows
    carry it; a press whose token is not the current step's is from a step the person has
    left (an old preview, an old Back), or from the same step before its data changed."""
    blob = json.dumps([state, data], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2s(blob.encode(), digest_size=4).hexdigest()


def split_step_token(value: str) -> tuple[str, str | None]:
    """`"ask:send~1a2b3c4d"` → (`"ask:send"`, `"1a2b3c4d"`); data without one → (data, None)."""
    head, mark, token = value.rpartition(STEP_MARK)
    return (head, token) if mark else (value, None)


class StaleEvent(Exception):
    """The event does not belong to the state the conversation is in (an old button)."""


@dataclass(frozen=True)
class Step(Generic[E, P]):
    """What one event did: the state and data to store, whether the event was accepted,
    what the handler must carry out (`effects`) and why (part of) it was refused."""

    state: str | None
    data: dict[str, Any]
    accepted: bool
    effects: E
    problem: P | None = None


def _state_name(value: State | str | None) -> str | None:
    return value.state if isinstance(value, State) else value


class Flow(Generic[E, P]):
    """Subclass `Flow[MyEffects, MyProblem]` with `states` (a StatesGroup), `transitions`
    (transitions' dict form, `source`/`dest` given as `State` objects or `DONE`) and
    `new_effects()` (the effects of an event that asks for nothing)."""

    states: ClassVar[type[StatesGroup]]
    transitions: ClassVar[list[dict[str, Any]]]
    _machine: ClassVar[Machine | None] = None

    state: str

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = copy.deepcopy(data)
        self.problem: P | None = None
        self.effects: E = self.new_effects()

    def new_effects(self) -> E:
        raise NotImplementedError

    def _problem(self, problem: P) -> bool:
        """Record the first problem of this event; returns False for use in conditions."""
        self.problem = self.problem or problem
        return False

    @classmethod
    def machine(cls) -> Machine:
        """The class's machine, built on first use and shared by all its conversations."""
        if cls.__dict__.get("_machine") is None:
            names = [s.state for s in cls.states.__all_states__ if s.state] + [DONE]
            transitions = [
                {
                    **t,
                    "source": (
                        [_state_name(one) for one in t["source"]]
                        if isinstance(t["source"], list)
                        else _state_name(t["source"])
                    ),
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
    def expects(cls, state: str | None, event: str) -> bool:
        """Whether `state` (a stored state of this flow) has the event `event`."""
        if state is None or not cls.owns(state):
            return False
        return event in cls.machine().get_triggers(state)

    @classmethod
    def handle(
        cls, state: State | str, data: dict[str, Any], event: str, **kwargs: Any
    ) -> Step[E, P]:
        """Run one event from `state`; StaleEvent if the state has no such event. Errors of
        the flow itself (a condition that raises) propagate: they are bugs, not stale."""
        name = _state_name(state)
        if not cls.expects(name, event):
            raise StaleEvent(f"{event!r} is not expected in {name!r}")
        machine = cls.machine()
        model = cls(data)
        machine.add_model(model, initial=name)
        try:
            accepted = bool(machine.events[event].trigger(model, **kwargs))
        finally:
            machine.remove_model(model)
        final = None if model.state == DONE else model.state
        return Step(
            state=final,
            data=model.data if final else {},
            accepted=accepted,
            effects=model.effects,
            problem=model.problem,
        )
