"""Requests: exported with their public thread (no internal notes, no staff names; staff
sign as their organisation); erased by keeping the request for statistics without its
text, photos, shared contact or author."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import (
    Community,
    RequestMessage,
    ServiceRequest,
    SkippedNotice,
    StaffChatCard,
    StaffRole,
)
from storage.privacy.registry import JSONValue, Person, Section, instant
from storage.repositories.requests import reference
from storage.types import utcnow

PRIVATE_KINDS = frozenset({"note"})  # internal notes: never the resident's to read


def _sender(message: RequestMessage, roles: dict[int, StaffRole], language: str) -> JSONValue:
    if message.author_role_id is None:
        return {"from": "you"}
    role = roles.get(message.author_role_id)
    if role is None or role.role != "provider":
        return {"from": "working_group"}
    name = role.org_name_ru if language == "ru" else role.org_name_uk
    return {"from": "organisation", "organisation": name or role.org_name_uk or role.org_name_ru}


async def _export(session: AsyncSession, person: Person) -> JSONValue:
    rows = (
        await session.execute(
            select(ServiceRequest, Community.code)
            .join(Community, Community.id == ServiceRequest.community_id)
            .where(ServiceRequest.author_id == person.user_id)
            .order_by(ServiceRequest.id)
        )
    ).all()
    if not rows:
        return []
    ids = [request.id for request, _code in rows]
    messages = (
        (
            await session.execute(
                select(RequestMessage)
                .where(
                    RequestMessage.request_id.in_(ids), RequestMessage.kind.not_in(PRIVATE_KINDS)
                )
                .order_by(RequestMessage.id)
            )
        )
        .scalars()
        .all()
    )
    role_ids = {m.author_role_id for m in messages if m.author_role_id is not None}
    roles = {}
    if role_ids:
        found = await session.execute(select(StaffRole).where(StaffRole.id.in_(role_ids)))
        roles = {role.id: role for role in found.scalars()}
    exported = []
    for request, code in rows:
        thread = [
            {
                "at": instant(m.created_at),
                "kind": m.kind,
                **_sender(m, roles, person.language),
                "text": m.text,
                "photos": len(m.photos or []),
            }
            for m in messages
            if m.request_id == request.id
        ]
        contact = None
        if request.contact_name or request.contact_username:
            contact = {"name": request.contact_name, "username": request.contact_username}
        exported.append(
            {
                "reference": reference(code, request.number),
                "category": request.category,
                "status": request.status,
                "urgent": request.urgent,
                "created": instant(request.created_at),
                "closed": instant(request.closed_at),
                "helped": request.helped,
                "shared_contact": contact,
                "thread": thread,
            }
        )
    return exported


async def scrub(session: AsyncSession, request_ids: list[int], now: datetime) -> None:
    """Remove the text, photos and shared contact of these requests (they stay counted)."""
    if not request_ids:
        return
    await session.execute(
        update(RequestMessage)
        .where(RequestMessage.request_id.in_(request_ids))
        .values(text="", photos=[])
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id.in_(request_ids))
        .values(contact_name=None, contact_username=None, scrubbed_at=now)
        .execution_options(synchronize_session=False)
    )


async def authored(session: AsyncSession, person: Person) -> list[int]:
    result = await session.execute(
        select(ServiceRequest.id).where(ServiceRequest.author_id == person.user_id)
    )
    return [int(i) for i in result.scalars()]


async def _erase(session: AsyncSession, person: Person) -> None:
    ids = await authored(session, person)
    await scrub(session, ids, utcnow())
    if ids:
        # The staff chat's cards of these requests are not edited again (what they said stays
        # in Telegram, the bot cannot unsay it; it no longer repeats it).
        await session.execute(delete(StaffChatCard).where(StaffChatCard.request_id.in_(ids)))
        await session.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id.in_(ids))
            .values(author_id=None)
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update(SkippedNotice)
        .where(SkippedNotice.user_id == person.user_id)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )


REQUESTS = Section(
    key="requests",
    about=n_(
        "The questions you asked and their public conversation, so that the working group can "
        'answer and you can read it in "My requests". Staff see your name only where you '
        "chose to share it. Some time after a request is closed (/privacy says how long) its "
        "text, photos and contact are removed; what remains is counted in statistics."
    ),
    fields={
        "reference": n_("The request's number, e.g. DRU-0042."),
        "category": n_("The topic you chose."),
        "status": n_(
            "Where the request is: new, in review, routed, waiting for you, answered, "
            "closed or rejected."
        ),
        "urgent": n_("True if it mentioned immediate danger."),
        "created": n_("When you asked (UTC)."),
        "closed": n_("When it was closed or rejected (UTC)."),
        "helped": n_('Your answer to "Did it help?", if you gave one.'),
        "shared_contact": n_("Your name and username, if you chose to show them to staff."),
        "thread": n_("The request's public conversation (internal notes of staff are not in it)."),
        "thread.at": n_("When the message was written (UTC)."),
        "thread.kind": n_(
            "question, reply (yours), answer, ask_more (a question back), "
            "rejection (the reason given)."
        ),
        "thread.from": n_("you, working_group (the moderators) or organisation."),
        "thread.organisation": n_("The organisation that answered (staff are never named)."),
        "thread.text": n_("The text."),
        "thread.photos": n_("How many photos were attached."),
    },
    export=_export,
    erase=_erase,
)
