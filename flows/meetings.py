"""Creating a meeting (moderators for their working group, facilitators for their group).

    owner → title (uk) → title (ru, or skip: the uk one is used) → place → agenda (or skip)
    → day (the eight-week picker, or typed `25.12 18:00` / `25.12.2026 18:00`)
    → time (buttons or typed `18:00`; skipped when the time was typed with the day)
    → duration → repeat (once, weekly, monthly by weekday) → reminders (keep 24 h and 2 h,
    or typed hours) → preview → publish

Events: `choose_owner(owner=, allowed=, zone=)` (zone: the owner's community's),
`give_text(text=, today=, now=)`, `skip()`, `pick_day(day=, today=)`,
`pick_time(value=, now=)`, `pick_duration(minutes=)`, `pick_repeat(kind=)`,
`keep_offsets()`, `publish(now=)`. `now` is an aware instant, `today` the community's
local date; the start must lie ahead. The stored data is JSON (dates as
ISO strings); `Draft.from_data` reads it back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.meetings_time import (
    DEFAULT_OFFSETS,
    in_picker,
    offsets_to_minutes,
    parse_offsets,
    parse_time,
    parse_when,
)
from flows.recurrence import Repeat, instant

TITLE_LIMIT = 200
PLACE_LIMIT = 300
AGENDA_LIMIT = 1000
DURATIONS = (60, 90, 120, 180)


class MeetingForm(StatesGroup):
    owner = State()
    title_uk = State()
    title_ru = State()
    place = State()
    agenda = State()
    day = State()
    time = State()
    duration = State()
    repeat = State()
    offsets = State()
    preview = State()


class MeetingProblem(StrEnum):
    UNKNOWN_OWNER = "unknown_owner"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_DATE = "not_a_date"
    NOT_A_TIME = "not_a_time"
    IN_THE_PAST = "in_the_past"
    NOT_OFFERED = "not_offered"
    BAD_OFFSETS = "bad_offsets"


@dataclass(frozen=True)
class Draft:
    owner: str  # "c:<community id>" (the working group) or "g:<group id>"
    title_uk: str
    title_ru: str
    place: str
    agenda: str | None
    start: datetime  # naive wall time in `zone`
    zone: str
    duration: int
    repeat: Repeat
    offsets: tuple[int, ...]  # minutes

    @staticmethod
    def from_data(data: dict[str, Any]) -> Draft:
        return Draft(
            owner=str(data["owner"]),
            title_uk=str(data["title_uk"]),
            title_ru=str(data.get("title_ru") or data["title_uk"]),
            place=str(data["place"]),
            agenda=data.get("agenda") or None,
            start=datetime.fromisoformat(str(data["start"])),
            zone=str(data["zone"]),
            duration=int(data.get("duration", 90)),
            repeat=Repeat(data.get("repeat", Repeat.NONE)),
            offsets=tuple(int(m) for m in data.get("offsets", offsets_to_minutes(DEFAULT_OFFSETS))),
        )


@dataclass
class MeetingEffects:
    publish: Draft | None = None


_LIMITS = {
    MeetingForm.title_uk.state: TITLE_LIMIT,
    MeetingForm.title_ru.state: TITLE_LIMIT,
    MeetingForm.place.state: PLACE_LIMIT,
    MeetingForm.agenda.state: AGENDA_LIMIT,
}
_TEXT_STEPS = [
    (MeetingForm.title_uk, MeetingForm.title_ru, "keep_text"),
    (MeetingForm.title_ru, MeetingForm.place, "keep_text"),
    (MeetingForm.place, MeetingForm.agenda, "keep_text"),
    (MeetingForm.agenda, MeetingForm.day, "keep_text"),
]


class MeetingFlow(Flow[MeetingEffects, MeetingProblem]):
    states = MeetingForm
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "choose_owner",
            "source": MeetingForm.owner,
            "dest": MeetingForm.title_uk,
            "conditions": "known_owner",
            "after": "keep_owner",
        },
        *[
            {
                "trigger": "give_text",
                "source": source,
                "dest": dest,
                "conditions": "valid_text",
                "after": after,
            }
            for source, dest, after in _TEXT_STEPS
        ],
        {"trigger": "skip", "source": MeetingForm.title_ru, "dest": MeetingForm.place},
        {"trigger": "skip", "source": MeetingForm.agenda, "dest": MeetingForm.day},
        {
            "trigger": "give_text",
            "source": MeetingForm.day,
            "dest": MeetingForm.duration,
            "conditions": "valid_when",
            "after": "keep_start",
        },
        {
            "trigger": "pick_day",
            "source": MeetingForm.day,
            "dest": MeetingForm.time,
            "conditions": "offered_day",
            "after": "keep_day",
        },
        {
            "trigger": "give_text",
            "source": MeetingForm.time,
            "dest": MeetingForm.duration,
            "conditions": "valid_time",
            "after": "keep_start",
        },
        {
            "trigger": "pick_time",
            "source": MeetingForm.time,
            "dest": MeetingForm.duration,
            "conditions": "valid_time",
            "after": "keep_start",
        },
        {
            "trigger": "pick_duration",
            "source": MeetingForm.duration,
            "dest": MeetingForm.repeat,
            "conditions": "offered_duration",
            "after": "keep_duration",
        },
        {
            "trigger": "pick_repeat",
            "source": MeetingForm.repeat,
            "dest": MeetingForm.offsets,
            "conditions": "offered_repeat",
            "after": "keep_repeat",
        },
        {
            "trigger": "keep_offsets",
            "source": MeetingForm.offsets,
            "dest": MeetingForm.preview,
            "after": "default_offsets",
        },
        {
            "trigger": "give_text",
            "source": MeetingForm.offsets,
            "dest": MeetingForm.preview,
            "conditions": "valid_offsets",
            "after": "keep_offsets_typed",
        },
        {
            "trigger": "publish",
            "source": MeetingForm.preview,
            "dest": DONE,
            "conditions": "still_ahead",
            "after": "to_publish",
        },
    ]

    @staticmethod
    def start_data(zone: str) -> dict[str, Any]:
        return {"zone": zone}

    def new_effects(self) -> MeetingEffects:
        return MeetingEffects()

    # conditions
    def known_owner(self, event: EventData) -> bool:
        allowed: Collection[str] = event.kwargs.get("allowed", ())
        return event.kwargs.get("owner") in allowed or self._problem(MeetingProblem.UNKNOWN_OWNER)

    def valid_text(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "").strip()
        if not text:
            return self._problem(MeetingProblem.EMPTY)
        if len(text) > _LIMITS[self.state]:
            self.data["draft"] = text
            return self._problem(MeetingProblem.TOO_LONG)
        return True

    def _ahead(self, start: datetime, now: datetime | None) -> bool:
        if now is None or instant(start, self.data["zone"]) > now:
            return True
        return self._problem(MeetingProblem.IN_THE_PAST)

    def valid_when(self, event: EventData) -> bool:
        start = parse_when(str(event.kwargs.get("text") or ""), event.kwargs["today"])
        if start is None:
            return self._problem(MeetingProblem.NOT_A_DATE)
        if not self._ahead(start, event.kwargs.get("now")):
            return False
        self.data["start"] = start.isoformat()
        return True

    def offered_day(self, event: EventData) -> bool:
        day = event.kwargs.get("day")
        if isinstance(day, date) and in_picker(day, event.kwargs["today"]):
            return True
        return self._problem(MeetingProblem.NOT_OFFERED)

    def valid_time(self, event: EventData) -> bool:
        moment = parse_time(str(event.kwargs.get("text") or event.kwargs.get("value") or ""))
        if moment is None:
            return self._problem(MeetingProblem.NOT_A_TIME)
        start = datetime.combine(date.fromisoformat(self.data["day"]), moment)
        if not self._ahead(start, event.kwargs.get("now")):
            return False
        self.data["start"] = start.isoformat()
        return True

    def offered_duration(self, event: EventData) -> bool:
        return event.kwargs.get("minutes") in DURATIONS or self._problem(MeetingProblem.NOT_OFFERED)

    def offered_repeat(self, event: EventData) -> bool:
        kind = event.kwargs.get("kind")
        return kind in {r.value for r in Repeat} or self._problem(MeetingProblem.NOT_OFFERED)

    def valid_offsets(self, event: EventData) -> bool:
        offsets = parse_offsets(str(event.kwargs.get("text") or ""))
        if offsets is None:
            return self._problem(MeetingProblem.BAD_OFFSETS)
        self.data["offsets"] = offsets_to_minutes(offsets)
        return True

    def still_ahead(self, event: EventData) -> bool:
        return self._ahead(datetime.fromisoformat(self.data["start"]), event.kwargs.get("now"))

    # effects
    def keep_owner(self, event: EventData) -> None:
        self.data["owner"] = event.kwargs["owner"]
        self.data["zone"] = event.kwargs.get("zone") or self.data["zone"]

    def keep_text(self, event: EventData) -> None:
        assert event.transition is not None  # `after` runs once the state has changed
        key = str(event.transition.source).split(":")[-1]
        self.data[key] = str(event.kwargs["text"]).strip()
        self.data.pop("draft", None)

    def keep_day(self, event: EventData) -> None:
        self.data["day"] = event.kwargs["day"].isoformat()

    def keep_start(self, event: EventData) -> None:
        self.data["day"] = datetime.fromisoformat(self.data["start"]).date().isoformat()

    def keep_duration(self, event: EventData) -> None:
        self.data["duration"] = event.kwargs["minutes"]

    def keep_repeat(self, event: EventData) -> None:
        self.data["repeat"] = event.kwargs["kind"]

    def default_offsets(self, event: EventData) -> None:
        self.data["offsets"] = offsets_to_minutes(DEFAULT_OFFSETS)

    def keep_offsets_typed(self, event: EventData) -> None:
        pass  # stored by the condition

    def to_publish(self, event: EventData) -> None:
        self.effects.publish = Draft.from_data(self.data)


def time_label(moment: time) -> str:
    return f"{moment:%H:%M}"
