"""Polls without Telegram: the hiding rule, the results text, what creators type, the
creation flow, the chart."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, date, datetime
from typing import Any

import pytest

from flows.polls import (
    OptionsProblem,
    Results,
    Visibility,
    WhenProblem,
    parse_closing,
    parse_options,
    pick,
    results_text,
    visibility,
)
from flows.polls_create import PollCreateFlow, PollForm, PollProblem, option_pairs
from handlers.shared.charts import PNG_SIGNATURE, WIDTH_PX, render_chart

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _(s: str) -> str:
    return s


def ngettext(s: str, p: str, n: int) -> str:
    return s if n == 1 else p


@pytest.mark.parametrize(
    ("closed", "live", "voters", "expected"),
    [
        (False, False, 100, Visibility.AFTER_CLOSE),
        (False, True, 4, Visibility.TOO_FEW),
        (False, True, 5, Visibility.SHOWN),
        (True, False, 4, Visibility.TOO_FEW),
        (True, False, 5, Visibility.SHOWN),
    ],
)
def test_visibility(closed: bool, live: bool, voters: int, expected: Visibility) -> None:
    assert visibility(closed=closed, live=live, voters=voters, min_votes=5) is expected


def _results(counts: list[int], voters: int, *, closed: bool = True) -> Results:
    return Results("Q", ["Yes", "No"], counts, voters, closed, False, 5)


def test_results_text_numbers_first_with_percentages() -> None:
    text = results_text(_results([6, 2], 8), _, ngettext)
    assert text.splitlines()[0].startswith("6 · 75% · Yes")
    assert "2 · 25% · No" in text
    assert text.endswith("8 people voted")


def test_below_the_minimum_no_count_at_all() -> None:
    text = results_text(_results([3, 1], 4), _, ngettext)
    # closed: no "so far", no more votes will come
    assert text == "The poll is closed. Fewer than 5 people voted, so the results are not shown."
    open_text = results_text(_results([30, 10], 40, closed=False), _, ngettext)
    assert not any(ch.isdigit() for ch in open_text)


def test_pick_falls_back_to_the_other_language() -> None:
    assert pick("Так", "", "ru") == "Так"
    assert pick("", "Да", "uk") == "Да"
    assert pick("Так", "Да", "ru") == "Да"


def test_parse_options() -> None:
    assert parse_options("a\n\n b \n") == ["a", "b"]
    assert parse_options("a") is OptionsProblem.TOO_FEW
    assert parse_options("\n".join("x" * 11)) is OptionsProblem.TOO_MANY
    assert parse_options("a\n" + "b" * 101) is OptionsProblem.TOO_LONG
    assert parse_options("a\nb\nc", expected=2) is OptionsProblem.COUNT_DIFFERS


def test_parse_closing_in_kyiv_time() -> None:
    when = parse_closing("25.12 18:00", now=NOW, zone="Europe/Kyiv")
    assert when == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)
    assert parse_closing("1.12 10:00", now=NOW, zone="Europe/Kyiv") is WhenProblem.TOO_FAR
    assert parse_closing("1.12.2026 10:00", now=NOW, zone="Europe/Kyiv") is WhenProblem.PAST
    assert parse_closing("tomorrow", now=NOW, zone="Europe/Kyiv") is WhenProblem.UNREADABLE
    assert parse_closing("31.02 10:00", now=NOW, zone="Europe/Kyiv") is WhenProblem.UNREADABLE


def test_creation_flow_from_question_to_publish() -> None:
    data = PollCreateFlow.start_data(audience="community", community_id=1)
    state: str | None = PollForm.question_uk.state
    step = PollCreateFlow.handle(state or "", data, "give_text", text="  ")
    assert step.problem is PollProblem.EMPTY and step.state == PollForm.question_uk.state
    events: list[tuple[str, dict[str, Any]]] = [
        ("give_text", {"text": "Чи корисна зустріч?"}),
        ("skip", {}),
        ("give_text", {"text": "Так\nНі"}),
        ("give_text", {"text": "Да\nНет\nНе знаю"}),  # refused: 3 instead of 2
        ("give_text", {"text": "Да\nНет"}),
        ("choose", {"value": "multiple"}),
        ("choose", {"value": "after"}),
        ("give_text", {"text": "25.12 18:00", "now": NOW, "zone": "Europe/Kyiv"}),
        ("publish", {}),
    ]
    problems = []
    for event, kwargs in events:
        step = PollCreateFlow.handle(state or "", data, event, **kwargs)
        state, data = step.state, step.data
        problems.append(step.problem)
    assert problems[3] is PollProblem.COUNT_DIFFERS
    assert state is None
    draft = step.effects.publish
    assert draft is not None
    assert draft["question_ru"] == "" and draft["multiple"] is True
    assert draft["results_live"] is False and draft["min_votes"] == 5
    assert option_pairs(draft) == [("Так", "Да"), ("Ні", "Нет")]
    assert draft["closes_at"] == "2026-12-25T16:00:00+00:00"


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_chart_is_a_real_small_png_and_leaves_no_figure_open() -> None:
    import matplotlib.pyplot as plt

    png = render_chart("Які теми?", ["Поліція", "Освіта", "Інше"], [5, 3, 0], 8, "8 людей")
    assert png.startswith(PNG_SIGNATURE)
    width, height = _png_size(png)
    assert width <= WIDTH_PX and 200 < height < 2000
    assert 5_000 < len(png) < 120_000
    # decodes: every IDAT chunk inflates to rows of the declared size
    stream, offset = io.BytesIO(), 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        if kind == b"IDAT":
            stream.write(png[offset + 8 : offset + 8 + length])
        offset += 12 + length
    raw = zlib.decompress(stream.getvalue())
    assert len(raw) % height == 0 and len(raw) // height >= width * 3
    assert plt.get_fignums() == []


def test_topics_template_skips_to_when_results_are_shown() -> None:
    data = PollCreateFlow.start_data(audience="community", community_id=1)
    step = PollCreateFlow.handle(
        PollForm.question_uk,
        data,
        "use_template",
        template="topics",
        question_uk="Які теми?",
        question_ru="Какие темы?",
        options_uk=["Поліція", "Освіта"],
        options_ru=["Полиция", "Образование"],
    )
    assert step.state == PollForm.results.state
    assert step.data["multiple"] is True and step.data["template"] == "topics"
    assert option_pairs(step.data) == [("Поліція", "Полиция"), ("Освіта", "Образование")]


def test_closing_time_from_the_picker_then_a_time() -> None:
    """The meetings' picker at the closing step: a day (forged and past ones refused), then
    the time, a button or typed, checked in the community's local time."""
    data = PollCreateFlow.start_data(audience="community", community_id=1)
    kyiv = {"now": NOW, "zone": "Europe/Kyiv"}
    today = date(2026, 12, 2)
    closes = PollForm.closes.state or ""
    step = PollCreateFlow.handle(closes, data, "pick_day", day=date(2026, 12, 1), today=today)
    assert step.problem is PollProblem.DAY_UNKNOWN and step.state == closes  # yesterday
    step = PollCreateFlow.handle(closes, data, "pick_day", day=date(2027, 3, 1), today=today)
    assert step.problem is PollProblem.DAY_UNKNOWN  # beyond the eight weeks
    step = PollCreateFlow.handle(closes, data, "pick_day", day=today, today=today)
    assert step.state == PollForm.closes_time.state and step.data["close_day"] == "2026-12-02"
    at = step.state or ""
    refused = PollCreateFlow.handle(at, step.data, "give_text", text="25:99", **kyiv)
    assert refused.problem is PollProblem.TIME_UNREADABLE
    past = PollCreateFlow.handle(at, step.data, "give_text", text="09:00", **kyiv)
    assert past.problem is PollProblem.WHEN_PAST  # 08:00 UTC is 10:00 in Kyiv
    done = PollCreateFlow.handle(at, step.data, "give_text", text="18:30", **kyiv)
    assert done.state == PollForm.preview.state
    assert done.data["closes_at"] == "2026-12-02T16:30:00+00:00"


def test_audience_step_going_to_a_meeting() -> None:
    meetings = [[7, "2026-12-05", "«Вода», 05.12"], [9, "2026-12-12", "«Світло», 12.12"]]
    data = PollCreateFlow.start_data(audience="community", community_id=1, meetings=meetings)
    audience = PollForm.audience.state or ""
    forged = PollCreateFlow.handle(audience, data, "choose", value="m2")
    assert forged.problem is PollProblem.UNKNOWN_CHOICE and forged.state == audience
    step = PollCreateFlow.handle(audience, data, "choose", value="m1")
    assert step.state == PollForm.question_uk.state
    assert (step.data["audience"], step.data["meeting_id"], step.data["occurrence"]) == (
        "meeting",
        9,
        "2026-12-12",
    )
    everyone = PollCreateFlow.handle(audience, data, "choose", value="all")
    assert everyone.data["audience"] == "community" and everyone.data["meeting_id"] is None


def test_minimum_chosen_in_the_preview_never_below_five() -> None:
    data = {**PollCreateFlow.start_data(audience="community", community_id=1)}
    preview = PollForm.preview.state or ""
    lower = PollCreateFlow.handle(preview, data, "minimum", value="3")
    assert lower.problem is PollProblem.UNKNOWN_CHOICE and lower.data["min_votes"] == 5
    step = PollCreateFlow.handle(preview, data, "minimum", value="20")
    assert step.state == preview and step.data["min_votes"] == 20
