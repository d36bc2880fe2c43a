"""Who may do what with a request: one pure rule, no database, no Telegram.

The vocabulary, shared with the atomic `UPDATE ... WHERE` in `storage/repositories/requests`
so that a check and a change say the same thing:

- roles (`StaffRole.role`): `moderator`, `provider` (also `facilitator`, `admin`, who have
  no rights on requests);
- actions (`Action`): `view` (open the card, see photos), `claim`, `route`, `answer`,
  `ask_more`, `note`, `reject`, `close`.

The rule: a **moderator** may do every action on requests of their own community. A
**provider** may `view`, `answer` and `ask_more` on a request routed to their organisation:
same community, the request's `routed_category` is theirs, and the role it was routed to
belongs to the same organisation (organisations are keyed by their Ukrainian name, as in
`storage.repositories.staff.colleagues`). Nobody else may do anything. Revoked roles are
never passed in (only active roles are loaded). Whether the request's *status* allows the
change is the storage's business (`WHERE status IN (...)`), not this rule's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    VIEW = "view"
    CLAIM = "claim"
    ROUTE = "route"
    ANSWER = "answer"
    ASK_MORE = "ask_more"
    NOTE = "note"
    REJECT = "reject"
    CLOSE = "close"


MODERATOR = "moderator"
PROVIDER = "provider"
MODERATOR_ACTIONS = frozenset(Action)
PROVIDER_ACTIONS = frozenset({Action.VIEW, Action.ANSWER, Action.ASK_MORE})


@dataclass(frozen=True)
class Actor:
    """One active staff role of the person acting."""

    role: str
    community_id: int
    category: str | None = None
    organisation: str | None = None  # the organisation's key (its Ukrainian name)


@dataclass(frozen=True)
class Target:
    """A request as the rule sees it."""

    community_id: int
    routed_category: str | None = None
    routed_organisation: str | None = None  # the key of the organisation it is routed to


def can(actor: Actor, action: Action, request: Target) -> bool:
    """Whether `actor` may do `action` on `request` (see the module docstring)."""
    if actor.community_id != request.community_id:
        return False
    if actor.role == MODERATOR:
        return action in MODERATOR_ACTIONS
    if actor.role == PROVIDER:
        return (
            action in PROVIDER_ACTIONS
            and request.routed_organisation is not None
            and request.routed_category is not None
            and actor.category == request.routed_category
            and actor.organisation == request.routed_organisation
        )
    return False
