"""Residents' requests, one module per concern, all names importable from here:

- `lifecycle`: states, numbering, creation, closing and `move`, the one conditional UPDATE
  (state and actor's right in its WHERE) plus audit event that every move goes through;
- `staff_moves`: claim, route, answer, ask for more, note, reject;
- `resident_moves`: reply when asked, write more, reopen, rate, the urgency flag;
- `scope`: whose requests a staff role may act on, as a SQL condition;
- `reads`: one request, a resident's list, the queue, a provider's inbox, a thread;
- `aggregates`: the /stats figures.
"""

from storage.repositories.requests.aggregates import Stats, stats, stats_by_period
from storage.repositories.requests.lifecycle import (
    FINISHED,
    OPEN,
    REOPEN_WINDOW,
    Move,
    close,
    create_request,
    reference,
)
from storage.repositories.requests.reads import (
    VISIBLE_TO_RESIDENT,
    awaiting_reply_from,
    events,
    for_resident,
    get_request,
    inbox,
    last_event_id,
    queue,
    reference_of,
    thread,
)
from storage.repositories.requests.resident_moves import (
    add_resident_message,
    can_reopen,
    mark_urgent,
    rate,
    reopen,
    resident_reply,
)
from storage.repositories.requests.scope import may_act
from storage.repositories.requests.staff_moves import (
    ClaimResult,
    add_note,
    answer,
    ask_more,
    claim,
    reject,
    route,
)

__all__ = [
    "FINISHED",
    "OPEN",
    "REOPEN_WINDOW",
    "VISIBLE_TO_RESIDENT",
    "ClaimResult",
    "Move",
    "Stats",
    "add_note",
    "add_resident_message",
    "answer",
    "ask_more",
    "awaiting_reply_from",
    "can_reopen",
    "claim",
    "close",
    "create_request",
    "events",
    "for_resident",
    "get_request",
    "inbox",
    "last_event_id",
    "mark_urgent",
    "may_act",
    "queue",
    "rate",
    "reference",
    "reference_of",
    "reject",
    "reopen",
    "resident_reply",
    "route",
    "stats",
    "stats_by_period",
    "thread",
]
