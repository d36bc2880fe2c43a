"""Self-help groups: the person's memberships and requests to join. Erasing removes both;
the person's account in a group's own Telegram chat is theirs, not the bot's."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import GroupMembership, SelfHelpGroup
from storage.privacy.registry import JSONValue, Person, Section, instant


async def _export(session: AsyncSession, person: Person) -> JSONValue:
    rows = (
        await session.execute(
            select(GroupMembership, SelfHelpGroup.title_uk, SelfHelpGroup.title_ru)
            .join(SelfHelpGroup, SelfHelpGroup.id == GroupMembership.group_id)
            .where(GroupMembership.user_id == person.user_id)
            .order_by(GroupMembership.requested_at)
        )
    ).all()
    return [
        {
            "group": (title_ru if person.language == "ru" else title_uk) or title_uk,
            "status": membership.status,
            "asked": instant(membership.requested_at),
            "decided": instant(membership.decided_at),
        }
        for membership, title_uk, title_ru in rows
    ]


async def _erase(session: AsyncSession, person: Person) -> None:
    await session.execute(delete(GroupMembership).where(GroupMembership.user_id == person.user_id))


GROUPS = Section(
    key="groups",
    about=n_(
        "The self-help groups you joined or asked to join, so that their news and meetings "
        "reach you. Other members are never named here."
    ),
    fields={
        "group": n_("The group."),
        "status": n_(
            "accepted: you are a member; pending: your request waits for the facilitator."
        ),
        "asked": n_("When you joined or asked to join (UTC)."),
        "decided": n_("When the facilitator accepted you (UTC; empty for an open group)."),
    },
    export=_export,
    erase=_erase,
)
