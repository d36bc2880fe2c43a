"""The meetings' evaluation (issue 9, templates): after an occurrence of a meeting ends,
those who said "going" get its three statements, each a poll with Agree / Disagree in
their language (`flows/polls_evaluation.py`); moderators read the results per meeting in
/stats (`evaluation_lines`), under the same hiding rule as every poll.

The job (`evaluate_ended_meetings`, run with the polls' closing job) looks at occurrences
with a "going" RSVP and no evaluation yet that ended within `LOOKBACK`; each occurrence's
three polls are created in one SAVEPOINT, so with the unique index on (meeting,
occurrence, template) a second worker, or a second run, makes nothing twice. The polls
are published through the outbox like any poll, results after closing, open `OPEN_FOR`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from html import escape
from itertools import groupby, islice

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.polls import DEFAULT_MIN_VOTES, Visibility, percent, pick, visibility
from flows.polls_evaluation import (
    AGREE,
    DISAGREE,
    LOOKBACK,
    OPEN_FOR,
    QUESTION,
    STATEMENTS,
    day_label,
    statement_of,
)
from handlers.staff.polls_publish import publish
from locales import Translator, n_
from storage.models import Meeting, Poll
from storage.repositories import meetings, polls
from storage.types import utcnow

log = logging.getLogger(__name__)

QUESTION_UNNAMED = n_("The meeting of {day}: {statement}")  # a sensitive group's meeting
STATS_DAYS = 90
STATS_MEETINGS = 10  # the newest occurrences shown in /stats (a message stays short)


def _question(t: Translator, title: str, day: date, statement: str, named: bool) -> str:
    if not named:
        return t.gettext(QUESTION_UNNAMED).format(
            day=day_label(day), statement=t.gettext(statement)
        )
    return t.gettext(QUESTION).format(
        title=title, day=day_label(day), statement=t.gettext(statement)
    )


async def make_evaluation(
    session: AsyncSession,
    translators: Mapping[str, Translator],
    meeting: Meeting,
    day: date,
    ended_at: datetime,
) -> int:
    """Create and publish the three polls of one occurrence; returns how many people they
    went to (0 if another run made them first)."""
    named = not await meetings.is_sensitive(session, meeting)
    uk, ru = translators["uk"], translators["ru"]
    made: list[Poll] = []
    try:
        async with session.begin_nested():
            for template, statement in STATEMENTS:
                made.append(
                    await polls.create_poll(
                        session,
                        community_id=meeting.community_id,
                        creator_id=meeting.created_by,
                        question_uk=_question(uk, meeting.title_uk, day, statement, named),
                        question_ru=_question(
                            ru, meeting.title_ru or meeting.title_uk, day, statement, named
                        ),
                        options=[
                            (uk.gettext(AGREE), ru.gettext(AGREE)),
                            (uk.gettext(DISAGREE), ru.gettext(DISAGREE)),
                        ],
                        multiple=False,
                        audience="meeting",
                        closes_at=ended_at + OPEN_FOR,
                        results_live=False,
                        min_votes=DEFAULT_MIN_VOTES,
                        group_id=meeting.group_id,
                        meeting_id=meeting.id,
                        occurrence=day,
                        template=template,
                    )
                )
    except IntegrityError:
        return 0
    sent = 0
    for poll in made:
        sent = await publish(session, poll, translators, meeting.zone)
    return sent


async def evaluate_ended_meetings(
    sessions: async_sessionmaker[AsyncSession], translators: Mapping[str, Translator]
) -> int:
    """Make the evaluation of every occurrence that ended within `LOOKBACK` and has
    someone who said "going"; each in its own transaction. Returns how many were made."""
    now = utcnow()
    async with sessions() as session:
        candidates = await polls.rsvp_occurrences(
            session, (now - LOOKBACK - timedelta(days=1)).date(), (now + timedelta(days=1)).date()
        )
    made = 0
    for meeting_id, day in candidates:
        async with sessions() as session, session.begin():
            meeting = await meetings.get_meeting(session, meeting_id)
            if meeting is None:
                continue
            occurrence = await meetings.occurrence(session, meeting, day)
            if occurrence is None or occurrence.cancelled:
                continue
            ended_at = occurrence.start_at + timedelta(minutes=meeting.duration_minutes)
            if not now - LOOKBACK < ended_at <= now:
                continue
            await make_evaluation(session, translators, meeting, day, ended_at)
            made += 1
    if made:
        log.info("meeting evaluations made: %d", made)
    return made


async def evaluation_lines(
    session: AsyncSession, community_id: int, t: Translator, *, now: datetime | None = None
) -> list[str]:
    """/stats: each meeting evaluated in the last `STATS_DAYS` (the newest
    `STATS_MEETINGS`), its statements' share of Agree, or the one hidden sentence (too few
    votes, or not closed yet)."""
    _ = t.gettext
    now = now or utcnow()
    found = await polls.evaluations(session, community_id, now - timedelta(days=STATS_DAYS))
    if not found:
        return []
    lines = ["", _("<b>Meetings' evaluation</b>")]
    grouped = groupby(found, key=lambda p: (p.meeting_id, p.occurrence))
    for (meeting_id, day), group in islice(grouped, STATS_MEETINGS):
        meeting = await meetings.get_meeting(session, meeting_id) if meeting_id else None
        title = pick(meeting.title_uk, meeting.title_ru, t.language) if meeting else "—"
        lines.append(
            _("{title}, {day}:").format(title=escape(title), day=day_label(day) if day else "—")
        )
        for poll in group:
            statement = _(statement_of(poll.template) or "")
            tally = await polls.tally(session, poll.id)
            seen = visibility(
                closed=poll.closed_at is not None,
                live=False,
                voters=tally.voters,
                min_votes=poll.min_votes,
            )
            if seen is Visibility.SHOWN:
                agree = tally.counts.get(1, 0)
                result = _("agree {agree} of {voters} ({share}%)").format(
                    agree=agree, voters=tally.voters, share=percent(agree, tally.voters)
                )
            elif seen is Visibility.AFTER_CLOSE:
                result = _("results when it closes")
            else:
                result = t.ngettext(
                    "fewer than {n} vote", "fewer than {n} votes", poll.min_votes
                ).format(n=poll.min_votes)
            lines.append(f"  {escape(statement)}: {result}")
    return lines
