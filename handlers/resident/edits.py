"""A person edited a message they had sent (`edited_message`, issue 7 §2.11).

**Rule:** while the message's text is still part of a draft (a question being asked), the
draft takes the edit and the bot says so, then asks the step again; once it was sent (the
question, a reply, a follow-up: `sent_messages`), the bot says the edit does not change the
sent request and offers to add the new text to it as a follow-up (`follow_up.py`); any
other edit (a command, a text the bot refused, an old chat) is ignored quietly.
"""

from __future__ import annotations

from telegram import Update

from flows.ask import visible_text
from flows.reply import FollowUpReason
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.resident import ask, follow_up, sent_messages
from storage.repositories import requests

router = Router()


@router.edited()
async def edited(update: Update, ctx: HromadaContext) -> None:
    message = update.edited_message
    text = visible_text(message.text or message.caption) if message else None
    if message is None or text is None or text.startswith("/"):
        return
    if await ask.take_edit(update, ctx, text):
        return
    request_id = await sent_messages.request_of(ctx, message.message_id)
    request = await requests.get_request(ctx.db, request_id)
    if request is None or request.author_id != ctx.user.id:
        return  # not something the bot took: ignored quietly
    await follow_up.offer(ctx, request, text, message.message_id, FollowUpReason.EDITED)
