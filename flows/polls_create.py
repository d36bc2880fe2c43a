"""Creating a poll: the audience (only when the creator has meetings near: everyone, or
those who said "going" to one occurrence), question (uk, then ru or skip), options (uk,
then ru or skip), single or multiple choice, results live or after closing, closing time,
preview, publish.

Events: `give_text(text=, now=, zone=)` in the text steps, `skip()` in the ru steps,
`use_template(template=, question_uk=, question_ru=, options_uk=, options_ru=)` at the
first step (a ready-made multiple-choice poll, e.g. the request categories as topics),
`choose(value=)` in the three button steps, `pick_day(day=, today=)` at the closing time
(the meetings' eight-week picker; then the time, a button or typed, as `give_text`),
`minimum(value=)` and `publish()` in the preview (the minimum: 5, 10 or 20 votes). The audience and
the minimum number of votes are set when the flow starts (`start_data`), from the creator's
role: a moderator asks their community, a facilitator their group; with `meetings` (the
occurrences near, `[meeting id, ISO date, label]`) the flow starts at `PollForm.audience`,
where `choose(value="all")` keeps that and `choose(value="m<n>")` takes the n-th meeting's
"going" instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup
from flows.meetings_time import in_picker, parse_time
from flows.polls import (
    DEFAULT_MIN_VOTES,
    MAX_QUESTION_LENGTH,
    OptionsProblem,
    WhenProblem,
    parse_closing,
    parse_options,
)


class PollForm(StatesGroup):
    audience = State()
    question_uk = State()
    question_ru = State()
    options_uk = State()
    options_ru = State()
    kind = State()
    results = State()
    closes = State()
    closes_time = State()  # after a day pressed in the picker: the time
    preview = State()


class PollProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_FEW_OPTIONS = "too_few_options"
    TOO_MANY_OPTIONS = "too_many_options"
    OPTION_TOO_LONG = "option_too_long"
    COUNT_DIFFERS = "count_differs"
    UNKNOWN_CHOICE = "unknown_choice"
    WHEN_UNREADABLE = "when_unreadable"
    WHEN_PAST = "when_past"
    WHEN_TOO_FAR = "when_too_far"
    DAY_UNKNOWN = "day_unknown"
    TIME_UNREADABLE = "time_unreadable"


_OPTION_PROBLEMS = {
    OptionsProblem.TOO_FEW: PollProblem.TOO_FEW_OPTIONS,
    OptionsProblem.TOO_MANY: PollProblem.TOO_MANY_OPTIONS,
    OptionsProblem.TOO_LONG: PollProblem.OPTION_TOO_LONG,
    OptionsProblem.COUNT_DIFFERS: PollProblem.COUNT_DIFFERS,
}
_WHEN_PROBLEMS = {
    WhenProblem.UNREADABLE: PollProblem.WHEN_UNREADABLE,
    WhenProblem.PAST: PollProblem.WHEN_PAST,
    WhenProblem.TOO_FAR: PollProblem.WHEN_TOO_FAR,
}
CHOICES = {PollForm.kind.state: ("single", "multiple"), PollForm.results.state: ("live", "after")}
# The minimum number of votes before any result is shown, chosen in the preview. Never
# below the default: a smaller group's votes would be easier to tell apart.
MIN_VOTES_CHOICES = (DEFAULT_MIN_VOTES, 10, 20)


@dataclass
class PollEffects:
    """`publish`: the finished draft (the flow's data) to store and send."""

    publish: dict[str, Any] | None = field(default=None)


def _text(source: State, dest: State, check: str, keep: str) -> dict[str, Any]:
    return {
        "trigger": "give_text",
        "source": source,
        "dest": dest,
        "conditions": check,
        "after": keep,
    }


class PollCreateFlow(Flow[PollEffects, PollProblem]):
    states = PollForm
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "choose",
            "source": PollForm.audience,
            "dest": PollForm.question_uk,
            "conditions": "valid_choice",
            "after": "keep_choice",
        },
        _text(PollForm.question_uk, PollForm.question_ru, "valid_question", "keep_question_uk"),
        _text(PollForm.question_ru, PollForm.options_uk, "valid_question", "keep_question_ru"),
        {"trigger": "skip", "source": PollForm.question_ru, "dest": PollForm.options_uk},
        {
            "trigger": "use_template",
            "source": PollForm.question_uk,
            "dest": PollForm.results,
            "after": "keep_template",
        },
        _text(PollForm.options_uk, PollForm.options_ru, "valid_options_uk", "keep_options"),
        _text(PollForm.options_ru, PollForm.kind, "valid_options_ru", "keep_options"),
        {"trigger": "skip", "source": PollForm.options_ru, "dest": PollForm.kind},
        {
            "trigger": "choose",
            "source": PollForm.kind,
            "dest": PollForm.results,
            "conditions": "valid_choice",
            "after": "keep_choice",
        },
        {
            "trigger": "choose",
            "source": PollForm.results,
            "dest": PollForm.closes,
            "conditions": "valid_choice",
            "after": "keep_choice",
        },
        _text(PollForm.closes, PollForm.preview, "valid_closing", "keep_closing"),
        {
            "trigger": "pick_day",
            "source": PollForm.closes,
            "dest": PollForm.closes_time,
            "conditions": "valid_day",
            "after": "keep_day",
        },
        _text(PollForm.closes_time, PollForm.preview, "valid_close_time", "keep_closing"),
        {
            "trigger": "minimum",
            "source": PollForm.preview,
            "dest": PollForm.preview,
            "conditions": "valid_minimum",
            "after": "keep_minimum",
        },
        {"trigger": "publish", "source": PollForm.preview, "dest": DONE, "after": "finish"},
    ]

    @staticmethod
    def start_data(
        *,
        audience: str,
        community_id: int,
        group_id: int | None = None,
        template: str = "custom",
        meetings: list[list[Any]] | None = None,
    ) -> dict[str, Any]:
        return {
            "audience": audience,
            "meeting_choices": list(meetings or []),
            "meeting_id": None,
            "occurrence": None,
            "community_id": community_id,
            "group_id": group_id,
            "template": template,
            "min_votes": DEFAULT_MIN_VOTES,
            "question_uk": "",
            "question_ru": "",
            "options_uk": [],
            "options_ru": [],
        }

    def new_effects(self) -> PollEffects:
        return PollEffects()

    # conditions
    def valid_question(self, event: EventData) -> bool:
        text = str(event.kwargs.get("text") or "").strip()
        if not text:
            return self._problem(PollProblem.EMPTY)
        if len(text) > MAX_QUESTION_LENGTH:
            return self._problem(PollProblem.TOO_LONG)
        return True

    def _options(self, event: EventData, expected: int | None) -> bool:
        parsed = parse_options(str(event.kwargs.get("text") or ""), expected=expected)
        if isinstance(parsed, OptionsProblem):
            return self._problem(_OPTION_PROBLEMS[parsed])
        self._parsed = parsed
        return True

    def valid_options_uk(self, event: EventData) -> bool:
        return self._options(event, None)

    def valid_options_ru(self, event: EventData) -> bool:
        return self._options(event, len(self.data["options_uk"]))

    def valid_choice(self, event: EventData) -> bool:
        if self.state == PollForm.audience.state:
            count = len(self.data.get("meeting_choices") or [])
            allowed: tuple[str, ...] = ("all", *(f"m{n}" for n in range(count)))
        else:
            allowed = CHOICES.get(self.state, ())
        return event.kwargs.get("value") in allowed or self._problem(PollProblem.UNKNOWN_CHOICE)

    def valid_closing(self, event: EventData) -> bool:
        now: datetime = event.kwargs["now"]
        parsed = parse_closing(
            str(event.kwargs.get("text") or ""), now=now, zone=event.kwargs["zone"]
        )
        if isinstance(parsed, WhenProblem):
            return self._problem(_WHEN_PROBLEMS[parsed])
        self._closes = parsed
        return True

    def valid_day(self, event: EventData) -> bool:
        """A day of the picker (issue 6's eight weeks, Monday..Sunday), today or later."""
        day: date | None = event.kwargs.get("day")
        today: date = event.kwargs["today"]
        if day is None or not in_picker(day, today):
            return self._problem(PollProblem.DAY_UNKNOWN)
        return True

    def valid_close_time(self, event: EventData) -> bool:
        """The time of the day picked (a time button, or typed like 18:30), in local time."""
        at = parse_time(str(event.kwargs.get("text") or ""))
        if at is None:
            return self._problem(PollProblem.TIME_UNREADABLE)
        day = date.fromisoformat(self.data["close_day"])
        typed = f"{day:%d.%m.%Y} {at:%H:%M}"
        parsed = parse_closing(typed, now=event.kwargs["now"], zone=event.kwargs["zone"])
        if isinstance(parsed, WhenProblem):
            return self._problem(_WHEN_PROBLEMS[parsed])
        self._closes = parsed
        return True

    def valid_minimum(self, event: EventData) -> bool:
        value = str(event.kwargs.get("value") or "")
        allowed = {str(n) for n in MIN_VOTES_CHOICES}
        return value in allowed or self._problem(PollProblem.UNKNOWN_CHOICE)

    # effects
    def keep_minimum(self, event: EventData) -> None:
        self.data["min_votes"] = int(event.kwargs["value"])

    def keep_day(self, event: EventData) -> None:
        self.data["close_day"] = event.kwargs["day"].isoformat()

    def keep_question_uk(self, event: EventData) -> None:
        self.data["question_uk"] = str(event.kwargs["text"]).strip()

    def keep_question_ru(self, event: EventData) -> None:
        self.data["question_ru"] = str(event.kwargs["text"]).strip()

    def _came_from(self, event: EventData, state: State) -> bool:
        return event.transition is not None and event.transition.source == state.state

    def keep_options(self, event: EventData) -> None:
        key = "options_ru" if self._came_from(event, PollForm.options_ru) else "options_uk"
        self.data[key] = self._parsed

    def keep_choice(self, event: EventData) -> None:
        value = event.kwargs["value"]
        if self._came_from(event, PollForm.audience):
            if value != "all":
                meeting_id, day, _label = self.data["meeting_choices"][int(value[1:])]
                self.data.update(audience="meeting", meeting_id=meeting_id, occurrence=day)
        elif self._came_from(event, PollForm.kind):
            self.data["multiple"] = value == "multiple"
        else:
            self.data["results_live"] = value == "live"

    def keep_template(self, event: EventData) -> None:
        """A ready-made poll (`template=`, question and options in both languages): a
        multiple-choice question, on to when its results are shown."""
        for key in ("template", "question_uk", "question_ru", "options_uk", "options_ru"):
            self.data[key] = event.kwargs[key]
        self.data["multiple"] = True

    def keep_closing(self, event: EventData) -> None:
        self.data["closes_at"] = self._closes.isoformat()

    def finish(self, event: EventData) -> None:
        self.effects.publish = dict(self.data)


def option_pairs(draft: dict[str, Any]) -> list[tuple[str, str]]:
    """(uk, ru) per option; a language left out is empty and falls back when shown."""
    uk: list[str] = list(draft.get("options_uk") or [])
    ru: list[str] = list(draft.get("options_ru") or [])
    return [(text, ru[n] if n < len(ru) else "") for n, text in enumerate(uk)]
