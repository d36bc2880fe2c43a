"""Staff roles, one-time invitations, and the staff chats of communities."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, Invite, StaffChat, StaffRole, User
from storage.types import utcnow

ROLES = ("moderator", "provider", "facilitator", "admin")


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def community_by_slug(session: AsyncSession, slug: str) -> Community | None:
    result = await session.execute(
        select(Community).where((Community.slug == slug.lower()) | (Community.code == slug.upper()))
    )
    return result.scalar_one_or_none()


async def create_invite(
    session: AsyncSession,
    *,
    role: str,
    community: Community,
    category: str | None = None,
    org_name_uk: str | None = None,
    org_name_ru: str | None = None,
    label: str | None = None,
    group_id: int | None = None,
    valid_for: timedelta = timedelta(days=7),
) -> str:
    """A fresh one-time code (for `t.me/<bot>?start=<code>`); only its hash is stored.
    A facilitator's invite names their group (of the same community)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "provider" and not (category and org_name_uk and org_name_ru):
        raise ValueError("a provider needs a category and the organisation's uk and ru names")
    if group_id is not None and role != "facilitator":
        raise ValueError("only a facilitator is invited to a group")
    code = "inv_" + secrets.token_urlsafe(24)  # Telegram allows [A-Za-z0-9_-], up to 64
    session.add(
        Invite(
            code_hash=hash_code(code),
            role=role,
            community_id=community.id,
            category=category,
            org_name_uk=org_name_uk,
            org_name_ru=org_name_ru,
            label=label,
            group_id=group_id,
            expires_at=utcnow() + valid_for,
        )
    )
    await session.flush()
    return code


@dataclass(frozen=True)
class InviteResult:
    role: StaffRole | None
    problem: str | None  # "unknown", "used", "expired"
    # A used link opened again by the person it made staff: the role it gave them, if
    # they still hold it.
    held: StaffRole | None = None


async def accept_invite(session: AsyncSession, code: str, user: User) -> InviteResult:
    """Give `user` the invited role; the code works once (a second use is refused)."""
    invite = (
        await session.execute(select(Invite).where(Invite.code_hash == hash_code(code)))
    ).scalar_one_or_none()
    if invite is None:
        return InviteResult(None, "unknown")
    now = utcnow()
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now, used_by=user.id)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        await session.refresh(invite)
        if invite.used_at is None:
            return InviteResult(None, "expired")
        held = await _role_from(session, invite) if invite.used_by == user.id else None
        return InviteResult(None, "used", held)
    role = StaffRole(
        user_id=user.id,
        community_id=invite.community_id,
        role=invite.role,
        category=invite.category,
        org_name_uk=invite.org_name_uk,
        org_name_ru=invite.org_name_ru,
        label=invite.label,
        group_id=invite.group_id,
    )
    session.add(role)
    await session.flush()
    # No label given: none is stored (staff read "Moderator 7" in their own language,
    # rendered from the role and its id, `handlers.shared.names.staff_label`).
    if user.community_id is None:
        user.community_id = invite.community_id
    return InviteResult(role, None)


async def _role_from(session: AsyncSession, invite: Invite) -> StaffRole | None:
    """The active role `invite` gave the person who used it."""
    result = await session.execute(
        select(StaffRole).where(
            StaffRole.user_id == invite.used_by,
            StaffRole.community_id == invite.community_id,
            StaffRole.role == invite.role,
            StaffRole.category.is_(None)
            if invite.category is None
            else StaffRole.category == invite.category,
            StaffRole.group_id.is_(None)
            if invite.group_id is None
            else StaffRole.group_id == invite.group_id,
            StaffRole.revoked_at.is_(None),
        )
    )
    return result.scalars().first()


async def active_roles(session: AsyncSession, user_id: int) -> list[StaffRole]:
    result = await session.execute(
        select(StaffRole)
        .where(StaffRole.user_id == user_id, StaffRole.revoked_at.is_(None))
        .order_by(StaffRole.id)
    )
    return list(result.scalars())


async def list_staff(session: AsyncSession, community_id: int | None = None) -> list[StaffRole]:
    query = select(StaffRole).where(StaffRole.revoked_at.is_(None)).order_by(StaffRole.id)
    if community_id is not None:
        query = query.where(StaffRole.community_id == community_id)
    return list((await session.execute(query)).scalars())


async def revoke(session: AsyncSession, role_id: int) -> bool:
    result = await session.execute(
        update(StaffRole)
        .where(StaffRole.id == role_id, StaffRole.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return getattr(result, "rowcount", 0) == 1


async def providers(
    session: AsyncSession, community_id: int, category: str | None = None
) -> list[StaffRole]:
    """Active provider roles of a community (of one category if given), one per organisation."""
    query = select(StaffRole).where(
        StaffRole.community_id == community_id,
        StaffRole.role == "provider",
        StaffRole.revoked_at.is_(None),
    )
    if category is not None:
        query = query.where(StaffRole.category == category)
    seen: dict[tuple[str | None, str | None], StaffRole] = {}
    for role in (await session.execute(query.order_by(StaffRole.id))).scalars():
        seen.setdefault((role.category, role.org_name_uk), role)
    return list(seen.values())


async def colleagues(session: AsyncSession, role: StaffRole) -> list[StaffRole]:
    """Provider roles of the same organisation, category and community as `role`."""
    result = await session.execute(
        select(StaffRole).where(
            StaffRole.community_id == role.community_id,
            StaffRole.role == "provider",
            StaffRole.category == role.category,
            StaffRole.org_name_uk == role.org_name_uk,
            StaffRole.revoked_at.is_(None),
        )
    )
    return list(result.scalars())


async def moderators(session: AsyncSession, community_id: int) -> list[StaffRole]:
    result = await session.execute(
        select(StaffRole).where(
            StaffRole.community_id == community_id,
            StaffRole.role == "moderator",
            StaffRole.revoked_at.is_(None),
        )
    )
    return list(result.scalars())


async def roles_by_id(session: AsyncSession, role_ids: Collection[int]) -> dict[int, StaffRole]:
    """The roles with these ids (revoked ones too: they signed what they wrote), one query."""
    if not role_ids:
        return {}
    result = await session.execute(select(StaffRole).where(StaffRole.id.in_(set(role_ids))))
    return {role.id: role for role in result.scalars()}


async def link_staff_chat(session: AsyncSession, community_id: int, chat_id: int) -> None:
    """Make `chat_id` the community's staff chat (a chat serves one community)."""
    existing = await session.get(StaffChat, community_id)
    other = (
        await session.execute(select(StaffChat).where(StaffChat.chat_id == chat_id))
    ).scalar_one_or_none()
    if other is not None and other.community_id != community_id:
        await session.delete(other)
        await session.flush()
    if existing is None:
        session.add(StaffChat(community_id=community_id, chat_id=chat_id, is_active=True))
    else:
        existing.chat_id, existing.is_active, existing.linked_at = chat_id, True, utcnow()
    await session.flush()


async def staff_chat_of(session: AsyncSession, community_id: int) -> int | None:
    chat = await session.get(StaffChat, community_id)
    return chat.chat_id if chat and chat.is_active else None


async def community_of_staff_chat(session: AsyncSession, chat_id: int) -> int | None:
    result = await session.execute(
        select(StaffChat.community_id).where(StaffChat.chat_id == chat_id, StaffChat.is_active)
    )
    return result.scalar_one_or_none()


async def staff_telegram_ids(session: AsyncSession) -> frozenset[int]:
    """Telegram ids of everyone holding an unrevoked role (flood control exempts them)."""
    result = await session.execute(
        select(User.telegram_id)
        .join(StaffRole, StaffRole.user_id == User.id)
        .where(StaffRole.revoked_at.is_(None))
        .distinct()
    )
    return frozenset(result.scalars())
