"""The onboarding flow on its own: no bot, no database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.flow import StaleEvent
from flows.onboarding import OnboardingEffects, OnboardingFlow, OnboardingForm, page_count

KNOWN = {1, 2, 3}


def start(return_to_menu: bool = False) -> dict[str, Any]:
    return OnboardingFlow.start_data(return_to_menu=return_to_menu)


def test_language_then_community_then_done() -> None:
    step = OnboardingFlow.handle(OnboardingForm.language, start(), "choose_language", code="ru")
    assert step.accepted and step.state == OnboardingForm.community.state
    assert step.state is not None
    assert step.effects == OnboardingEffects(language="ru")
    step = OnboardingFlow.handle(
        step.state, step.data, "choose_community", community_id=2, known_ids=KNOWN
    )
    assert step.accepted and step.state is None and step.data == {}
    assert step.effects == OnboardingEffects(community_id=2)


def test_changing_language_later_returns_to_the_menu() -> None:
    step = OnboardingFlow.handle(OnboardingForm.language, start(True), "choose_language", code="uk")
    assert step.state is None and step.effects == OnboardingEffects(language="uk")


@pytest.mark.parametrize("code", ["en", "", "UK", "uk;drop", None])
def test_unknown_language_keeps_the_step(code: object) -> None:
    step = OnboardingFlow.handle(OnboardingForm.language, start(), "choose_language", code=code)
    assert not step.accepted and step.problem == "unknown_language"
    assert step.state == OnboardingForm.language.state and step.effects == OnboardingEffects()


def test_unknown_community_keeps_the_step() -> None:
    state = OnboardingForm.community
    step = OnboardingFlow.handle(
        state, start(), "choose_community", community_id=99, known_ids=KNOWN
    )
    assert not step.accepted and step.problem == "unknown_community"
    assert step.state == state.state


def test_pages_are_bounded() -> None:
    state = OnboardingForm.community
    assert OnboardingFlow.handle(state, start(), "turn_page", page=2, total=14).data["page"] == 2
    assert not OnboardingFlow.handle(state, start(), "turn_page", page=3, total=14).accepted
    assert not OnboardingFlow.handle(state, start(), "turn_page", page=-1, total=14).accepted
    assert page_count(0) == 1 and page_count(6) == 1 and page_count(7) == 2


def test_an_event_of_another_step_is_stale() -> None:
    with pytest.raises(StaleEvent):
        OnboardingFlow.handle(OnboardingForm.community, start(), "choose_language", code="uk")
    with pytest.raises(StaleEvent):
        OnboardingFlow.handle("SomethingElse:state", start(), "choose_language", code="uk")


def test_the_machine_is_shared_and_keeps_no_models() -> None:
    machine = OnboardingFlow.machine()
    OnboardingFlow.handle(OnboardingForm.language, start(), "choose_language", code="uk")
    assert OnboardingFlow.machine() is machine
    assert machine.models == []


events = st.one_of(
    st.tuples(
        st.just("choose_language"),
        st.fixed_dictionaries({"code": st.sampled_from(["uk", "ru", "en", ""])}),
    ),
    st.tuples(
        st.just("turn_page"),
        st.fixed_dictionaries({"page": st.integers(-2, 5), "total": st.integers(0, 30)}),
    ),
    st.tuples(
        st.just("choose_community"),
        st.fixed_dictionaries({"community_id": st.integers(0, 5), "known_ids": st.just(KNOWN)}),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(events, max_size=12), st.booleans())
def test_any_sequence_of_presses_ends_in_a_known_state(
    seq: list[Any], return_to_menu: bool
) -> None:
    state: str | None = OnboardingForm.language.state
    data = start(return_to_menu)
    for event, kwargs in seq:
        if state is None:
            break
        try:
            step = OnboardingFlow.handle(state, data, event, **kwargs)
        except StaleEvent:
            continue
        state, data = step.state, step.data
        assert state is None or state in OnboardingForm
        assert data.get("page", 0) >= 0 or state is None
