"""Onboarding and the settings it shares: language, then community, then the main menu.

`/language` and `/community` re-enter the same states with `return_to_menu` set, so a
person who is already onboarded changes one thing and is back at the menu.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from transitions import EventData

from flows.flow import DONE, Flow
from flows.fsm import State, StatesGroup

LANGUAGES = ("uk", "ru")
COMMUNITIES_PER_PAGE = 6


class OnboardingForm(StatesGroup):
    language = State()
    community = State()


class OnboardingProblem(StrEnum):
    UNKNOWN_LANGUAGE = "unknown_language"
    UNKNOWN_PAGE = "unknown_page"
    UNKNOWN_COMMUNITY = "unknown_community"


@dataclass
class OnboardingEffects:
    """What the handler saves on the person: a chosen language, a chosen community."""

    language: str | None = None
    community_id: int | None = None


def page_count(total: int, per_page: int = COMMUNITIES_PER_PAGE) -> int:
    return max(1, -(-total // per_page))


class OnboardingFlow(Flow[OnboardingEffects, OnboardingProblem]):
    """Events: `choose_language(code=)`, `turn_page(page=, total=)`,
    `choose_community(community_id=, known_ids=)`."""

    states = OnboardingForm
    transitions = [  # noqa: RUF012 - declared once per class, read by the machine
        {
            "trigger": "choose_language",
            "source": OnboardingForm.language,
            "dest": OnboardingForm.community,
            "conditions": ["valid_language", "needs_community"],
            "after": "remember_language",
        },
        {
            "trigger": "choose_language",
            "source": OnboardingForm.language,
            "dest": DONE,
            "conditions": "valid_language",
            "after": "remember_language",
        },
        {
            "trigger": "turn_page",
            "source": OnboardingForm.community,
            "dest": None,
            "conditions": "valid_page",
            "after": "remember_page",
        },
        {
            "trigger": "choose_community",
            "source": OnboardingForm.community,
            "dest": DONE,
            "conditions": "known_community",
            "after": "remember_community",
        },
    ]

    @staticmethod
    def start_data(*, return_to_menu: bool) -> dict[str, Any]:
        return {"return_to_menu": return_to_menu, "page": 0}

    def new_effects(self) -> OnboardingEffects:
        return OnboardingEffects()

    # conditions
    def valid_language(self, event: EventData) -> bool:
        return event.kwargs.get("code") in LANGUAGES or self._problem(
            OnboardingProblem.UNKNOWN_LANGUAGE
        )

    def needs_community(self, event: EventData) -> bool:
        return not self.data.get("return_to_menu", False)

    def valid_page(self, event: EventData) -> bool:
        page, total = event.kwargs.get("page"), int(event.kwargs.get("total", 0))
        if isinstance(page, int) and 0 <= page < page_count(total):
            return True
        return self._problem(OnboardingProblem.UNKNOWN_PAGE)

    def known_community(self, event: EventData) -> bool:
        known: Collection[int] = event.kwargs.get("known_ids", ())
        if event.kwargs.get("community_id") in known:
            return True
        return self._problem(OnboardingProblem.UNKNOWN_COMMUNITY)

    # effects
    def remember_language(self, event: EventData) -> None:
        self.effects.language = event.kwargs["code"]
        self.data["page"] = 0

    def remember_page(self, event: EventData) -> None:
        self.data["page"] = event.kwargs["page"]

    def remember_community(self, event: EventData) -> None:
        self.effects.community_id = event.kwargs["community_id"]
