"""Notifications: those waiting to be sent to the person are exported; erasing cancels every
outbox row to them or about their requests, sent ones included (their payloads hold the
text and the chat id is the Telegram id)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import OutboxMessage
from storage.privacy.registry import JSONValue, Person, Section, instant
from storage.privacy.requests import authored
from storage.repositories.outbox import PENDING

# Keys of notifications that concern someone else (staff cards of other people's requests,
# a colleague's revoked role, a staff chat's change): never exported.
_OTHERS = ("req:", "revoked:", "chat:")


def _theirs(key: str, own: list[int]) -> bool:
    if any(key.startswith(f"req:{rid}:") for rid in own):
        return True
    return not key.startswith(_OTHERS)


async def _export(session: AsyncSession, person: Person) -> JSONValue:
    own = await authored(session, person)
    rows = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == person.telegram_id, OutboxMessage.status == PENDING)
        .order_by(OutboxMessage.id)
    )
    exported = []
    for row in rows.scalars():
        if not _theirs(row.dedup_key, own):
            continue
        params = row.payload.get("params") or {}
        text = params.get("text") or params.get("caption") or ""
        exported.append(
            {"queued": instant(row.created_at), "send_after": instant(row.not_before), "text": text}
        )
    return exported


def about_requests(request_ids: list[int]) -> list[ColumnElement[bool]]:
    """Outbox rows about these requests (their dedup keys start with `req:<id>:`)."""
    return [OutboxMessage.dedup_key.like(f"req:{rid}:%") for rid in request_ids]


async def _erase(session: AsyncSession, person: Person) -> None:
    about = about_requests(await authored(session, person))
    await session.execute(
        delete(OutboxMessage).where(or_(OutboxMessage.chat_id == person.telegram_id, *about))
    )


NOTIFICATIONS = Section(
    key="pending_notifications",
    about=n_(
        "Messages to you that the bot has not sent yet (for example an answer, or a reminder)."
    ),
    fields={
        "queued": n_("When the message was prepared (UTC)."),
        "send_after": n_("Not sent before this moment (UTC)."),
        "text": n_("What it says."),
    },
    export=_export,
    erase=_erase,
)
