"""A poll's counts as CSV: one row per option and voters' language, no identities. The
creator gets it in the bot (`/polls`); `python -m bot export polls` writes every poll's."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from flows.polls import Visibility, visibility
from locales import LANGUAGES
from storage.models import Poll
from storage.repositories import polls

HEADER = (
    "poll_id",
    "created_at",
    "closed_at",
    "question_uk",
    "option",
    "option_uk",
    "language",
    "votes",
)


async def rows_for(session: AsyncSession, poll: Poll) -> list[tuple[object, ...]]:
    """Counts per option and language; below the poll's minimum (or before the close of
    an after-closing poll) no counts at all, only a row that says so."""
    tally = await polls.tally(session, poll.id)
    shown = visibility(
        closed=poll.closed_at is not None,
        live=poll.results_live,
        voters=tally.voters,
        min_votes=poll.min_votes,
    )
    head = (
        poll.id,
        poll.created_at.isoformat(),
        poll.closed_at.isoformat() if poll.closed_at else "",
        poll.question_uk or poll.question_ru,
    )
    if shown is not Visibility.SHOWN:
        return [(*head, "", "", "", f"hidden: {shown.value}")]
    split = await polls.tally_by_language(session, poll.id)
    result: list[tuple[object, ...]] = []
    for option in await polls.options_of(session, poll.id):
        for language in LANGUAGES:
            votes = split.get((option.position, language), 0)
            result.append(
                (*head, option.position, option.text_uk or option.text_ru, language, votes)
            )
    return result


def to_csv(rows: Sequence[tuple[object, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


async def csv_for(session: AsyncSession, poll: Poll) -> str:
    return to_csv(await rows_for(session, poll))
