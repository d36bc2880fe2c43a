"""Every part of the product that holds something about a person, in the order of the
exported file. `/forget` erases them in the reverse order, so the profile goes last.
A new part adds its `Section` here (see `registry.py`)."""

from __future__ import annotations

from storage.privacy.groups import GROUPS
from storage.privacy.meetings import MEETINGS
from storage.privacy.outbox import NOTIFICATIONS
from storage.privacy.people import CHAT_MESSAGES, CONVERSATION, PROFILE
from storage.privacy.polls import POLLS
from storage.privacy.registry import Section
from storage.privacy.requests import REQUESTS

SECTIONS: tuple[Section, ...] = (
    PROFILE,
    REQUESTS,
    GROUPS,
    MEETINGS,
    POLLS,
    NOTIFICATIONS,
    CONVERSATION,
    CHAT_MESSAGES,
)
