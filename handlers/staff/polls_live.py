"""Live results kept fresh on every voter's poll message (issue 9), by a scheduler job
(`scheduler/polls.py`, every `LIVE_CHECK_SECONDS`), never on every vote.

Which messages: a person's poll message shows live counts once they chose an answer (the
rule of `handlers/shared/poll_view.py`), so the vote handler remembers the message they
voted on and what it shows (`storage/repositories/polls_live.py`). The job looks at the
open polls with live results, reads each one's counts once, and edits through the outbox
(`editMessageText` rows, so the dispatcher's rate limits and buckets apply) each message
that shows something else and was not drawn in the last `REFRESH_SECONDS`.

**Decisions:**
- Rendered when enqueued, in the reader's language with their current choice: the
  dispatcher sends payloads as they are. A tally that changes while an edit waits is caught
  by a later run, since a message has at most one pending edit (dedup key per message and
  refresh, and `stale` skips a message with one waiting).
- Below the minimum (and for "results after closing", which never gets here) the hidden
  sentence is the same whatever the counts (`flows.polls.shown_key`), so no edit is made at
  all until the minimum is reached, and then `poll_message` decides what is shown.
- Lower priority than other traffic: the outbox has no priorities (rows go in id order), so
  the job makes no edit while `BACKLOG_LIMIT` rows are due, and at most `EDITS_PER_RUN`
  per run (a busy poll's many voters are refreshed in turns, the longest-unrefreshed
  first). A priority in the dispatcher's claim would serve this better (scheduler files).
- An edit Telegram refuses for good ("message to edit not found": the person deleted it) is
  a dead row and nothing else (`bot/outbox_sender.py`: "message is not modified" counts as
  sent); the next run forgets that message (`polls_live.forget_lost`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.shared.poll_view import live_key, poll_message
from handlers.staff.polls_publish import community_zone
from locales import Translator
from storage.models import Poll
from storage.repositories import polls, polls_live
from storage.repositories.polls_outbox import Message, enqueue_many
from storage.types import utcnow

log = logging.getLogger(__name__)

LIVE_CHECK_SECONDS = 5
REFRESH_SECONDS = 5.0  # a message is redrawn at most this often
EDITS_PER_RUN = 25  # at most 5 edits a second of the outbox's 30
BACKLOG_LIMIT = 50  # due outbox rows above which the refresh waits
DEFAULT_ZONE = "Europe/Kyiv"


def _edit(message_id: int, text: str, markup: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"message_id": message_id, "text": text, "parse_mode": "HTML"}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()
    return {"method": "editMessageText", "params": params}


async def _refresh_poll(
    session: AsyncSession,
    translators: Mapping[str, Translator],
    poll: Poll,
    budget: int,
    now: datetime,
) -> int:
    await polls_live.forget_lost(session, poll.id)
    options = await polls.options_of(session, poll.id)
    tally = await polls.tally(session, poll.id)
    key = live_key(poll, options, tally, closed=False)
    before = now - timedelta(seconds=REFRESH_SECONDS)
    stale = await polls_live.stale(session, poll.id, key, before=before, limit=budget)
    if not stale:
        return 0
    zone = await community_zone(session, poll.community_id, DEFAULT_ZONE)
    taken = await polls_live.claim(
        session, poll.id, [s.user_id for s in stale], key, before=before, now=now
    )
    messages: list[Message] = []
    for shown in stale:
        if shown.user_id not in taken:
            continue  # another run has just taken it
        chosen = await polls.choices_of(session, poll.id, shown.user_id)
        if not chosen:  # no counts shown without a choice (the handler forgets it too)
            await polls_live.remember(
                session, poll.id, shown.user_id, message_id=None, shown=None, now=now
            )
            continue
        t = translators.get(shown.language) or translators["uk"]
        text, markup = poll_message(poll, options, t, zone, chosen=chosen, tally=tally, now=now)
        dedup = polls_live.edit_key(poll.id, shown.user_id, shown.message_id, now)
        messages.append(Message(shown.telegram_id, _edit(shown.message_id, text, markup), dedup))
    await enqueue_many(session, messages)
    return len(messages)


async def refresh_live_results(
    sessions: async_sessionmaker[AsyncSession],
    translators: Mapping[str, Translator],
    *,
    budget: int = EDITS_PER_RUN,
    backlog_limit: int = BACKLOG_LIMIT,
) -> int:
    """One run of the job: enqueue the edits of stale live-results messages; how many."""
    now = utcnow()
    made = 0
    async with sessions() as session, session.begin():
        if await polls_live.backlog(session, now) > backlog_limit:
            return 0
        for poll in await polls_live.live_polls(session, now):
            if made >= budget:
                break
            made += await _refresh_poll(session, translators, poll, budget - made, now)
    if made:
        log.info("live results: %d poll messages to refresh", made)
    return made
