"""The "Ask a question" flow on its own: no bot, no database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.ask import (
    PHOTO_LIMIT,
    TEXT_LIMIT,
    AskEffects,
    AskFlow,
    AskForm,
    AskProblem,
    Submission,
)
from flows.categories import (
    CATEGORY_CODES,
    REJECT_REASON_CODES,
    category_label,
    is_category,
    is_reject_reason,
)
from flows.flow import StaleEvent, Step
from flows.fsm import State


def at(state: State, **data: Any) -> tuple[State, dict[str, Any]]:
    return state, {**AskFlow.start_data(), **data}


AskStep = Step[AskEffects, AskProblem]


def run(start: tuple[State | str, dict[str, Any]], event: str, **kwargs: Any) -> AskStep:
    state, data = start
    return AskFlow.handle(state, data, event, **kwargs)


def then(step: AskStep, event: str, **kwargs: Any) -> AskStep:
    assert step.state is not None
    return AskFlow.handle(step.state, step.data, event, **kwargs)


def test_the_whole_question_from_safety_screen_to_submit() -> None:
    step = run(at(AskForm.safety), "acknowledge_safety")
    assert step.accepted and step.state == AskForm.category.state
    step = then(step, "choose_category", code="housing")
    assert step.state == AskForm.text.state and step.data["category"] == "housing"
    step = then(step, "give_text", text="Коли дадуть воду в будинку 5?")
    assert step.state == AskForm.photos.state and step.effects == AskEffects()
    step = then(step, "give_photo", file_id="p1")
    step = then(step, "give_photo", file_id="p2")
    assert step.accepted and step.data["photos"] == ["p1", "p2"]
    step = then(step, "photos_done")
    assert step.state == AskForm.contact.state
    step = then(step, "choose_contact", share=False)
    assert step.state == AskForm.preview.state
    step = then(step, "confirm")
    assert step.accepted and step.state is None and step.data == {}
    assert step.effects == AskEffects(
        submit=Submission(
            category="housing",
            text="Коли дадуть воду в будинку 5?",
            photos=["p1", "p2"],
            urgent=False,
            share_contact=False,
        )
    )


def test_the_safety_screen_comes_first() -> None:
    with pytest.raises(StaleEvent):
        run(at(AskForm.safety), "choose_category", code="police")
    with pytest.raises(StaleEvent):
        run(at(AskForm.safety), "give_text", text="питання")


def test_categories_and_reject_reasons() -> None:
    assert CATEGORY_CODES == (
        "police",
        "social",
        "health",
        "education",
        "culture",
        "administration",
        "housing",
        "legal",
        "psychological",
        "humanitarian",
        "other",
    )
    assert all(is_category(code) and category_label(code) for code in CATEGORY_CODES)
    assert REJECT_REASON_CODES == ("spam", "duplicate", "out_of_scope", "emergency")
    assert all(is_reject_reason(code) for code in REJECT_REASON_CODES)
    assert not is_reject_reason("police") and not is_category("spam")


@pytest.mark.parametrize("code", ["", "POLICE", None, "police;drop", 5, "spam"])
def test_unknown_category_keeps_the_step(code: object) -> None:
    step = run(at(AskForm.category), "choose_category", code=code)
    assert not step.accepted and step.problem == "unknown_category"
    assert step.state == AskForm.category.state and step.data["category"] is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b", "\u200f\u200e", None, 42])
def test_an_empty_text_keeps_the_step(text: object) -> None:
    step = run(at(AskForm.text, category="police"), "give_text", text=text)
    assert not step.accepted and step.problem == "empty"
    assert step.state == AskForm.text.state and step.data["text"] is None


def test_a_too_long_text_is_kept_for_shortening() -> None:
    long = "Дуже довге питання. " * 500  # 10,000 characters
    step = run(at(AskForm.text, category="police"), "give_text", text=long)
    assert not step.accepted and step.problem == "too_long"
    assert step.state == AskForm.text.state
    assert step.data["draft"] == long.strip() and step.data["text"] is None
    step = then(step, "give_text", text=long[:TEXT_LIMIT])
    assert step.accepted and step.state == AskForm.photos.state
    assert step.data["text"] == long[:TEXT_LIMIT].strip() and step.data["draft"] is None


def test_the_limit_counts_characters_after_the_outer_whitespace() -> None:
    start = at(AskForm.text, category="police")
    assert run(start, "give_text", text="я" * TEXT_LIMIT).accepted
    assert run(start, "give_text", text="  " + "я" * TEXT_LIMIT + "\n").accepted
    assert run(start, "give_text", text="я" * (TEXT_LIMIT + 1)).problem == "too_long"


@pytest.mark.parametrize(
    "text",
    [
        "Коли прийом? 😀👨‍👩‍👧 🇺🇦",
        "שלום עליכם مرحبا",
        "\u200fنص من اليمين",
        "<b>bold</b> & <i>x</i> &amp; <script>",
        "рядок 1\n\n   рядок 2\tтаб",
    ],
)
def test_a_text_is_stored_as_typed(text: str) -> None:
    step = run(at(AskForm.text, category="other"), "give_text", text=f"  {text}\n ")
    assert step.accepted and step.data["text"] == text


def test_danger_makes_the_request_urgent_and_shows_the_numbers_again() -> None:
    step = run(at(AskForm.text, category="police"), "give_text", text="Сусід погрожує ножем")
    assert step.accepted and step.state == AskForm.photos.state
    assert step.data["urgent"] is True and step.effects == AskEffects(show_emergency=True)
    step = then(step, "back")
    step = then(step, "give_text", text="Сусід шумить вночі")
    assert step.data["urgent"] is True and step.effects == AskEffects()  # urgent stays
    step = then(then(then(step, "photos_done"), "choose_contact", share=True), "confirm")
    assert step.effects.submit is not None
    assert step.effects.submit.urgent is True
    assert step.effects.submit.share_contact is True


def test_danger_in_a_too_long_text_still_shows_the_numbers() -> None:
    text = "мене б'є чоловік. " + "x" * TEXT_LIMIT
    step = run(at(AskForm.text, category="police"), "give_text", text=text)
    assert step.problem == "too_long" and step.effects == AskEffects(show_emergency=True)
    assert step.data["urgent"] is True and step.state == AskForm.text.state


def test_a_photo_with_a_caption_at_the_text_step_gives_both() -> None:
    step = run(at(AskForm.text, category="housing"), "give_photo", file_id="p1", caption="Дах")
    assert step.accepted and step.state == AskForm.photos.state
    assert step.data["text"] == "Дах" and step.data["photos"] == ["p1"]


@pytest.mark.parametrize("caption", [None, "", "  "])
def test_a_photo_without_a_caption_is_kept_and_text_is_asked(caption: str | None) -> None:
    step = run(at(AskForm.text, category="housing"), "give_photo", file_id="p1", caption=caption)
    assert not step.accepted and step.problem == "text_needed"
    assert step.state == AskForm.text.state and step.data["photos"] == ["p1"]
    step = then(step, "give_text", text="Тече дах")
    assert step.state == AskForm.photos.state and step.data["photos"] == ["p1"]


def test_a_danger_caption_is_screened() -> None:
    step = run(at(AskForm.text, category="police"), "give_photo", file_id="p1", caption="пожежа")
    assert step.data["urgent"] is True and step.effects == AskEffects(show_emergency=True)


def test_a_fourth_photo_is_refused_and_the_three_stay() -> None:
    step = run(at(AskForm.photos, category="housing", text="Тече дах"), "give_photo", file_id="a")
    step = then(then(step, "give_photo", file_id="b"), "give_photo", file_id="c")
    assert step.data["photos"] == ["a", "b", "c"]
    again = then(step, "give_photo", file_id="b")  # the same photo twice: kept once
    assert again.accepted and again.data["photos"] == ["a", "b", "c"]
    step = then(step, "give_photo", file_id="d", caption="і ще під'їзд")
    assert not step.accepted and step.problem == "too_many_photos"
    assert step.state == AskForm.photos.state and step.data["photos"] == ["a", "b", "c"]
    assert step.data["text"] == "Тече дах\n\nі ще під'їзд"  # the caption is not lost


def test_a_fourth_photo_at_the_text_step_still_gives_its_caption() -> None:
    step = run(at(AskForm.text, category="housing"), "give_photo", file_id="a")
    step = then(then(step, "give_photo", file_id="b"), "give_photo", file_id="c")
    assert step.state == AskForm.text.state and step.problem == "text_needed"
    step = then(step, "give_photo", file_id="d", caption="Тече дах")
    assert step.accepted and step.problem == "too_many_photos"
    assert step.state == AskForm.photos.state
    assert step.data["photos"] == ["a", "b", "c"] and step.data["text"] == "Тече дах"


@pytest.mark.parametrize("file_id", [None, "", "  ", 5])
def test_a_photo_without_a_file_id_is_refused(file_id: object) -> None:
    step = run(at(AskForm.photos, category="other", text="x"), "give_photo", file_id=file_id)
    assert not step.accepted and step.problem == "no_photo" and step.data["photos"] == []


def test_photos_are_optional() -> None:
    step = run(at(AskForm.photos, category="other", text="x"), "photos_done")
    assert step.accepted and step.state == AskForm.contact.state


def test_text_and_captions_at_the_photos_step_are_added_to_the_question() -> None:
    start = at(AskForm.photos, category="housing", text="Тече дах")
    step = run(start, "give_text", text=" Адреса: вул. Миру, 5 ")
    assert step.accepted and step.state == AskForm.photos.state
    assert step.data["text"] == "Тече дах\n\nАдреса: вул. Миру, 5"
    step = then(step, "give_photo", file_id="p1", caption="Фото стелі")
    assert step.data["text"].endswith("\n\nФото стелі") and step.data["photos"] == ["p1"]
    assert run(start, "give_text", text="  ").problem == "empty"


def test_an_addition_that_does_not_fit_is_kept_in_draft() -> None:
    start = at(AskForm.photos, category="housing", text="x" * (TEXT_LIMIT - 5))
    step = run(start, "give_text", text="довге доповнення")
    assert not step.accepted and step.problem == "addition_too_long"
    assert step.data["draft"] == "довге доповнення" and step.data["text"] == "x" * 1995
    step = run(start, "give_photo", file_id="p1", caption="довгий підпис")
    assert step.accepted and step.problem == "addition_too_long"
    assert step.data["photos"] == ["p1"] and step.data["draft"] == "довгий підпис"


@pytest.mark.parametrize("share", [True, False])
def test_contact_choice(share: bool) -> None:
    step = run(at(AskForm.contact, category="legal", text="x"), "choose_contact", share=share)
    assert step.state == AskForm.preview.state and step.data["share_contact"] is share


@pytest.mark.parametrize("share", ["yes", None, 1])
def test_an_unknown_contact_choice_keeps_the_step(share: object) -> None:
    step = run(at(AskForm.contact, category="legal", text="x"), "choose_contact", share=share)
    assert not step.accepted and step.problem == "unknown_choice"
    assert step.state == AskForm.contact.state and step.data["share_contact"] is False


def test_editing_the_text_returns_to_the_preview_and_keeps_the_rest() -> None:
    preview = at(AskForm.preview, category="legal", text="старе", photos=["p1"], share_contact=True)
    step = run(preview, "edit_text")
    assert step.state == AskForm.text.state and step.data["editing"] is True
    step = then(step, "give_text", text="нове питання")
    assert step.state == AskForm.preview.state
    assert step.data == {**preview[1], "text": "нове питання"}
    step = then(then(step, "edit_text"), "give_photo", file_id="p2", caption="ще нове")
    assert step.state == AskForm.preview.state and step.data["photos"] == ["p1", "p2"]
    step = then(then(step, "edit_text"), "back")  # changed my mind
    assert step.state == AskForm.preview.state and step.data["text"] == "ще нове"
    assert step.data["editing"] is False


def test_back_goes_one_step_back() -> None:
    data = AskFlow.start_data()
    for source, dest in [
        (AskForm.preview, AskForm.contact),
        (AskForm.contact, AskForm.photos),
        (AskForm.photos, AskForm.text),
        (AskForm.text, AskForm.category),
    ]:
        assert AskFlow.handle(source, data, "back").state == dest.state


def test_a_second_confirm_is_stale() -> None:
    step = run(at(AskForm.preview, category="legal", text="x"), "confirm")
    assert step.state is None and step.effects.submit is not None
    with pytest.raises(StaleEvent):
        AskFlow.handle(step.state or "", step.data, "confirm")


def test_confirm_belongs_to_the_preview_only() -> None:
    for state in (AskForm.safety, AskForm.category, AskForm.text, AskForm.photos):
        with pytest.raises(StaleEvent):
            run(at(state, category="legal", text="x"), "confirm")


def test_confirm_refuses_incomplete_data() -> None:
    step = run(at(AskForm.preview, category="legal"), "confirm")
    assert not step.accepted and step.problem == "incomplete" and step.effects == AskEffects()
    step = run(at(AskForm.preview, category="nope", text="x"), "confirm")
    assert step.problem == "incomplete" and step.state == AskForm.preview.state


def test_the_machine_is_shared_and_keeps_no_models() -> None:
    machine = AskFlow.machine()
    run(at(AskForm.text), "give_photo", file_id="p1", caption="x")
    assert AskFlow.machine() is machine and machine.models == []


texts = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["  ", "пожежа", "мене б'є", "<b>&", "😀", "\u200f"]),
    st.builds(lambda n, c: c * n, st.integers(TEXT_LIMIT - 10, TEXT_LIMIT + 10), st.just("я")),
    st.just("x" * 10_000),
)
events = st.one_of(
    st.tuples(st.just("acknowledge_safety"), st.just({})),
    st.tuples(
        st.just("choose_category"),
        st.fixed_dictionaries({"code": st.sampled_from([*CATEGORY_CODES[:3], "", "x"])}),
    ),
    st.tuples(st.just("give_text"), st.fixed_dictionaries({"text": texts})),
    st.tuples(
        st.just("give_photo"),
        st.fixed_dictionaries(
            {"file_id": st.sampled_from(["p1", "p2", "p3", "p4", "p5", ""]), "caption": texts}
        ),
    ),
    st.tuples(st.sampled_from(["photos_done", "confirm", "edit_text", "back"]), st.just({})),
    st.tuples(
        st.just("choose_contact"),
        st.fixed_dictionaries({"share": st.sampled_from([True, False, "yes"])}),
    ),
)


STARTS = [
    at(AskForm.safety),
    at(AskForm.photos, category="health", text="Коли працює амбулаторія?"),
    at(AskForm.preview, category="health", text="x", photos=["p1", "p2", "p3"]),
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STARTS), st.lists(events, max_size=25))
def test_any_sequence_of_events_keeps_the_question_sound(
    start: tuple[State, dict[str, Any]], seq: list[Any]
) -> None:
    state: str | None = start[0].state
    data = start[1]
    for event, kwargs in seq:
        if state is None:
            break
        try:
            step = AskFlow.handle(state, data, event, **kwargs)
        except StaleEvent:
            continue
        submitted = step.effects.submit
        if submitted is not None:
            assert state == AskForm.preview.state and event == "confirm"
            assert is_category(submitted.category)
            assert 1 <= len(submitted.text) <= TEXT_LIMIT
            assert len(submitted.photos) <= PHOTO_LIMIT
        typed = kwargs.get("text")
        if state == AskForm.text.state and isinstance(typed, str) and len(typed) > TEXT_LIMIT:
            assert step.problem == "too_long" and step.data["draft"] == typed.strip()
        if data["urgent"]:
            assert step.state is None or step.data["urgent"]
        state, data = step.state, step.data
        assert state is None or state in AskForm
        if state is None:
            assert data == {} and step.effects.submit is not None
            break
        assert len(data["photos"]) <= PHOTO_LIMIT
        assert len(set(data["photos"])) == len(data["photos"])
        assert data["text"] is None or 1 <= len(data["text"]) <= TEXT_LIMIT
