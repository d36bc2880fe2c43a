"""flows/flow.py: only an event the state does not have is stale; a bug stays a bug."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from transitions import EventData

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from flows.flow import DONE, Flow, StaleEvent
from flows.fsm import State, StatesGroup
from flows.onboarding import OnboardingFlow
from handlers.core.steps import pieces
from storage.models import ConversationState, User
from tests.running_bot import bot_settings, feed, quiet_bot


class Problem(StrEnum):
    ODD = "odd"


@dataclass
class Effects:
    number: int | None = None


class Form(StatesGroup):
    first = State()
    second = State()


class NumberFlow(Flow[Effects, Problem]):
    states = Form
    transitions = [  # noqa: RUF012
        {"trigger": "give", "source": Form.first, "dest": Form.second, "conditions": "even"},
        {"trigger": "broken", "source": Form.first, "dest": DONE, "conditions": "buggy"},
        {"trigger": "finish", "source": Form.second, "dest": DONE, "after": "remember"},
    ]

    def new_effects(self) -> Effects:
        return Effects()

    def even(self, event: EventData) -> bool:
        return int(event.kwargs["number"]) % 2 == 0 or self._problem(Problem.ODD)

    def buggy(self, event: EventData) -> bool:
        return bool(attrgetter("no_such_attribute")(self))  # the bug: no such attribute

    def remember(self, event: EventData) -> None:
        self.effects.number = 7


def test_an_event_of_the_state_runs() -> None:
    step = NumberFlow.handle(Form.first, {}, "give", number=2)
    assert step.accepted and step.state == Form.second.state and step.problem is None
    step = NumberFlow.handle(Form.second, step.data, "finish")
    assert step.state is None and step.effects == Effects(number=7)


def test_a_refused_event_is_not_stale() -> None:
    step = NumberFlow.handle(Form.first, {}, "give", number=3)
    assert not step.accepted and step.problem is Problem.ODD and step.state == Form.first.state


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (Form.second, "give"),  # an event of another state (an old button)
        (Form.first, "no_such_event"),  # an event no state has
        ("Elsewhere:state", "give"),  # a state of another flow
        ("", "give"),  # no state at all
    ],
)
def test_only_an_event_the_state_does_not_have_is_stale(state: State | str, event: str) -> None:
    with pytest.raises(StaleEvent):
        NumberFlow.handle(state, {}, event, number=2)


def test_a_bug_in_a_condition_is_not_stale() -> None:
    with pytest.raises(AttributeError, match="no_such_attribute"):
        NumberFlow.handle(Form.first, {}, "broken")
    # A bad argument is a bug of the caller, not a stale button either.
    with pytest.raises(KeyError):
        NumberFlow.handle(Form.first, {}, "give")


def test_the_machine_keeps_no_model_after_a_bug() -> None:
    with pytest.raises(AttributeError):
        NumberFlow.handle(Form.first, {}, "broken")
    assert NumberFlow.machine().models == []


async def test_a_bug_in_a_flow_is_logged_and_the_person_told(
    botapi: BotApiServer,
    database_url: str,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not "this button is no longer active": the pipeline logs the error, rolls back, and
    says something went wrong."""
    user = botapi.user()
    async with quiet_bot(bot_settings(botapi, database_url)) as app:
        await _start(app, botapi, user)

        def broken(self: OnboardingFlow, event: EventData) -> bool:
            raise AttributeError("a bug in a condition")

        monkeypatch.setattr(OnboardingFlow, "valid_language", broken)
        with caplog.at_level(logging.ERROR, logger="handlers.core.pipeline"):
            await user.press(user.last_message(), "Українська")
            await feed(app, botapi)
    assert "Ваші дані збережено" in (user.last_message().text or "")
    answers = [a.get("text") or "" for a in botapi.calls_of("answerCallbackQuery")]
    assert not any("не діє" in a for a in answers)
    assert any(r.exc_info and r.exc_info[0] is AttributeError for r in caplog.records)
    async with engine.connect() as conn:
        states = (await conn.execute(select(ConversationState.state))).scalars().all()
        language = (await conn.execute(select(User.language))).scalar_one()
    assert states == ["OnboardingForm:language"] and language is None  # rolled back


async def _start(app: HromadaApp, botapi: BotApiServer, user: FakeUser) -> None:
    await user.send_command("/start")
    await feed(app, botapi)


@pytest.mark.parametrize(
    "text",
    [
        ("Дуже довге запитання. " * 460)[:10_000].strip(),
        "x" * 8000,
        "ab " * 2700 + "c",
        "слово" + " " * 5000 + "кінець",
    ],
)
def test_a_text_given_back_joins_back_exactly(text: str) -> None:
    parts = pieces(text, 3500)
    assert "".join(parts) == text
    assert all(0 < len(p) <= 3500 for p in parts)
    # no piece that Telegram would trim, unless white space longer than a piece forces it
    if " " * 3500 not in text:
        assert all(p == p.strip() for p in parts)
