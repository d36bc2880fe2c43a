"""Self-help groups: what changes them (creating and editing groups, joining, leaving,
a facilitator's decision, linking the group's chat).

Every move is one conditional statement, so a double press or a stale button finds the row
already changed and reports it instead of acting twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from flows.group_topics import JOIN_POLICIES, TOPICS, sensitive_by_default
from storage.models import GroupChat, GroupLinkCode, GroupMembership, SelfHelpGroup
from storage.repositories.groups import ACCEPTED, PENDING
from storage.repositories.staff import hash_code
from storage.types import utcnow

LINK_CODE_VALID = timedelta(hours=24)


@dataclass(frozen=True)
class GroupFields:
    """What a moderator gives a group; an empty language falls back to the other one."""

    title_uk: str
    title_ru: str
    description_uk: str
    description_ru: str
    topic: str
    join_policy: str = "approval"
    sensitive: bool | None = None  # None: by the topic

    def checked(self) -> GroupFields:
        if not (self.title_uk.strip() or self.title_ru.strip()):
            raise ValueError("a group needs a title in Ukrainian or in Russian")
        if self.topic not in TOPICS:
            raise ValueError(f"unknown topic {self.topic!r}; one of {', '.join(TOPICS)}")
        if self.join_policy not in JOIN_POLICIES:
            raise ValueError(f"join policy is one of {', '.join(JOIN_POLICIES)}")
        title_uk = self.title_uk.strip() or self.title_ru.strip()
        title_ru = self.title_ru.strip() or title_uk
        description_uk = self.description_uk.strip() or self.description_ru.strip()
        description_ru = self.description_ru.strip() or description_uk
        sensitive = sensitive_by_default(self.topic) if self.sensitive is None else self.sensitive
        return GroupFields(
            title_uk,
            title_ru,
            description_uk,
            description_ru,
            self.topic,
            self.join_policy,
            sensitive,
        )


async def create_group(
    session: AsyncSession, community_id: int, fields: GroupFields
) -> SelfHelpGroup:
    f = fields.checked()
    group = SelfHelpGroup(
        community_id=community_id,
        title_uk=f.title_uk,
        title_ru=f.title_ru,
        description_uk=f.description_uk,
        description_ru=f.description_ru,
        topic=f.topic,
        join_policy=f.join_policy,
        sensitive=bool(f.sensitive),
        is_active=True,
    )
    session.add(group)
    await session.flush()
    return group


async def edit_group(session: AsyncSession, group: SelfHelpGroup, fields: GroupFields) -> None:
    f = fields.checked()
    group.title_uk, group.title_ru = f.title_uk, f.title_ru
    group.description_uk, group.description_ru = f.description_uk, f.description_ru
    group.topic, group.join_policy, group.sensitive = f.topic, f.join_policy, bool(f.sensitive)
    await session.flush()


class Joined(StrEnum):
    JOINED = "joined"  # an open group: a member at once
    REQUESTED = "requested"  # an approval group: the facilitators decide
    ALREADY_MEMBER = "already_member"
    ALREADY_PENDING = "already_pending"
    CLOSED = "closed"  # the group is no longer active


async def join(session: AsyncSession, group: SelfHelpGroup, user_id: int) -> Joined:
    if not group.is_active:
        return Joined.CLOSED
    existing = await session.get(GroupMembership, (group.id, user_id))
    if existing is not None:
        return Joined.ALREADY_MEMBER if existing.status == ACCEPTED else Joined.ALREADY_PENDING
    status = ACCEPTED if group.join_policy == "open" else PENDING
    now = utcnow()
    session.add(
        GroupMembership(
            group_id=group.id,
            user_id=user_id,
            status=status,
            requested_at=now,
            decided_at=now if status == ACCEPTED else None,
        )
    )
    await session.flush()
    return Joined.JOINED if status == ACCEPTED else Joined.REQUESTED


async def leave(session: AsyncSession, group_id: int, user_id: int) -> bool:
    """Leave, or withdraw a request; False when there was nothing to leave."""
    result = await session.execute(
        delete(GroupMembership).where(
            GroupMembership.group_id == group_id, GroupMembership.user_id == user_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def decide(session: AsyncSession, group_id: int, user_id: int, *, approve: bool) -> bool:
    """A facilitator's Approve or Decline of a pending request; False when it is no longer
    pending (decided by another facilitator, withdrawn, or a double press)."""
    pending = (
        GroupMembership.group_id == group_id,
        GroupMembership.user_id == user_id,
        GroupMembership.status == PENDING,
    )
    if approve:
        result = await session.execute(
            update(GroupMembership).where(*pending).values(status=ACCEPTED, decided_at=utcnow())
        )
    else:
        result = await session.execute(delete(GroupMembership).where(*pending))
    return getattr(result, "rowcount", 0) == 1


async def new_link_code(session: AsyncSession, group_id: int, role_id: int) -> str:
    """A one-time code for `/link CODE` in the group's chat; only its hash is stored."""
    code = "grp_" + secrets.token_urlsafe(9)
    session.add(
        GroupLinkCode(
            code_hash=hash_code(code),
            group_id=group_id,
            role_id=role_id,
            expires_at=utcnow() + LINK_CODE_VALID,
        )
    )
    await session.flush()
    return code


async def use_link_code(session: AsyncSession, code: str) -> GroupLinkCode | None:
    """The code's row, used up now; None when unknown, used or expired."""
    now = utcnow()
    result = await session.execute(
        update(GroupLinkCode)
        .where(
            GroupLinkCode.code_hash == hash_code(code),
            GroupLinkCode.used_at.is_(None),
            GroupLinkCode.expires_at > now,
        )
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return await session.get(GroupLinkCode, hash_code(code))


async def link_chat(session: AsyncSession, group_id: int, chat_id: int) -> None:
    """The group's chat is `chat_id` (replacing an earlier one; a chat serves one group)."""
    await session.execute(delete(GroupChat).where(GroupChat.chat_id == chat_id))
    existing = await session.get(GroupChat, group_id)
    if existing is None:
        session.add(GroupChat(group_id=group_id, chat_id=chat_id, is_active=True))
    else:
        existing.chat_id, existing.is_active, existing.linked_at = chat_id, True, utcnow()
    await session.flush()


async def group_of_chat(session: AsyncSession, chat_id: int) -> SelfHelpGroup | None:
    row = await session.scalar(
        select(SelfHelpGroup)
        .join(GroupChat, GroupChat.group_id == SelfHelpGroup.id)
        .where(GroupChat.chat_id == chat_id, GroupChat.is_active.is_(True))
    )
    return row


async def unlink_chat(session: AsyncSession, chat_id: int) -> int | None:
    """The bot was removed from the chat: forget it; the group it served, if any."""
    chat = await session.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
    if chat is None:
        return None
    group_id = chat.group_id
    await session.delete(chat)
    await session.flush()
    return group_id


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int | None:
    """The group became a supergroup: the link follows the new id."""
    result = await session.execute(
        update(GroupChat).where(GroupChat.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )
    if not getattr(result, "rowcount", 0):
        return None
    chat = await session.scalar(select(GroupChat).where(GroupChat.chat_id == new_chat_id))
    return chat.group_id if chat is not None else None
