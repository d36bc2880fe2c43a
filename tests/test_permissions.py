"""flows/permissions.py: who may do what, for every role and every action."""

from __future__ import annotations

import pytest

from flows.permissions import Action, Actor, Target, can

HOME, OTHER = 1, 2
POLICE = ("police", "Відділ поліції")
# A request of community HOME routed to the police department.
ROUTED = Target(HOME, routed_category="police", routed_organisation="Відділ поліції")
NOT_ROUTED = Target(HOME)

ACTORS = {
    "moderator": Actor("moderator", HOME),
    "moderator elsewhere": Actor("moderator", OTHER),
    "provider of the organisation": Actor("provider", HOME, *POLICE),
    "same organisation, other category": Actor("provider", HOME, "social", POLICE[1]),
    "other organisation, same category": Actor("provider", HOME, "police", "Патрульна поліція"),
    "same organisation elsewhere": Actor("provider", OTHER, *POLICE),
    "facilitator": Actor("facilitator", HOME),
    "admin": Actor("admin", HOME),
}

V, C, R, AN, AM, N, RJ, CL = (
    Action.VIEW,
    Action.CLAIM,
    Action.ROUTE,
    Action.ANSWER,
    Action.ASK_MORE,
    Action.NOTE,
    Action.REJECT,
    Action.CLOSE,
)
# (actor, request) -> the actions allowed; every other action is refused.
ALLOWED: dict[tuple[str, str], frozenset[Action]] = {
    ("moderator", "routed"): frozenset({V, C, R, AN, AM, N, RJ, CL}),
    ("moderator", "not routed"): frozenset({V, C, R, AN, AM, N, RJ, CL}),
    ("moderator elsewhere", "routed"): frozenset(),
    ("moderator elsewhere", "not routed"): frozenset(),
    ("provider of the organisation", "routed"): frozenset({V, AN, AM}),
    ("provider of the organisation", "not routed"): frozenset(),
    ("same organisation, other category", "routed"): frozenset(),
    ("same organisation, other category", "not routed"): frozenset(),
    ("other organisation, same category", "routed"): frozenset(),
    ("other organisation, same category", "not routed"): frozenset(),
    ("same organisation elsewhere", "routed"): frozenset(),
    ("same organisation elsewhere", "not routed"): frozenset(),
    ("facilitator", "routed"): frozenset(),
    ("facilitator", "not routed"): frozenset(),
    ("admin", "routed"): frozenset(),
    ("admin", "not routed"): frozenset(),
}
REQUESTS = {"routed": ROUTED, "not routed": NOT_ROUTED}


def test_the_table_covers_every_actor_and_request() -> None:
    assert set(ALLOWED) == {(a, r) for a in ACTORS for r in REQUESTS}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(("actor", "request_kind"), sorted(ALLOWED))
def test_can(actor: str, request_kind: str, action: Action) -> None:
    expected = action in ALLOWED[(actor, request_kind)]
    assert can(ACTORS[actor], action, REQUESTS[request_kind]) is expected


def test_a_provider_without_a_category_is_refused_on_an_inconsistent_request() -> None:
    """A routed organisation but no routed category (inconsistent data): nobody but the
    moderators."""
    odd = Target(HOME, routed_category=None, routed_organisation=POLICE[1])
    assert not can(Actor("provider", HOME, None, POLICE[1]), Action.ANSWER, odd)
    assert can(Actor("moderator", HOME), Action.ANSWER, odd)
