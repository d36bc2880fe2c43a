"""What staff type about a request: an answer, a question back, a note, a reject comment.

One state per kind, each only validating a text, so plain functions rather than a machine.
The request the text belongs to is in the data (`request_id`); the handler re-checks the
person's right to act on it when the text arrives (and again when it is sent).

An answer (`PREVIEWED`) is not sent when it is typed: it goes to `StaffForm.preview`, which
shows it as the resident will read it with Send / Edit / Cancel. Its data keeps the text
(`text`) and the state it was typed in (`of`); a new text typed there replaces it.
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
    preview = State()  # an answer typed, shown as the resident will see it, not sent yet


# What the text of each state does, in the words of `flows.permissions`.
_ACTIONS: tuple[tuple[State, Action], ...] = (
    (StaffForm.answer, Action.ANSWER),
    (StaffForm.ask_more, Action.ASK_MORE),
    (StaffForm.note, Action.NOTE),
    (StaffForm.reject_comment, Action.REJECT),
)
STATE_OF_ACTION: dict[Action, State] = {action: state for state, action in _ACTIONS}
# The texts shown to their author before they go to the resident.
PREVIEWED: frozenset[Action] = frozenset({Action.ANSWER})


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


def typed_in(state: str, data: Mapping[str, Any]) -> str:
    """The text state a text typed in `state` belongs to (the preview: the one it came from)."""
    if state == StaffForm.preview.state:
        return str(data.get("of") or "")
    return state


def take(state: str, data: Mapping[str, Any], text: str) -> StaffText | TextProblem:
    """The text typed in `state` (a `StaffForm` state, the preview included: a new text
    there replaces the one shown), or why it cannot be taken."""
    problem = text_problem(text, STAFF_TEXT_LIMIT)
    if problem is not None:
        return problem
    return _staff_text(typed_in(state, data), data, text.strip())


def preview_data(data: Mapping[str, Any], taken: StaffText) -> dict[str, Any]:
    """The data of `StaffForm.preview` for `taken` (anything else in `data`, such as a
    parked flow, is kept)."""
    return {**data, "of": STATE_OF_ACTION[taken.action].state, "text": taken.text}


def previewed(data: Mapping[str, Any]) -> StaffText:
    """What Send on the preview sends."""
    return _staff_text(str(data["of"]), data, str(data.get("text") or ""))


def back_to_text(data: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Edit on the preview: the text state again (state, data); the text is given back."""
    return str(data["of"]), {k: v for k, v in data.items() if k not in ("of", "text")}


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
