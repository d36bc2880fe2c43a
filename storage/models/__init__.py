"""The tables, one module per part of the product. Every change comes with a migration in
`storage/migrations/versions/`; import a model from here (`from storage.models import User`)."""

from storage.models.base import NAMING, Base
from storage.models.groups import GroupChat, GroupLinkCode, GroupMembership, SelfHelpGroup
from storage.models.meetings import (
    Meeting,
    MeetingChange,
    MeetingOptIn,
    MeetingReminder,
    MeetingRsvp,
)
from storage.models.outbox import OutboxMessage, SkippedNotice
from storage.models.people import Community, ConversationState, ProcessedUpdate, User
from storage.models.polls import Poll, PollChart, PollOption, PollRecipient, PollVote
from storage.models.privacy import ChatMessage, Erasure
from storage.models.requests import RequestEvent, RequestMessage, ServiceRequest
from storage.models.staff import Invite, StaffChat, StaffChatCard, StaffRole

__all__ = [
    "NAMING",
    "Base",
    "ChatMessage",
    "Community",
    "ConversationState",
    "Erasure",
    "GroupChat",
    "GroupLinkCode",
    "GroupMembership",
    "Invite",
    "Meeting",
    "MeetingChange",
    "MeetingOptIn",
    "MeetingReminder",
    "MeetingRsvp",
    "OutboxMessage",
    "Poll",
    "PollChart",
    "PollOption",
    "PollRecipient",
    "PollVote",
    "ProcessedUpdate",
    "RequestEvent",
    "RequestMessage",
    "SelfHelpGroup",
    "ServiceRequest",
    "SkippedNotice",
    "StaffChat",
    "StaffChatCard",
    "StaffRole",
    "User",
]
