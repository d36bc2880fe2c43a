"""The Ask flow takes an edit of a message that is part of its draft (issue 7 §2.11)."""

from __future__ import annotations

from flows.ask import TEXT_LIMIT, AskFlow, AskForm, AskProblem, AskStep


def text_step() -> dict[str, object]:
    return {**AskFlow.start_data(), "category": "police"}


def then(step: AskStep, event: str, **kwargs: object) -> AskStep:
    return AskFlow.handle(step.state or "", step.data, event, **kwargs)


def drafted() -> AskStep:
    step = AskFlow.handle(AskForm.text, text_step(), "give_text", text="Питання", message_id=10)
    return then(step, "give_text", text="Доповнення", message_id=11)


def test_an_edit_of_a_piece_replaces_it_in_the_question() -> None:
    step = drafted()
    assert step.data["text"] == "Питання\n\nДоповнення"
    edited = then(step, "edit_message", message_id=10, text="Нове питання")
    assert edited.accepted and edited.effects.edited and edited.state == AskForm.photos.state
    assert edited.data["text"] == "Нове питання\n\nДоповнення"
    again = then(edited, "edit_message", message_id=11, text="Інше доповнення")
    assert again.data["text"] == "Нове питання\n\nІнше доповнення"


def test_an_edit_of_another_message_changes_nothing() -> None:
    step = drafted()
    other = then(step, "edit_message", message_id=99, text="Щось інше")
    assert not other.accepted and other.problem is AskProblem.NOT_IN_DRAFT
    assert other.data["text"] == step.data["text"]


def test_an_edit_that_would_be_too_long_is_kept_aside() -> None:
    step = drafted()
    long = "д" * TEXT_LIMIT
    refused = then(step, "edit_message", message_id=11, text=long)
    assert refused.problem is AskProblem.EDIT_TOO_LONG and refused.data["draft"] == long
    assert refused.data["text"] == step.data["text"]


def test_an_edit_mentioning_danger_makes_it_urgent() -> None:
    edited = then(drafted(), "edit_message", message_id=10, text="Мені погрожують вбити")
    assert edited.data["urgent"] is True and edited.effects.show_emergency


def test_the_submission_names_the_messages_of_the_text() -> None:
    step = then(drafted(), "photos_done")
    step = then(then(step, "choose_contact", share=False), "confirm")
    assert step.effects.submit is not None and step.effects.submit.message_ids == (10, 11)
