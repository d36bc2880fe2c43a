"""State and StatesGroup name, nest, contain and filter as aiogram 3's do."""

from __future__ import annotations

import pytest

from flows.fsm import State, StateFilter, StatesGroup, any_state, default_state, state_names


class RequestForm(StatesGroup):
    text = State()
    photos = State()

    class Nested(StatesGroup):
        inner = State()

        class Deeper(StatesGroup):
            bottom = State()


class Loose(StatesGroup):
    pass


class Alpha(StatesGroup):
    class Confirm(StatesGroup):
        yes = State()


class Beta(StatesGroup):
    class Confirm(StatesGroup):
        yes = State()


# --- names ---------------------------------------------------------------------------


def test_state_names_carry_the_group_and_its_parents() -> None:
    assert RequestForm.text.state == "RequestForm:text"
    assert RequestForm.__state_names__ == ("RequestForm:text", "RequestForm:photos")
    assert RequestForm.Nested.inner.state == "RequestForm.Nested:inner"
    assert RequestForm.Nested.Deeper.bottom.state == "RequestForm.Nested.Deeper:bottom"
    # a child's own names are right too, although it was complete before its parent
    assert RequestForm.Nested.__state_names__ == ("RequestForm.Nested:inner",)
    assert RequestForm.Nested.Deeper.__all_states_names__ == ("RequestForm.Nested.Deeper:bottom",)


def test_parent_and_full_group_name() -> None:
    assert RequestForm.__parent__ is None
    assert RequestForm.Nested.__parent__ is RequestForm
    assert RequestForm.Nested.Deeper.__parent__ is RequestForm.Nested
    assert RequestForm.__full_group_name__ == "RequestForm"
    assert RequestForm.Nested.__full_group_name__ == "RequestForm.Nested"
    assert RequestForm.Nested.Deeper.__full_group_name__ == "RequestForm.Nested.Deeper"
    assert RequestForm.Nested.inner.group is RequestForm.Nested


def test_same_named_children_of_two_parents_do_not_collide() -> None:
    assert Alpha.Confirm.yes.state == "Alpha.Confirm:yes"
    assert Beta.Confirm.yes.state == "Beta.Confirm:yes"
    assert Alpha.Confirm.yes != Beta.Confirm.yes
    assert Alpha.Confirm.yes not in Beta
    assert "Alpha.Confirm:yes" not in Beta
    assert not Beta()(None, "Alpha.Confirm:yes")


def test_a_state_alone_an_explicit_group_name_and_the_star() -> None:
    alone = State("test")
    assert alone.state == "@:test"
    assert str(alone) == "<State '@:test'>"
    with pytest.raises(RuntimeError):
        _ = alone.group
    named = State("x", group_name="G")
    assert named.state == "G:x"
    with pytest.raises(RuntimeError):
        _ = named.group
    assert State("*").state == "*"
    assert str(State()) == "<State ''>"


def test_default_state_is_no_state_and_any_state_is_the_star() -> None:
    assert default_state.state is None
    assert any_state.state == "*"
    assert str(any_state) == "<State '*'>"


def test_a_state_outside_a_states_group_is_refused() -> None:
    # Python 3.11 wraps errors of __set_name__ in a RuntimeError; 3.12+ raises them bare.
    with pytest.raises((RuntimeError, ValueError)) as caught:

        class NotAGroup:
            state1 = State()

    error = caught.value
    cause = error if isinstance(error, ValueError) else error.__cause__
    assert isinstance(cause, ValueError)
    assert "StatesGroup" in str(cause)


def test_equality_and_hash_follow_the_name() -> None:
    assert RequestForm.text == "RequestForm:text"
    assert RequestForm.text != RequestForm.photos
    assert RequestForm.text == State("text", group_name="RequestForm")
    by_state: dict[State | str, int] = {RequestForm.text: 1}
    assert by_state["RequestForm:text"] == 1
    assert (RequestForm.text == 42) is False


# --- group attributes and membership ---------------------------------------------------


def test_all_states_and_all_childs_span_every_level() -> None:
    assert RequestForm.__states__ == (RequestForm.text, RequestForm.photos)
    assert RequestForm.__childs__ == (RequestForm.Nested,)
    assert RequestForm.__all_childs__ == (RequestForm.Nested, RequestForm.Nested.Deeper)
    assert RequestForm.__all_states__ == (
        RequestForm.text,
        RequestForm.photos,
        RequestForm.Nested.inner,
        RequestForm.Nested.Deeper.bottom,
    )
    assert RequestForm.__all_states_names__ == (
        "RequestForm:text",
        "RequestForm:photos",
        "RequestForm.Nested:inner",
        "RequestForm.Nested.Deeper:bottom",
    )
    assert list(RequestForm) == list(RequestForm.__all_states__)
    assert set(RequestForm.Nested) == {RequestForm.Nested.inner, RequestForm.Nested.Deeper.bottom}


def test_an_empty_group() -> None:
    assert Loose.__states__ == ()
    assert Loose.__all_childs__ == ()
    assert Loose.__all_states__ == ()
    assert Loose.__all_states_names__ == ()
    assert list(Loose) == []
    assert Loose.get_root() is Loose


def test_membership_reaches_nested_states_and_groups() -> None:
    assert "RequestForm:text" in RequestForm
    assert "RequestForm.Nested:inner" in RequestForm
    assert "RequestForm.Nested.Deeper:bottom" in RequestForm
    assert RequestForm.Nested.inner in RequestForm
    assert RequestForm.Nested.Deeper.bottom in RequestForm
    assert RequestForm.Nested in RequestForm
    assert RequestForm.Nested.Deeper in RequestForm
    # not upwards, not strangers
    assert RequestForm.text not in RequestForm.Nested
    assert RequestForm not in RequestForm.Nested
    assert "Nested:inner" not in RequestForm
    assert "RequestForm:nope" not in RequestForm
    assert 42 not in RequestForm
    assert Alpha.Confirm not in RequestForm


def test_root_and_str_of_a_group() -> None:
    assert RequestForm.Nested.Deeper.get_root() is RequestForm
    assert RequestForm.get_root() is RequestForm
    assert str(RequestForm) == "<StatesGroup 'RequestForm'>"
    assert str(RequestForm.Nested.Deeper) == "<StatesGroup 'RequestForm.Nested.Deeper'>"
    assert str(RequestForm.Nested()) == "StatesGroup RequestForm.Nested"


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "raw", "expected"),
    [
        (RequestForm.text, "RequestForm:text", True),
        (RequestForm.text, "RequestForm:photos", False),
        (RequestForm.text, None, False),
        (RequestForm.Nested.inner, "RequestForm.Nested:inner", True),
        (RequestForm.Nested.inner, "Nested:inner", False),
        (State("test"), "@:test", True),
        (State("test"), "test", False),
        (State("t", group_name="g"), "g:t", True),
        (State("t", group_name="g"), "g2:t", False),
        (default_state, None, True),
        (default_state, "RequestForm:text", False),
        (any_state, None, True),
        (any_state, "RequestForm:text", True),
        (any_state, "anything at all", True),
    ],
)
def test_a_state_is_a_filter(state: State, raw: str | None, expected: bool) -> None:
    assert state(None, raw) is expected
    assert state(event=object(), raw_state=raw) is expected


def test_a_group_instance_is_a_filter_over_its_nested_states() -> None:
    group = RequestForm()
    assert group(None, "RequestForm:photos")
    assert group(None, "RequestForm.Nested.Deeper:bottom")
    assert not group(None, "RequestForm:missing")
    assert not group(None, None)
    nested = RequestForm.Nested()
    assert nested(None, "RequestForm.Nested:inner")
    assert not nested(None, "RequestForm:text")
    assert not Loose()(None, "Loose:x")


async def test_state_filter_takes_what_aiogram_s_takes() -> None:
    assert await StateFilter(RequestForm.text)(None, "RequestForm:text")
    assert not await StateFilter(RequestForm.text)(None, "RequestForm:photos")
    assert await StateFilter(RequestForm)(None, "RequestForm.Nested:inner")
    assert await StateFilter(RequestForm.Nested())(None, "RequestForm.Nested:inner")
    assert await StateFilter(None)(None, None)
    assert not await StateFilter(None)(None, "RequestForm:text")
    assert await StateFilter("*")(None, "whatever")
    assert await StateFilter(any_state)(None, None)
    assert await StateFilter("x", RequestForm.photos)(None, "RequestForm:photos")
    with pytest.raises(ValueError):
        StateFilter()
    with pytest.raises(TypeError):
        StateFilter(42)  # type: ignore[arg-type]


def test_state_names_of_each_kind_of_filter() -> None:
    assert state_names(RequestForm.text) == ("RequestForm:text",)
    assert state_names(RequestForm.Nested) == (
        "RequestForm.Nested:inner",
        "RequestForm.Nested.Deeper:bottom",
    )
    assert state_names(RequestForm.Nested()) == state_names(RequestForm.Nested)
    assert state_names(any_state) == ("*",)
    assert state_names(default_state) == (None,)
    assert state_names(None) == (None,)
    assert state_names("raw:name") == ("raw:name",)
