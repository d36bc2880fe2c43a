"""The meeting creation and edit flows and the texts, without Telegram or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from flows.flow import StaleEvent
from flows.meetings import MeetingFlow, MeetingForm, MeetingProblem
from flows.meetings_edit import EditProblem, MeetingEdit, MeetingEditFlow
from flows.meetings_texts import (
    MeetingText,
    News,
    notice_text,
    parse_rsvp,
    payload,
    reminder_text,
    rsvp_data,
)
from flows.recurrence import Repeat

KYIV = "Europe/Kyiv"
NOW = datetime(2026, 11, 28, 8, tzinfo=UTC)  # Saturday 10:00 Kyiv
TODAY = date(2026, 11, 28)


def run(state: Any, data: dict[str, Any], event: str, **kwargs: Any) -> Any:
    return MeetingFlow.handle(state, data, event, **kwargs)


def test_the_whole_creation_with_the_picker() -> None:
    step = run(
        MeetingForm.owner,
        MeetingFlow.start_data(KYIV),
        "choose_owner",
        owner="c:1",
        allowed=["c:1"],
        zone=KYIV,
    )
    assert step.state == MeetingForm.title_uk.state
    step = run(step.state, step.data, "give_text", text="  Звіт поліції ")
    step = run(step.state, step.data, "skip")  # no Russian title: the uk one is used
    step = run(step.state, step.data, "give_text", text="Будинок культури")
    step = run(step.state, step.data, "skip")
    assert step.state == MeetingForm.day.state
    refused = run(step.state, step.data, "pick_day", day=date(2027, 2, 1), today=TODAY)
    assert refused.problem is MeetingProblem.NOT_OFFERED and refused.state == MeetingForm.day.state
    step = run(step.state, step.data, "pick_day", day=date(2026, 12, 1), today=TODAY)
    assert step.state == MeetingForm.time.state
    step = run(step.state, step.data, "pick_time", value="18:00", now=NOW)
    step = run(step.state, step.data, "pick_duration", minutes=90)
    step = run(step.state, step.data, "pick_repeat", kind="monthly")
    step = run(step.state, step.data, "keep_offsets")
    assert step.state == MeetingForm.preview.state
    done = run(step.state, step.data, "publish", now=NOW)
    assert done.state is None and done.accepted
    draft = done.effects.publish
    assert draft is not None
    assert (draft.title_uk, draft.title_ru, draft.place, draft.agenda) == (
        "Звіт поліції",
        "Звіт поліції",
        "Будинок культури",
        None,
    )
    assert draft.start == datetime(2026, 12, 1, 18) and draft.zone == KYIV
    assert draft.repeat is Repeat.MONTHLY and draft.offsets == (1440, 120) and draft.duration == 90


def test_typed_date_and_time_skip_the_time_step_and_the_past_is_refused() -> None:
    data = {"zone": KYIV, "owner": "c:1", "title_uk": "a", "place": "b"}
    step = run(MeetingForm.day, data, "give_text", text="25.12 18:00", today=TODAY, now=NOW)
    assert step.state == MeetingForm.duration.state and step.data["start"] == "2026-12-25T18:00:00"
    past = run(MeetingForm.day, data, "give_text", text="28.11 09:00", today=TODAY, now=NOW)
    assert past.problem is MeetingProblem.IN_THE_PAST and past.state == MeetingForm.day.state
    bad = run(MeetingForm.day, data, "give_text", text="завтра", today=TODAY, now=NOW)
    assert bad.problem is MeetingProblem.NOT_A_DATE
    step = run(
        MeetingForm.offsets, {**data, "start": "2026-12-25T18:00:00"}, "give_text", text="48, 3"
    )
    assert step.data["offsets"] == [2880, 180]
    bad = run(MeetingForm.offsets, data, "give_text", text="500")
    assert bad.problem is MeetingProblem.BAD_OFFSETS


def test_an_unknown_owner_a_too_long_title_and_a_stale_event() -> None:
    step = run(MeetingForm.owner, {"zone": KYIV}, "choose_owner", owner="c:9", allowed=["c:1"])
    assert step.problem is MeetingProblem.UNKNOWN_OWNER and step.state == MeetingForm.owner.state
    long = "я" * 201
    step = run(MeetingForm.title_uk, {"zone": KYIV}, "give_text", text=long)
    assert step.problem is MeetingProblem.TOO_LONG and step.data["draft"] == long  # given back
    with pytest.raises(StaleEvent):
        run(MeetingForm.preview, {"zone": KYIV}, "pick_day", day=TODAY, today=TODAY)


def test_editing_the_start() -> None:
    data = MeetingEditFlow.start_data(7, "2026-12-01", "all", KYIV)
    step = MeetingEditFlow.handle(
        MeetingEdit.start, data, "give_text", text="2.12 19:00", today=TODAY, now=NOW
    )
    assert step.state is None and step.effects.start == datetime(2026, 12, 2, 19)
    assert (step.effects.meeting_id, step.effects.occurrence, step.effects.scope) == (
        7,
        date(2026, 12, 1),
        "all",
    )
    past = MeetingEditFlow.handle(
        MeetingEdit.start, data, "give_text", text="1.11.2026 10:00", today=TODAY, now=NOW
    )
    assert past.problem is EditProblem.IN_THE_PAST and past.state == MeetingEdit.start.state


def view(sensitive: bool) -> MeetingText:
    start = datetime(2026, 12, 1, 16, tzinfo=UTC)
    return MeetingText(
        3, date(2026, 12, 1), "Батьки дітей з інвалідністю", "Школа №2", start, KYIV, sensitive
    )


def test_a_sensitive_groups_first_line_names_nothing_and_is_protected() -> None:
    text = reminder_text(str, view(True), "uk", NOW, late=False)
    first = text.splitlines()[0]
    assert "Батьки" not in first and "Батьки" in text
    assert payload(text, None, sensitive=True)["params"]["protect_content"] is True
    assert "protect_content" not in payload(text, None, sensitive=False)["params"]
    assert "Батьки" in reminder_text(str, view(False), "uk", NOW, late=False).splitlines()[0]
    assert "Батьки" not in notice_text(str, News.MOVED, view(True), "uk", NOW).splitlines()[0]
    late = reminder_text(str, view(False), "uk", NOW, late=True)
    assert "late" in late


def test_rsvp_data_round_trip_and_forgeries() -> None:
    assert parse_rsvp(rsvp_data(42, date(2026, 12, 1), True)[3:]) == (42, date(2026, 12, 1), True)
    assert parse_rsvp("42:20261201n") == (42, date(2026, 12, 1), False)
    for forged in (
        "",
        "42",
        "x:20261201y",
        "42:20261301y",
        "42:20261201x",
        "４２:20261201y",
        "42:2026120y",
    ):
        assert parse_rsvp(forged) is None, forged
    assert len(rsvp_data(10**9, date(2026, 12, 1), True).encode()) <= 55


def test_editing_the_title_keeps_the_russian_one_when_skipped() -> None:
    data = MeetingEditFlow.start_data(7, "2026-12-01", "all", KYIV)
    step = MeetingEditFlow.handle(MeetingEdit.title_uk, data, "give_text", text=" Нова назва ")
    assert step.state == MeetingEdit.title_ru.state
    done = MeetingEditFlow.handle(MeetingEdit.title_ru, step.data, "skip")
    assert done.state is None
    assert (done.effects.title_uk, done.effects.title_ru) == ("Нова назва", None)
    empty = MeetingEditFlow.handle(MeetingEdit.title_uk, data, "give_text", text="  ")
    assert empty.problem is EditProblem.EMPTY and empty.state == MeetingEdit.title_uk.state
