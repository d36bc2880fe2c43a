"""Staff-chat cards in the outbox, on both backends: an edit waits for its card and is sent
with the card's message id; an edit of a card that is not there is given up; a group's
upgrade moves the link, the pending rows and the undelivered cards; removal forgets them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, StaffChat, StaffChatCard
from storage.repositories import outbox, staff, staff_chats
from tests.test_requests_storage import community, new_request

GROUP, SUPERGROUP = -4001, -1001234


def card_message(text: str) -> dict[str, Any]:
    return {"method": "sendMessage", "params": {"text": text}}


async def claimed(db: AsyncSession) -> list[tuple[int, dict[str, Any]]]:
    rows = await outbox.claim_due(db, limit=50)
    return [(row.id, row.payload) for row in rows]


async def row(db: AsyncSession, key: str) -> OutboxMessage:
    found = await db.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == key))
    assert found is not None
    await db.refresh(found)
    return found


async def a_card(db: AsyncSession, chat_id: int = GROUP) -> tuple[int, int]:
    """A request with a card on its way to `chat_id`: (request id, the card's row id)."""
    request = await new_request(db)
    assert await outbox.enqueue(db, chat_id=chat_id, payload=card_message("v1"), dedup_key="c")
    card_row = (await row(db, "c")).id
    await staff_chats.card_sent(db, request.id, chat_id, card_row)
    return request.id, card_row


async def test_an_edit_waits_for_its_card_then_gets_its_message_id(db: AsyncSession) -> None:
    request_id, card_row = await a_card(db)
    edit = staff_chats.card_edit(request_id, {"text": "v2"})
    assert await outbox.enqueue(db, chat_id=GROUP, payload=edit, dedup_key="e")
    assert await outbox.enqueue(db, chat_id=GROUP, payload=card_message("after"), dedup_key="a")
    # The card goes first; its edit, and what comes after it in that chat, wait for it.
    assert [row_id for row_id, _ in await claimed(db)] == [card_row]
    await outbox.mark_sent(db, card_row, chat_id=GROUP, message_id=77)
    ((edit_id, payload), (_after, _)) = await claimed(db)
    assert edit_id == (await row(db, "e")).id
    assert payload["params"] == {"text": "v2", "message_id": 77}
    await db.flush()
    stored = await row(db, "e")
    assert "message_id" not in stored.payload["params"]  # filled in for the send only
    assert stored.status == outbox.PENDING


async def test_an_edit_of_a_card_that_is_not_there_is_given_up(db: AsyncSession) -> None:
    request_id, card_row = await a_card(db)
    await outbox.mark_dead(db, card_row, error="BadRequest")  # the card never arrived
    edit = staff_chats.card_edit(request_id, {"text": "v2"})
    assert await outbox.enqueue(db, chat_id=GROUP, payload=edit, dedup_key="e1")
    other = await new_request(db, "інше")  # a request with no card at all
    edit = staff_chats.card_edit(other.id, {"text": "v2"})
    assert await outbox.enqueue(db, chat_id=GROUP, payload=edit, dedup_key="e2")
    assert await claimed(db) == []
    never, gone = await row(db, "e1"), await row(db, "e2")
    assert (never.status, never.last_error) == ("dead", staff_chats.CARD_NOT_DELIVERED)
    assert (gone.status, gone.last_error) == ("dead", staff_chats.CARD_GONE)


async def test_an_upgrade_moves_link_rows_and_undelivered_cards(db: AsyncSession) -> None:
    dru = await community(db)
    await staff.link_staff_chat(db, dru.id, GROUP)
    delivered, card_row = await a_card(db)
    await outbox.mark_sent(db, card_row, chat_id=GROUP, message_id=5)
    waiting = await new_request(db, "ще")
    assert await outbox.enqueue(db, chat_id=GROUP, payload=card_message("w"), dedup_key="w")
    await staff_chats.card_sent(db, waiting.id, GROUP, (await row(db, "w")).id)
    for _ in range(2):  # the outbox and the update may both tell it: the same result
        await staff_chats.move_chat(db, GROUP, SUPERGROUP)
    assert await staff.staff_chat_of(db, dru.id) == SUPERGROUP
    assert (await row(db, "w")).chat_id == SUPERGROUP
    assert (await row(db, "c")).chat_id == GROUP  # delivered: stays in the group's history
    left = await staff_chats.cards_left_in(db, GROUP)
    assert [card.request_id for card in left] == [delivered]
    moved = await db.get(StaffChatCard, waiting.id)
    assert moved is not None and moved.chat_id == SUPERGROUP


@pytest.mark.parametrize("many", [False, True], ids=["one", "many"])
async def test_a_card_that_moved_while_on_its_way_goes_again(db: AsyncSession, many: bool) -> None:
    # The group is upgraded while its card is being sent: the card reached the old group,
    # where nobody will act on it, so the same card goes again to the supergroup.
    dru = await community(db)
    await staff.link_staff_chat(db, dru.id, GROUP)
    request_id, card_row = await a_card(db)
    assert [row_id for row_id, _ in await claimed(db)] == [card_row]
    await staff_chats.move_chat(db, GROUP, SUPERGROUP)  # the upgrade, told meanwhile
    if many:
        await outbox.mark_sent_many(db, [outbox.Delivered(card_row, GROUP, 9)])
    else:
        await outbox.mark_sent(db, card_row, chat_id=GROUP, message_id=9)
    again = await row(db, f"card-resent:{card_row}:{SUPERGROUP}")
    await outbox.mark_sent(db, card_row, chat_id=GROUP, message_id=9)  # told twice: no more
    count = select(func.count()).select_from(OutboxMessage)
    assert await db.scalar(count.where(OutboxMessage.chat_id == SUPERGROUP)) == 2
    assert (again.chat_id, again.status, again.payload) == (
        SUPERGROUP,
        outbox.PENDING,
        card_message("v1"),
    )
    card = await db.get(StaffChatCard, request_id)
    assert card is not None
    await db.refresh(card)
    assert (card.chat_id, card.outbox_id, card.message_id) == (SUPERGROUP, again.id, None)
    assert await staff_chats.cards_left_in(db, GROUP) == []
    # Once it is there, its edits find it.
    assert [row_id for row_id, _ in await claimed(db)] == [again.id]
    await outbox.mark_sent(db, again.id, chat_id=SUPERGROUP, message_id=3)
    await db.refresh(card)
    assert (card.chat_id, card.message_id) == (SUPERGROUP, 3)


async def test_removal_forgets_link_and_cards_and_names_the_undelivered(
    db: AsyncSession,
) -> None:
    dru = await community(db)
    await staff.link_staff_chat(db, dru.id, GROUP)
    request_id, _card_row = await a_card(db)
    unlinked = await staff_chats.unlink(db, GROUP)
    assert unlinked == staff_chats.Unlinked(dru.id, [request_id])
    assert await db.scalar(select(StaffChat).where(StaffChat.chat_id == GROUP)) is None
    assert await staff_chats.card_of(db, request_id) is None
    assert (await row(db, "c")).status == "dead"
    assert await staff_chats.unlink(db, GROUP) is None  # no staff chat any more
