"""Our router takes state filters as aiogram's does: a State, a StatesGroup (class or
instance, nested states included), `any_state`, `default_state`/None and raw names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update

from flows.fsm import State, StatesGroup, any_state, default_state
from handlers.core.context import HromadaContext
from handlers.core.router import Router


class Order(StatesGroup):
    items = State()

    class Confirm(StatesGroup):
        yes = State()


def _text_update(text: str) -> Update:
    chat = Chat(id=42, type=Chat.PRIVATE)
    message = Message(message_id=1, date=datetime.now(UTC), chat=chat, text=text)
    return Update(update_id=1, message=message)


async def on_message(update: Update, ctx: HromadaContext) -> None:
    return None


async def on_other_message(update: Update, ctx: HromadaContext) -> None:
    return None


async def on_button(update: Update, ctx: HromadaContext, arg: str) -> None:
    return None


async def on_prompt(ctx: HromadaContext) -> None:
    return None


def test_a_group_stands_for_all_its_states_nested_ones_included() -> None:
    for spec in (Order, Order()):
        router = Router()
        router.message(spec)(on_message)
        router.callback("ok", spec)(on_button)
        router.prompt(spec)(on_prompt)
        for name in ("Order:items", "Order.Confirm:yes"):
            assert router.find_message(_text_update("hi"), name) is on_message
            assert router.find_button("ok", name) is on_button
            assert router.prompts[name] is on_prompt
        assert router.find_message(_text_update("hi"), None) is None
        assert router.find_button("ok", "Other:x") is None


def test_a_nested_group_does_not_take_its_parent_s_states() -> None:
    router = Router()
    router.message(Order.Confirm)(on_message)
    assert router.find_message(_text_update("hi"), "Order.Confirm:yes") is on_message
    assert router.find_message(_text_update("hi"), "Order:items") is None


def test_any_state_matches_every_state_and_no_state() -> None:
    router = Router()
    router.message(any_state)(on_message)
    router.callback("ok", any_state)(on_button)
    for name in ("Order:items", "Order.Confirm:yes", None):
        assert router.find_message(_text_update("hi"), name) is on_message
        assert router.find_button("ok", name) is on_button
    assert router.find_message(_text_update("/start"), None) is None  # commands go first


def test_an_exact_state_wins_over_any_state() -> None:
    router = Router()
    router.message(any_state)(on_other_message)
    router.message(Order.items)(on_message)
    assert router.find_message(_text_update("hi"), "Order:items") is on_message
    assert router.find_message(_text_update("hi"), "Order.Confirm:yes") is on_other_message


def test_default_state_none_and_raw_names() -> None:
    router = Router()
    router.message(default_state)(on_message)
    router.callback("ok", "Order:items", None)(on_button)
    assert router.find_message(_text_update("hi"), None) is on_message
    assert router.find_message(_text_update("hi"), "Order:items") is None
    assert router.find_button("ok", "Order:items") is on_button
    assert router.find_button("ok", None) is on_button


def test_a_group_overlapping_another_router_s_state_is_a_clash() -> None:
    first, second = Router(), Router()
    first.message(Order)(on_message)
    second.message(Order.Confirm.yes)(on_other_message)
    with pytest.raises(ValueError, match=re.escape("Order.Confirm:yes")):
        first.include(second)


def test_something_that_is_not_a_state_is_refused_at_registration() -> None:
    with pytest.raises(TypeError):
        Router().message(42)(on_message)  # type: ignore[arg-type]
