"""State and StatesGroup name themselves as aiogram's do."""

from __future__ import annotations

from flows.fsm import State, StatesGroup


class RequestForm(StatesGroup):
    text = State()
    photos = State()

    class Nested(StatesGroup):
        inner = State()


def test_state_names_carry_the_group() -> None:
    assert RequestForm.text.state == "RequestForm:text"
    assert RequestForm.__state_names__ == ("RequestForm:text", "RequestForm:photos")
    assert RequestForm.Nested.inner.state == "Nested:inner"


def test_membership_and_equality() -> None:
    assert "RequestForm:text" in RequestForm
    assert RequestForm.photos in RequestForm
    assert "RequestForm:nope" not in RequestForm
    assert RequestForm.text == "RequestForm:text"
    assert RequestForm.text != RequestForm.photos
    assert len(RequestForm.__all_states__) == 3


def test_any_state_and_explicit_group_name() -> None:
    assert State("*").state == "*"
    assert State("x", group_name="G").state == "G:x"
