"""A resident's reply to staff (asked for more, or reopening): one text, photos allowed."""

from __future__ import annotations

from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.text import text_problem

REPLY_TEXT_LIMIT = 2000


class ReplyForm(StatesGroup):
    text = State()


class ReplyFlow(Flow):
    """Event `give_text(text=, photos=[])`; effects {"request_id", "mode", "text", "photos"}."""

    states = ReplyForm
    transitions = [  # noqa: RUF012 - read once by the machine
        {
            "trigger": "give_text",
            "source": ReplyForm.text,
            "dest": DONE,
            "conditions": "valid_text",
            "after": "remember",
        },
    ]

    @staticmethod
    def start_data(request_id: int, mode: str) -> dict[str, Any]:
        return {"request_id": request_id, "mode": mode}

    def valid_text(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "")
        self.problem = text_problem(text, REPLY_TEXT_LIMIT)
        if self.problem == "too_long":
            self.data["draft"] = text.strip()  # kept, so nothing typed is lost
        return self.problem is None

    def remember(self, event: EventData) -> None:
        photos = [str(p) for p in event.kwargs.get("photos") or []][:3]
        self.effects = {**self.data, "text": str(event.kwargs["text"]).strip(), "photos": photos}
