"""Residents' requests, one module per concern, all names importable from here:

- `lifecycle`: the atomic moves (create, claim, route, answer, ask more, reject, close,
  reopen, rate), each one conditional UPDATE plus an audit event;
- `reads`: one request, a resident's list, the queue, a provider's inbox, a thread;
- `aggregates`: the /stats figures.
"""

from storage.repositories.requests.aggregates import Stats, stats
from storage.repositories.requests.lifecycle import (
    FINISHED,
    OPEN,
    REOPEN_WINDOW,
    ClaimResult,
    add_note,
    add_resident_message,
    answer,
    ask_more,
    can_reopen,
    claim,
    close,
    create_request,
    mark_urgent,
    rate,
    reference,
    reject,
    reopen,
    resident_reply,
    route,
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

__all__ = [
    "FINISHED",
    "OPEN",
    "REOPEN_WINDOW",
    "VISIBLE_TO_RESIDENT",
    "ClaimResult",
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
    "queue",
    "rate",
    "reference",
    "reference_of",
    "reject",
    "reopen",
    "resident_reply",
    "route",
    "stats",
    "thread",
]
