"""The moderators' group creation and edit flow, without Telegram or a database."""

from __future__ import annotations

from typing import Any

import pytest

from flows.flow import StaleEvent, Step
from flows.groups_edit import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    GroupDraft,
    GroupEditFlow,
    GroupEffects,
    GroupForm,
    GroupProblem,
)

Result = Step[GroupEffects, GroupProblem]


def run(state: Any, data: dict[str, Any], event: str, **kwargs: Any) -> Result:
    return GroupEditFlow.handle(state, data, event, **kwargs)


def then(step: Result, event: str, **kwargs: Any) -> Result:
    assert step.state is not None
    return run(step.state, step.data, event, **kwargs)


def created_up_to_topic() -> Result:
    step = run(
        GroupForm.community,
        GroupEditFlow.start_data(),
        "choose_community",
        community=2,
        allowed=[1, 2],
    )
    assert step.state == GroupForm.title_uk.state and step.data["community_id"] == 2
    step = then(step, "give_text", text="  Батьки дітей з інвалідністю ")
    step = then(step, "skip")  # no Russian title: the uk one stands in
    step = then(step, "give_text", text="Зустрічі щомісяця")
    step = then(step, "give_text", text="Встречи каждый месяц")
    assert step.state == GroupForm.topic.state
    return step


def test_creation_passes_every_step_and_saves_a_draft() -> None:
    step = then(created_up_to_topic(), "pick_topic", topic="disability")
    assert step.state == GroupForm.policy.state and step.data["sensitive"] is True
    step = then(step, "pick_policy", policy="approval")
    assert step.state == GroupForm.sensitive.state
    step = then(step, "pick_sensitive", value=True)
    assert step.state == GroupForm.preview.state
    done = then(step, "save")
    assert done.state is None and done.accepted
    assert done.effects.save == GroupDraft(
        community_id=2,
        group_id=None,
        title_uk="Батьки дітей з інвалідністю",
        title_ru="",
        description_uk="Зустрічі щомісяця",
        description_ru="Встречи каждый месяц",
        topic="disability",
        join_policy="approval",
        sensitive=True,
        is_active=True,
    )


def test_a_community_not_moderated_is_refused() -> None:
    step = run(GroupForm.community, {}, "choose_community", community=9, allowed=[1, 2])
    assert not step.accepted and step.problem is GroupProblem.UNKNOWN_COMMUNITY
    assert step.state == GroupForm.community.state


def test_a_topic_that_could_expose_turns_sensitive_on_again() -> None:
    step = then(created_up_to_topic(), "pick_topic", topic="parents")
    assert step.data["sensitive"] is False
    step = then(then(step, "pick_policy", policy="open"), "pick_sensitive", value=False)
    step = then(step, "fix_topic")
    assert step.state == GroupForm.topic.state
    step = then(step, "pick_topic", topic="violence")
    assert step.state == GroupForm.preview.state  # back to the preview, not on to joining
    assert step.data["sensitive"] is True
    step = then(step, "fix_sensitive")
    step = then(step, "pick_sensitive", value=False)
    step = then(then(step, "fix_topic"), "pick_topic", topic="youth")
    assert step.data["sensitive"] is False  # a harmless topic keeps what was chosen


def test_too_long_and_empty_texts_are_refused_and_kept() -> None:
    step = run(GroupForm.title_uk, {"community_id": 1}, "give_text", text="x" * (TITLE_LIMIT + 1))
    assert step.problem is GroupProblem.TOO_LONG and step.state == GroupForm.title_uk.state
    assert step.data["draft"] == "x" * (TITLE_LIMIT + 1)
    step = then(step, "give_text", text="   ")
    assert step.problem is GroupProblem.EMPTY
    with pytest.raises(StaleEvent):  # the uk title cannot be skipped
        then(step, "skip")
    long = "y" * (DESCRIPTION_LIMIT + 1)
    refused = run(GroupForm.description_uk, {"community_id": 1}, "give_text", text=long)
    assert refused.problem is GroupProblem.TOO_LONG and refused.data["draft"] == long


def existing() -> GroupDraft:
    return GroupDraft(
        community_id=1,
        group_id=7,
        title_uk="Ромська ініціатива",
        title_ru="Ромская инициатива",
        description_uk="",
        description_ru="",
        topic="ethnicity",
        join_policy="approval",
        sensitive=True,
        is_active=True,
    )


def test_editing_one_field_comes_back_to_the_preview_and_keeps_the_rest() -> None:
    step = run(GroupForm.preview, existing().data(), "fix_title_ru")
    assert step.state == GroupForm.title_ru.state
    step = then(step, "give_text", text="Ромская инициатива Дружковки")
    assert step.state == GroupForm.preview.state
    step = then(step, "fix_policy")
    step = then(step, "pick_policy", policy="open")
    assert step.state == GroupForm.preview.state
    step = then(step, "toggle_active")
    done = then(step, "save")
    saved = done.effects.save
    assert saved is not None and saved.group_id == 7
    assert (
        saved.title_ru == "Ромская инициатива Дружковки" and saved.title_uk == "Ромська ініціатива"
    )
    assert saved.join_policy == "open" and saved.sensitive and not saved.is_active


def test_hiding_is_for_existing_groups_and_forged_choices_are_refused() -> None:
    step = then(
        then(created_up_to_topic(), "pick_topic", topic="other"), "pick_policy", policy="open"
    )
    step = then(step, "pick_sensitive", value=False)
    refused = then(step, "toggle_active")
    assert not refused.accepted and refused.problem is GroupProblem.NOT_OFFERED
    forged = then(then(step, "fix_topic"), "pick_topic", topic="nonsense")
    assert forged.problem is GroupProblem.NOT_OFFERED and forged.state == GroupForm.topic.state
    with pytest.raises(StaleEvent):
        then(step, "fix_community")  # no such button
    with pytest.raises(StaleEvent):
        then(step, "pick_topic", topic="other")  # a topic button of a step already left
