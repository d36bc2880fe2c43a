"""What staff type in reply to a request: an answer, a question back, a note, a comment.

One state per kind; the request the text belongs to is in the data (`request_id`), and the
handler re-checks the person's right to act on it when the text arrives.
"""

from __future__ import annotations

from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.text import text_problem

STAFF_TEXT_LIMIT = 3500  # leaves room for the header of the message the resident receives


class StaffForm(StatesGroup):
    answer = State()
    ask_more = State()
    note = State()
    reject_comment = State()


class StaffTextFlow(Flow):
    """Events: `give_text(text=)` in any state; `skip()` for the optional reject comment."""

    states = StaffForm
    transitions = [  # noqa: RUF012 - read once by the machine
        {
            "trigger": "give_text",
            "source": [
                StaffForm.answer,
                StaffForm.ask_more,
                StaffForm.note,
                StaffForm.reject_comment,
            ],
            "dest": DONE,
            "conditions": "valid_text",
            "after": "remember_text",
        },
        {"trigger": "skip", "source": StaffForm.reject_comment, "dest": DONE, "after": "no_text"},
    ]

    @staticmethod
    def start_data(request_id: int, **extra: Any) -> dict[str, Any]:
        return {"request_id": request_id, **extra}

    def valid_text(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "")
        self.problem = text_problem(text, STAFF_TEXT_LIMIT)
        if self.problem == "too_long":
            self.data["draft"] = text.strip()  # kept, so nothing typed is lost
        return self.problem is None

    def remember_text(self, event: EventData) -> None:
        self.effects = {**self.data, "text": str(event.kwargs["text"]).strip()}

    def no_text(self, event: EventData) -> None:
        self.effects = {**self.data, "text": ""}
