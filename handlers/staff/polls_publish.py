"""Publishing a poll to its audience and announcing its results, both through the outbox.

Publishing renders the poll once per language and writes one outbox row per recipient in
multi-row INSERTs (`polls_outbox.enqueue_many`), in the creator's update's transaction:
5,000 recipients cost a few INSERTs, not 5,000 round trips (see `bench/polls.py`), and the
dispatcher then sends them within the rate limits.

Announcing (after the close, by hand or by the scheduler) reads the counts, renders the
text and the chart per language outside any transaction (the chart in a worker thread),
then in one transaction claims the announcement (`mark_announced`: one caller wins), stores
the charts and enqueues for every voter and the creator: the text first, then the chart,
which the outbox uploads once per language and sends by file id after that. Below the
minimum the announcement is the one sentence without a count, and no chart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.polls import Visibility
from handlers.shared.charts import render_chart
from handlers.shared.poll_view import poll_message, results_message, results_of
from locales import Translator
from storage.models import Community, Poll, User
from storage.repositories import polls
from storage.repositories.polls_outbox import Message, chart_ref, enqueue_many, save_chart
from storage.types import utcnow


def _send(text: str, markup: object = None) -> dict[str, object]:
    params: dict[str, object] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        params["reply_markup"] = markup.to_dict()  # type: ignore[attr-defined]
    return {"method": "sendMessage", "params": params}


async def publish(
    session: AsyncSession, poll: Poll, translators: Mapping[str, Translator], zone: str
) -> int:
    """Fix the audience and enqueue the poll for each of them; returns how many."""
    people = await polls.audience(session, poll)
    await polls.add_recipients(session, poll.id, people)
    options = await polls.options_of(session, poll.id)
    now = utcnow()
    payloads = {}
    for language, t in translators.items():
        text, markup = poll_message(poll, options, t, zone, now=now)
        payloads[language] = _send(text, markup)
    messages = [
        Message(
            p.telegram_id,
            payloads.get(p.language, payloads["uk"]),
            f"poll:{poll.id}:ask:{p.user_id}",
        )
        for p in people
    ]
    await enqueue_many(session, messages)
    return len(people)


@dataclass
class Prepared:
    """A closed poll's announcement, rendered: who reads it, texts and charts per language."""

    poll_id: int
    readers: list[polls.Recipient]
    texts: dict[str, str]
    charts: dict[str, bytes]
    captions: dict[str, str]


async def prepare(
    session: AsyncSession, translators: Mapping[str, Translator], poll_id: int
) -> Prepared | None:
    """Read the counts and render the announcement (the chart in a worker thread)."""
    poll = await polls.get_poll(session, poll_id)
    if poll is None or poll.closed_at is None or poll.announced_at is not None:
        return None
    options = await polls.options_of(session, poll_id)
    tally = await polls.tally(session, poll_id)
    readers = await polls.voters(session, poll_id)
    creator = await session.get(User, poll.creator_id) if poll.creator_id else None
    if (
        creator is not None
        and creator.is_reachable
        and creator.id not in {r.user_id for r in readers}
    ):
        readers.append(polls.Recipient(creator.id, creator.telegram_id, creator.language or "uk"))
    prepared = Prepared(poll_id, readers, {}, {}, {})
    for language, t in translators.items():
        results = results_of(poll, options, tally, language, closed=True)
        prepared.texts[language] = results_message(results, t)
        prepared.captions[language] = results.question[:200]
        if results.visibility is Visibility.SHOWN:
            voters_line = t.ngettext("{n} person voted", "{n} people voted", tally.voters).format(
                n=tally.voters
            )
            prepared.charts[language] = await asyncio.to_thread(
                render_chart,
                results.question,
                list(results.labels),
                list(results.counts),
                results.voters,
                voters_line,
            )
    return prepared


async def store(session: AsyncSession, prepared: Prepared) -> bool:
    """Claim the announcement (one caller wins) and enqueue it: text first, then chart."""
    poll_id = prepared.poll_id
    if not await polls.mark_announced(session, poll_id, now=utcnow()):
        return False
    for language, png in prepared.charts.items():
        await save_chart(session, poll_id, language, png)
    messages: list[Message] = []
    for reader in prepared.readers:
        language = reader.language if reader.language in prepared.texts else "uk"
        key = f"poll:{poll_id}:result:{reader.user_id}"
        messages.append(Message(reader.telegram_id, _send(prepared.texts[language]), key))
        if language in prepared.charts:
            photo = {"photo": chart_ref(poll_id, language), "caption": prepared.captions[language]}
            chart = {"method": "sendPhoto", "params": photo}
            messages.append(Message(reader.telegram_id, chart, key + ":chart"))
    await enqueue_many(session, messages)
    return True


async def announce(
    sessions: async_sessionmaker[AsyncSession], translators: Mapping[str, Translator], poll_id: int
) -> bool:
    """The closing job's announcement: rendered outside any transaction, stored in one."""
    async with sessions() as session:
        prepared = await prepare(session, translators, poll_id)
    if prepared is None:
        return False
    async with sessions() as session, session.begin():
        return await store(session, prepared)


async def community_zone(session: AsyncSession, community_id: int, default: str) -> str:
    community = await session.get(Community, community_id)
    return community.timezone if community else default
