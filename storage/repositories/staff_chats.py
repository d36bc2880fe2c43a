"""A community's staff chat (a Telegram group) over time: the card each request has there,
and what becomes of the link and the cards when the group is upgraded to a supergroup or
the bot is removed from it. Linking a chat: `staff.link_staff_chat`.

A card is sent by an outbox row (`card_sent`); once Telegram has it, the dispatcher records
its message id (`card_delivered`, from `outbox.mark_sent`). Every later change of the
request edits it: an outbox row whose payload carries `CARD` (the request id) and no
message id, which `resolve_card_edits` fills in when the row is claimed, so an edit
enqueued before the card went out still finds it. Such an edit waits while the card's own
row is pending, and is given up when the card never arrived or is no longer there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, StaffChat, StaffChatCard
from storage.types import utcnow

CARD = "card"  # outbox payload key: this row edits the staff-chat card of that request
CARD_GONE = "staff-chat card gone"
CARD_NOT_DELIVERED = "staff-chat card never delivered"
CHAT_REMOVED = "chat unreachable: bot removed from the staff chat"
_PENDING = "pending"
_DEAD = "dead"


def card_edit(request_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The outbox payload that edits the staff-chat card of `request_id` into `params`
    (text, parse_mode, reply_markup; the message id is filled in when it is sent)."""
    return {"method": "editMessageText", "params": params, CARD: request_id}


async def card_sent(session: AsyncSession, request_id: int, chat_id: int, outbox_id: int) -> None:
    """The outbox row `outbox_id` sends the card of `request_id` to `chat_id` (in place of
    any earlier card of it)."""
    card = await session.get(StaffChatCard, request_id)
    if card is None:
        session.add(StaffChatCard(request_id=request_id, chat_id=chat_id, outbox_id=outbox_id))
    else:
        card.chat_id, card.outbox_id, card.message_id = chat_id, outbox_id, None
    await session.flush()


async def card_of(session: AsyncSession, request_id: int) -> StaffChatCard | None:
    return await session.get(StaffChatCard, request_id)


async def card_delivered(
    session: AsyncSession, outbox_id: int, chat_id: int, message_id: int
) -> tuple[int, int] | None:
    """Telegram made message `message_id` in `chat_id` of the row `outbox_id` (if that row
    sends a card). Returns (request id, where the card is now) for a card that moved away
    while on its way (the group became a supergroup between the claim and this outcome, so
    `move_chat` already took the card along as undelivered): its message reached the old
    group, nobody will act on it there, and the caller sends it again (`card_resent`).
    None otherwise."""
    card = (
        await session.execute(
            select(StaffChatCard.request_id, StaffChatCard.chat_id).where(
                StaffChatCard.outbox_id == outbox_id
            )
        )
    ).one_or_none()
    if card is None:
        return None
    if card.chat_id != chat_id:
        return int(card.request_id), int(card.chat_id)
    await session.execute(
        update(StaffChatCard)
        .where(StaffChatCard.outbox_id == outbox_id)
        .values(message_id=message_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return None


async def card_resent(session: AsyncSession, request_id: int, outbox_id: int) -> None:
    """The card of `request_id` is now on its way in the row `outbox_id` (to where the card
    is: see `card_delivered`)."""
    await session.execute(
        update(StaffChatCard)
        .where(StaffChatCard.request_id == request_id)
        .values(outbox_id=outbox_id, message_id=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Resolved:
    ready: list[OutboxMessage]  # to send now, card edits with their message id
    dead: list[tuple[int, str]]  # (row id, why): edits of a card that is not there


async def resolve_card_edits(session: AsyncSession, rows: Sequence[OutboxMessage]) -> Resolved:
    """Claimed rows as they can be sent: each card edit gets its card's message id; an
    edit whose card is still on its way holds back the rest of its chat (per-chat order);
    one whose card is gone (chat unlinked, card moved, never delivered) is given up.

    Rows given a message id are detached from the session first, so the claim's
    transaction never writes the filled-in payload back."""
    wanted = {row.payload.get(CARD) for row in rows} - {None}
    if not wanted:
        return Resolved(list(rows), [])
    ids = [value for value in wanted if isinstance(value, int)]
    found = await session.execute(select(StaffChatCard).where(StaffChatCard.request_id.in_(ids)))
    cards = {card.request_id: card for card in found.scalars()}
    senders = {c.outbox_id for c in cards.values() if c.message_id is None and c.outbox_id}
    on_the_way = set(
        (
            await session.execute(
                select(OutboxMessage.id).where(
                    OutboxMessage.id.in_(senders), OutboxMessage.status == _PENDING
                )
            )
        ).scalars()
    )
    ready: list[OutboxMessage] = []
    dead: list[tuple[int, str]] = []
    held: set[int] = set()
    for row in rows:
        if row.chat_id in held:
            continue
        request_id = row.payload.get(CARD)
        if request_id is None:
            ready.append(row)
            continue
        card = cards.get(request_id) if isinstance(request_id, int) else None
        if card is None or card.chat_id != row.chat_id:
            dead.append((row.id, CARD_GONE))
        elif card.message_id is None and card.outbox_id in on_the_way:
            held.add(row.chat_id)
        elif card.message_id is None:
            dead.append((row.id, CARD_NOT_DELIVERED))
        else:
            session.expunge(row)
            params = {**row.payload["params"], "message_id": card.message_id}
            row.payload = {**row.payload, "params": params}
            ready.append(row)
    return Resolved(ready, dead)


async def move_chat(session: AsyncSession, old: int, new: int) -> None:
    """Group `old` became supergroup `new`: the link and every pending row follow it, and
    so do the cards not delivered yet (those delivered stay in `old`'s history: see
    `cards_left_in`). Idempotent, so the outbox (on a 400 with `migrate_to_chat_id`) and
    the update telling of the upgrade may both run it, in any order."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old, OutboxMessage.status == _PENDING)
        .values(chat_id=new)
        .execution_options(synchronize_session=False)
    )
    taken = await session.scalar(select(StaffChat.community_id).where(StaffChat.chat_id == new))
    if taken is None:
        await session.execute(
            update(StaffChat)
            .where(StaffChat.chat_id == old)
            .values(chat_id=new, is_active=True)
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update(StaffChatCard)
        .where(StaffChatCard.chat_id == old, StaffChatCard.message_id.is_(None))
        .values(chat_id=new, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def cards_left_in(session: AsyncSession, chat_id: int) -> list[StaffChatCard]:
    """Cards delivered to `chat_id` (after an upgrade: to the old group), oldest first."""
    result = await session.execute(
        select(StaffChatCard)
        .where(StaffChatCard.chat_id == chat_id, StaffChatCard.message_id.is_not(None))
        .order_by(StaffChatCard.request_id)
    )
    return list(result.scalars())


async def forget_cards(session: AsyncSession, request_ids: Sequence[int]) -> None:
    if request_ids:
        await session.execute(
            delete(StaffChatCard).where(StaffChatCard.request_id.in_(list(request_ids)))
        )


@dataclass(frozen=True)
class Unlinked:
    community_id: int
    undelivered: list[int]  # requests whose card had not reached the chat


async def unlink(session: AsyncSession, chat_id: int) -> Unlinked | None:
    """The bot was removed from `chat_id`: if it was a community's staff chat, the link and
    its cards are forgotten and its pending rows given up. None if it was no staff chat."""
    link = (
        await session.execute(select(StaffChat).where(StaffChat.chat_id == chat_id))
    ).scalar_one_or_none()
    if link is None:
        return None
    community_id = link.community_id
    undelivered = list(
        (
            await session.execute(
                select(StaffChatCard.request_id)
                .where(StaffChatCard.chat_id == chat_id, StaffChatCard.message_id.is_(None))
                .order_by(StaffChatCard.request_id)
            )
        ).scalars()
    )
    await session.execute(delete(StaffChatCard).where(StaffChatCard.chat_id == chat_id))
    await session.delete(link)
    now = utcnow()
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == _PENDING)
        .values(status=_DEAD, last_error=CHAT_REMOVED, dead_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return Unlinked(community_id, undelivered)
