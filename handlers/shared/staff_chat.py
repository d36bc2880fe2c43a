"""A request's card in its community's staff chat: sent once, then edited after every
change, whoever made it and wherever (in the group or in a private chat), so the group
never reads a stale state or offers buttons that would only be refused.

Anyone in a Telegram group reads its cards and the bot cannot know who that is, so a
staff-chat card never carries the resident's shared name (the private card does, for
staff allowed to act), and it is written in the staff chat's one language
(`Notices.group`). Edits go through the outbox like every notification; the card's
message id is filled in when an edit is sent (`storage/repositories/staff_chats.py`).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from handlers.shared.cards import RequestView, load_view, staff_card_of
from handlers.shared.notices import Notices, message_params
from locales import Translator
from storage.models import ServiceRequest
from storage.repositories import requests, staff_chats

FINISHED_FOR_GOOD = ("closed", "rejected")


def group_card(view: RequestView, t: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
    return staff_card_of(view, "moderator", t, for_group=True)


async def send_card(n: Notices, view: RequestView, chat_id: int, *, key: str) -> None:
    """The card of `view`'s request, to the staff chat `chat_id`, remembered as its card."""
    text, markup = group_card(view, n.group)
    row_id = await n.send(chat_id, text, markup, key=key)
    if row_id is not None:
        await staff_chats.card_sent(n.db, view.request.id, chat_id, row_id)


async def refresh_card(
    n: Notices, request: ServiceRequest, view: RequestView | None = None
) -> None:
    """Edit the request's staff-chat card (if it has one) into the request as it is now.
    Once per update, after its last change: the edit is keyed by the latest event."""
    card = await staff_chats.card_of(n.db, request.id)
    if card is None:
        return
    view = view or await load_view(n.db, request, include_notes=True)
    text, markup = group_card(view, n.group)
    event = await requests.last_event_id(n.db, request.id)
    payload = staff_chats.card_edit(request.id, message_params(text, markup))
    await n.enqueue(card.chat_id, payload, key=f"req:{request.id}:card:{event}:{card.chat_id}")


async def resend_cards(n: Notices, old: int, new: int) -> int:
    """Group `old` became supergroup `new`: the cards delivered to `old` of requests that
    can still change are sent again to `new` (the others are forgotten). Returns how many."""
    sent, finished = 0, []
    for card in await staff_chats.cards_left_in(n.db, old):
        request = await requests.get_request(n.db, card.request_id)
        if request is None or request.status in FINISHED_FOR_GOOD:
            finished.append(card.request_id)
            continue
        view = await load_view(n.db, request, include_notes=True)
        await send_card(n, view, new, key=f"req:{request.id}:card-moved:{new}")
        sent += 1
    await staff_chats.forget_cards(n.db, finished)
    return sent
