"""Polls: the person's votes. Erasing unlinks them (the rows stay, without the person, so
every poll's counts stay right; see `storage/repositories/polls.py`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from flows.polls import pick
from locales import n_
from storage.privacy.registry import JSONValue, Person, Section, instant
from storage.repositories import polls


async def _export(session: AsyncSession, person: Person) -> JSONValue:
    votes = await polls.votes_of(session, person.user_id)
    return [
        {
            "poll": pick(vote.poll.question_uk, vote.poll.question_ru, person.language),
            "answer": pick(vote.option.text_uk, vote.option.text_ru, person.language),
            "voted": instant(vote.voted_at),
            "closed": instant(vote.poll.closed_at),
        }
        for vote in votes
    ]


async def _erase(session: AsyncSession, person: Person) -> None:
    await polls.unlink_person(session, person.user_id)


POLLS = Section(
    key="polls",
    about=n_(
        "Your answers to polls, kept with your account only so that you have one vote per "
        "poll and can change it until the poll closes. Nobody, staff included, is shown who "
        "voted what. A while after a poll closes (/privacy says how long), and when you use "
        "/forget, your answer stays in the counts but is no longer linked to you."
    ),
    fields={
        "poll": n_("The question."),
        "answer": n_("Your answer (a poll with several answers has one entry for each)."),
        "voted": n_("When you last chose this answer (UTC)."),
        "closed": n_("When the poll closed (UTC; empty: still open)."),
    },
    export=_export,
    erase=_erase,
)
