"""Who may organise which meetings, decided on the server at every press and text.

A moderator organises their communities' working-group meetings; a facilitator their
groups' meetings. An owner is named `c:<community id>` or `g:<group id>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, Meeting
from storage.repositories import meetings_groups, staff


@dataclass(frozen=True)
class Organiser:
    community_ids: tuple[int, ...]
    group_ids: tuple[int, ...]

    @property
    def owners(self) -> list[str]:
        return [f"c:{c}" for c in self.community_ids] + [f"g:{g}" for g in self.group_ids]

    def may_run(self, meeting: Meeting) -> bool:
        if meeting.group_id is None:
            return meeting.community_id in self.community_ids
        return meeting.group_id in self.group_ids


async def organiser(session: AsyncSession, user_id: int) -> Organiser | None:
    """The person's organiser rights now; None if they have none."""
    roles = await staff.active_roles(session, user_id)
    communities = tuple(sorted({r.community_id for r in roles if r.role == "moderator"}))
    groups = tuple(await meetings_groups.facilitated_group_ids(session, user_id))
    if not communities and not groups:
        return None
    return Organiser(communities, groups)


async def owner_community(session: AsyncSession, owner: str) -> Community | None:
    """The community an owner's meeting belongs to (a group's community for a group)."""
    kind, _sep, raw = owner.partition(":")
    if not raw.isascii() or not raw.isdigit():
        return None
    if kind == "c":
        return await session.get(Community, int(raw))
    community_id = await meetings_groups.community_of_group(session, int(raw))
    return None if community_id is None else await session.get(Community, community_id)
