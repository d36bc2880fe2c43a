"""What staff type about a request: an answer, a question back, a note, a reject comment.

One state per kind, each only validating a text, so plain functions rather than a machine.
The request the text belongs to is in the data (`request_id`); the handler re-checks the
person's right to act on it when the text arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.fsm import State, StatesGroup
from flows.permissions import Action
from flows.text import TextProblem, text_problem

STAFF_TEXT_LIMIT = 3500  # leaves room for the header of the message the resident receives


class StaffForm(StatesGroup):
    answer = State()
    ask_more = State()
    note = State()
    reject_comment = State()


# What the text of each state does, in the words of `flows.permissions`.
_ACTIONS: tuple[tuple[State, Action], ...] = (
    (StaffForm.answer, Action.ANSWER),
    (StaffForm.ask_more, Action.ASK_MORE),
    (StaffForm.note, Action.NOTE),
    (StaffForm.reject_comment, Action.REJECT),
)
STATE_OF_ACTION: dict[Action, State] = {action: state for state, action in _ACTIONS}


def action_of(state: str) -> Action:
    """The action a text typed in `state` (a `StaffForm` state) performs."""
    for candidate, action in _ACTIONS:
        if candidate.state == state:
            return action
    raise ValueError(f"{state!r} is not a staff text state")


@dataclass(frozen=True)
class StaffText:
    action: Action
    request_id: int
    text: str  # "" for a skipped reject comment
    reason: str | None = None  # the reject reason


def start_data(request_id: int, *, reason: str | None = None) -> dict[str, Any]:
    return {"request_id": request_id, "reason": reason}


def take(state: str, data: Mapping[str, Any], text: str) -> StaffText | TextProblem:
    """The text typed in `state` (a `StaffForm` state), or why it cannot be taken."""
    problem = text_problem(text, STAFF_TEXT_LIMIT)
    if problem is not None:
        return problem
    return _staff_text(state, data, text.strip())


def skip(data: Mapping[str, Any]) -> StaffText:
    """No comment on a rejection (the only optional text)."""
    return _staff_text(StaffForm.reject_comment.state or "", data, "")


def _staff_text(state: str, data: Mapping[str, Any], text: str) -> StaffText:
    reason = data.get("reason")
    return StaffText(
        action=action_of(state),
        request_id=int(data["request_id"]),
        text=text,
        reason=str(reason) if reason is not None else None,
    )
