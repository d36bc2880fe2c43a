"""Changing a meeting's start or place (one occurrence, or all coming ones).

    MeetingEdit.start: typed `25.12 18:00` / `25.12.2026 18:00` (ahead of now) → done
    MeetingEdit.place: typed place → done
    MeetingEdit.title_uk: typed title → MeetingEdit.title_ru: typed title, or skip (the
    Russian one stays) → done. A title change alone tells nobody.

Data: `meeting` (id), `occurrence` (ISO date), `scope` ("one" or "all"), `zone`.
Events: `give_text(text=, today=, now=)`. The handler re-checks the organiser's right and
carries out `EditEffects` (`storage/repositories/meetings.py`), then tells everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.meetings import PLACE_LIMIT, TITLE_LIMIT
from flows.meetings_time import parse_when
from flows.recurrence import instant


class MeetingEdit(StatesGroup):
    start = State()
    place = State()
    title_uk = State()
    title_ru = State()


class EditProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_DATE = "not_a_date"
    IN_THE_PAST = "in_the_past"


@dataclass
class EditEffects:
    """What to change, on which occurrence (`scope` "one" or "all" coming ones)."""

    meeting_id: int = 0
    occurrence: date | None = None
    scope: str = "one"
    start: datetime | None = None  # the new naive wall time
    place: str | None = None
    title_uk: str | None = None
    title_ru: str | None = None


class MeetingEditFlow(Flow[EditEffects, EditProblem]):
    states = MeetingEdit
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "give_text",
            "source": MeetingEdit.start,
            "dest": DONE,
            "conditions": "valid_start",
        },
        {
            "trigger": "give_text",
            "source": MeetingEdit.place,
            "dest": DONE,
            "conditions": "valid_place",
        },
        {
            "trigger": "give_text",
            "source": MeetingEdit.title_uk,
            "dest": MeetingEdit.title_ru,
            "conditions": "valid_title",
        },
        {
            "trigger": "give_text",
            "source": MeetingEdit.title_ru,
            "dest": DONE,
            "conditions": "valid_title",
            "after": "titles",
        },
        {"trigger": "skip", "source": MeetingEdit.title_ru, "dest": DONE, "after": "titles"},
    ]

    @staticmethod
    def start_data(meeting_id: int, occurrence: str, scope: str, zone: str) -> dict[str, Any]:
        return {"meeting": meeting_id, "occurrence": occurrence, "scope": scope, "zone": zone}

    def new_effects(self) -> EditEffects:
        day = self.data.get("occurrence")
        return EditEffects(
            meeting_id=int(self.data.get("meeting", 0)),
            occurrence=date.fromisoformat(day) if day else None,
            scope="all" if self.data.get("scope") == "all" else "one",
        )

    def valid_start(self, event: EventData) -> bool:
        start = parse_when(str(event.kwargs.get("text") or ""), event.kwargs["today"])
        if start is None:
            return self._problem(EditProblem.NOT_A_DATE)
        if instant(start, self.data["zone"]) <= event.kwargs["now"]:
            return self._problem(EditProblem.IN_THE_PAST)
        self.effects.start = start
        return True

    def valid_title(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "").strip()
        if not text:
            return self._problem(EditProblem.EMPTY)
        if len(text) > TITLE_LIMIT:
            self.data["draft"] = text
            return self._problem(EditProblem.TOO_LONG)
        key = "title_uk" if self.state == MeetingEdit.title_uk.state else "title_ru"
        self.data[key] = text
        return True

    def titles(self, event: EventData) -> None:
        self.effects.title_uk = self.data.get("title_uk")
        self.effects.title_ru = self.data.get("title_ru")

    def valid_place(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "").strip()
        if not text:
            return self._problem(EditProblem.EMPTY)
        if len(text) > PLACE_LIMIT:
            self.data["draft"] = text
            return self._problem(EditProblem.TOO_LONG)
        self.effects.place = text
        return True
