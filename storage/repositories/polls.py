"""Polls: creating one with its audience, votes (one per resident, by the database), counts,
closing. Small async functions on the caller's session; dialect-neutral SQL.

A vote is a row of `poll_votes`, unique on (poll, user, slot): single choice uses slot 0,
so a person has one row that a change of vote updates in place; multiple choice uses the
option's position, so a person has at most one row per option. Two presses racing each
other (two sessions) meet at that constraint: the loser's insert fails in a SAVEPOINT and
it reads what the winner wrote.

Vote privacy (issue 10): every row of a person's vote carries their `ballot`, a random key
fixed for them when the poll was published (`poll_recipients.ballot`), and counts of voters
are distinct ballots. `unlink_person` (/forget) and `unlink_closed` (the retention) cut the
link to the person (`user_id` NULL, the recipient row and so the ballot's owner deleted);
the rows stay, so every count stays right.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    MeetingOptIn,
    MeetingRsvp,
    Poll,
    PollOption,
    PollRecipient,
    PollVote,
    User,
)
from storage.repositories import groups, polls_live
from storage.types import utcnow

CHUNK = 500  # rows per multi-row INSERT


class Vote(StrEnum):
    CHOSEN = "chosen"  # a first vote, or an option added (multiple choice)
    CHANGED = "changed"  # single choice: the old option replaced
    REMOVED = "removed"  # multiple choice: an option taken back
    ALREADY = "already"  # nothing to change (a double press)
    CLOSED = "closed"  # past the deadline or closed by hand
    NOT_RECIPIENT = "not_recipient"  # not in the poll's audience (a forwarded message)
    NO_OPTION = "no_option"  # no such option in this poll (forged data)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    telegram_id: int
    language: str


async def create_poll(
    session: AsyncSession,
    *,
    community_id: int,
    creator_id: int | None,
    question_uk: str,
    question_ru: str,
    options: Sequence[tuple[str, str]],
    multiple: bool,
    audience: str,
    closes_at: datetime,
    results_live: bool,
    min_votes: int,
    group_id: int | None = None,
    meeting_id: int | None = None,
    occurrence: date | None = None,
    template: str = "custom",
) -> Poll:
    poll = Poll(
        community_id=community_id,
        creator_id=creator_id,
        template=template,
        question_uk=question_uk,
        question_ru=question_ru,
        multiple=multiple,
        audience=audience,
        group_id=group_id,
        meeting_id=meeting_id,
        occurrence=occurrence,
        results_live=results_live,
        min_votes=min_votes,
        closes_at=closes_at,
        created_at=utcnow(),
    )
    session.add(poll)
    await session.flush()
    session.add_all(
        PollOption(poll_id=poll.id, position=n, text_uk=uk, text_ru=ru)
        for n, (uk, ru) in enumerate(options, start=1)
    )
    await session.flush()
    return poll


async def audience(session: AsyncSession, poll: Poll) -> list[Recipient]:
    """Who the poll goes to, reachable and onboarded: a community's residents who opted in
    to working-group news (the meetings' opt-in), a group's accepted members, or those who
    said "going" to one occurrence of a meeting."""
    query = select(User.id, User.telegram_id, User.language).where(
        User.is_reachable.is_(True), User.language.is_not(None)
    )
    if poll.audience == "meeting":
        if poll.meeting_id is None or poll.occurrence is None:
            return []
        query = query.join(MeetingRsvp, MeetingRsvp.user_id == User.id).where(
            MeetingRsvp.meeting_id == poll.meeting_id,
            MeetingRsvp.occurrence == poll.occurrence,
            MeetingRsvp.going.is_(True),
        )
    elif poll.audience == "group" and poll.group_id is not None:
        members = await groups.accepted_member_ids(session, poll.group_id)
        query = query.where(User.id.in_(list(members)))
    else:
        query = query.join(MeetingOptIn, MeetingOptIn.user_id == User.id).where(
            User.community_id == poll.community_id
        )
    rows = await session.execute(query.order_by(User.id))
    return [Recipient(uid, tid, lang or "uk") for uid, tid, lang in rows]


async def add_recipients(session: AsyncSession, poll_id: int, people: Sequence[Recipient]) -> None:
    """Fix the audience (multi-row INSERTs of `CHUNK` rows), each with a random ballot."""
    rows = [
        {
            "poll_id": poll_id,
            "user_id": p.user_id,
            "language": p.language,
            "ballot": new_ballot(),
        }
        for p in people
    ]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(PollRecipient), rows[start : start + CHUNK])


async def get_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    return await session.get(Poll, poll_id)


async def options_of(session: AsyncSession, poll_id: int) -> list[PollOption]:
    result = await session.scalars(
        select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
    )
    return list(result)


def new_ballot() -> str:
    return secrets.token_hex(8)


async def is_recipient(session: AsyncSession, poll_id: int, user_id: int) -> bool:
    return await ballot_of(session, poll_id, user_id) is not None


async def ballot_of(session: AsyncSession, poll_id: int, user_id: int) -> str | None:
    """The person's ballot in the poll; None: not a recipient (only recipients vote)."""
    where = (PollRecipient.poll_id == poll_id, PollRecipient.user_id == user_id)
    found = (await session.execute(select(PollRecipient.ballot).where(*where))).first()
    if found is None:
        return None
    if found[0] is None:  # a recipient row written without one: give it one, once
        await session.execute(
            update(PollRecipient)
            .where(*where, PollRecipient.ballot.is_(None))
            .values(ballot=new_ballot())
            .execution_options(synchronize_session=False)
        )
        return await session.scalar(select(PollRecipient.ballot).where(*where))
    return str(found[0])


def is_open(poll: Poll, now: datetime) -> bool:
    """The deadline is checked when a vote arrives, not only by the closing job."""
    return poll.closed_at is None and now < poll.closes_at


async def _insert_vote(session: AsyncSession, vote: PollVote) -> bool:
    try:
        async with session.begin_nested():
            session.add(vote)
    except IntegrityError:
        return False
    return True


async def cast(
    session: AsyncSession,
    poll: Poll,
    user_id: int,
    position: int,
    *,
    language: str,
    choose: bool = True,
    now: datetime | None = None,
) -> Vote:
    """A press on option `position`. Single choice: that option becomes the person's one
    vote. Multiple choice: `choose` adds it, `choose=False` takes it back (the button says
    which, so a double press does the same thing twice and the second changes nothing)."""
    now = now or utcnow()
    if not is_open(poll, now):
        return Vote.CLOSED
    ballot = await ballot_of(session, poll.id, user_id)
    if ballot is None:
        return Vote.NOT_RECIPIENT
    option_id = await session.scalar(
        select(PollOption.id).where(PollOption.poll_id == poll.id, PollOption.position == position)
    )
    if option_id is None:
        return Vote.NO_OPTION
    if poll.multiple:
        if not choose:
            result = await session.execute(
                delete(PollVote).where(
                    PollVote.poll_id == poll.id,
                    PollVote.user_id == user_id,
                    PollVote.slot == position,
                )
            )
            return Vote.REMOVED if getattr(result, "rowcount", 0) else Vote.ALREADY
        row = PollVote(
            poll_id=poll.id,
            user_id=user_id,
            ballot=ballot,
            slot=position,
            option_id=option_id,
            language=language,
            voted_at=now,
        )
        return Vote.CHOSEN if await _insert_vote(session, row) else Vote.ALREADY
    row = PollVote(
        poll_id=poll.id,
        user_id=user_id,
        ballot=ballot,
        slot=0,
        option_id=option_id,
        language=language,
        voted_at=now,
    )
    if await _insert_vote(session, row):
        return Vote.CHOSEN
    result = await session.execute(
        update(PollVote)
        .where(
            PollVote.poll_id == poll.id,
            PollVote.user_id == user_id,
            PollVote.slot == 0,
            PollVote.option_id != option_id,
        )
        .values(option_id=option_id, language=language, voted_at=now)
        .execution_options(synchronize_session=False)
    )
    return Vote.CHANGED if getattr(result, "rowcount", 0) else Vote.ALREADY


async def choices_of(session: AsyncSession, poll_id: int, user_id: int) -> set[int]:
    """The positions of the options a person has chosen now."""
    result = await session.scalars(
        select(PollOption.position)
        .join(PollVote, PollVote.option_id == PollOption.id)
        .where(PollVote.poll_id == poll_id, PollVote.user_id == user_id)
    )
    return set(result)


@dataclass(frozen=True)
class Tally:
    counts: dict[int, int]  # option position -> votes
    voters: int  # distinct people who voted (distinct ballots: right after unlinking too)


async def tally(session: AsyncSession, poll_id: int) -> Tally:
    rows = await session.execute(
        select(PollOption.position, func.count(PollVote.id))
        .join(PollVote, PollVote.option_id == PollOption.id, isouter=True)
        .where(PollOption.poll_id == poll_id)
        .group_by(PollOption.position)
    )
    counts = {int(position): int(n) for position, n in rows}
    voters = await session.scalar(
        select(func.count(func.distinct(PollVote.ballot))).where(PollVote.poll_id == poll_id)
    )
    return Tally(counts, int(voters or 0))


async def tally_by_language(session: AsyncSession, poll_id: int) -> dict[tuple[int, str], int]:
    """(option position, voter's language) -> votes: the export, no identities."""
    rows = await session.execute(
        select(PollOption.position, PollVote.language, func.count())
        .join(PollVote, PollVote.option_id == PollOption.id)
        .where(PollOption.poll_id == poll_id)
        .group_by(PollOption.position, PollVote.language)
    )
    return {(int(p), str(lang)): int(n) for p, lang, n in rows}


async def refresh_allowed(
    session: AsyncSession, poll_id: int, user_id: int, *, every: float, now: datetime
) -> bool:
    """Whether this person's poll message may show fresh live counts now (at most once
    every `every` seconds per message); taking the turn records it, in one UPDATE."""
    result = await session.execute(
        update(PollRecipient)
        .where(
            PollRecipient.poll_id == poll_id,
            PollRecipient.user_id == user_id,
            (PollRecipient.refreshed_at.is_(None))
            | (PollRecipient.refreshed_at <= now - timedelta(seconds=every)),
        )
        .values(refreshed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def close(session: AsyncSession, poll_id: int, *, now: datetime | None = None) -> bool:
    """Close a poll; True for the one caller that did (a second close changes nothing)."""
    result = await session.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.closed_at.is_(None))
        .values(closed_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    closed = bool(getattr(result, "rowcount", 0))
    if closed:  # a live edit still queued would show the poll open again
        await polls_live.drop_pending(session, poll_id)
    return closed


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Open polls past their deadline (also a deadline that passed while the bot was down)."""
    result = await session.scalars(
        select(Poll.id).where(Poll.closed_at.is_(None), Poll.closes_at <= now).order_by(Poll.id)
    )
    return list(result)


async def unannounced(session: AsyncSession) -> list[int]:
    """Closed polls whose results have not been put in the outbox yet."""
    result = await session.scalars(
        select(Poll.id)
        .where(Poll.closed_at.is_not(None), Poll.announced_at.is_(None))
        .order_by(Poll.id)
    )
    return list(result)


async def mark_announced(session: AsyncSession, poll_id: int, *, now: datetime) -> bool:
    """Claim the announcement (one caller wins), in the transaction that enqueues it."""
    result = await session.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.announced_at.is_(None))
        .values(announced_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def voters(session: AsyncSession, poll_id: int) -> list[Recipient]:
    """Who voted, reachable, with the language they read now."""
    rows = await session.execute(
        select(User.id, User.telegram_id, User.language)
        .where(
            User.id.in_(select(PollVote.user_id).where(PollVote.poll_id == poll_id)),
            User.is_reachable.is_(True),
        )
        .order_by(User.id)
    )
    return [Recipient(uid, tid, lang or "uk") for uid, tid, lang in rows]


async def polls_since(session: AsyncSession, since: datetime | None) -> list[Poll]:
    query = select(Poll).order_by(Poll.id)
    if since is not None:
        query = query.where(Poll.created_at >= since)
    return list(await session.scalars(query))


async def open_for(session: AsyncSession, user_id: int, *, now: datetime, limit: int) -> list[Poll]:
    """The open polls sent to this person, newest first."""
    result = await session.scalars(
        select(Poll)
        .join(PollRecipient, PollRecipient.poll_id == Poll.id)
        .where(
            PollRecipient.user_id == user_id,
            Poll.closed_at.is_(None),
            Poll.closes_at > now,
        )
        .order_by(Poll.id.desc())
        .limit(limit)
    )
    return list(result)


async def created_by(session: AsyncSession, user_id: int) -> list[Poll]:
    """A creator's polls, newest first."""
    result = await session.scalars(
        select(Poll).where(Poll.creator_id == user_id).order_by(Poll.id.desc()).limit(20)
    )
    return list(result)


# An unlinked vote's time becomes its poll's: the exact second of a press could be matched
# against other records of what a person did when (review finding); the language stays, as
# the per-language counts of the export need it.
_poll_created = select(Poll.created_at).where(Poll.id == PollVote.poll_id).scalar_subquery()


async def unlink_person(session: AsyncSession, user_id: int) -> None:
    """/forget: the person's votes stay, counted, but no longer name them; their recipient
    rows (their ballots' owner, the live refresh throttle) go."""
    await session.execute(
        update(PollVote)
        .where(PollVote.user_id == user_id)
        .values(user_id=None, voted_at=_poll_created)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(PollRecipient).where(PollRecipient.user_id == user_id))


async def unlink_closed(session: AsyncSession, closed_before: datetime) -> int:
    """The retention: in polls closed before `closed_before`, who voted how is forgotten
    (votes unlinked, recipient rows deleted); the counts stay. Returns the votes unlinked."""
    closed = select(Poll.id).where(Poll.closed_at.is_not(None), Poll.closed_at < closed_before)
    result = await session.execute(
        update(PollVote)
        .where(PollVote.poll_id.in_(closed), PollVote.user_id.is_not(None))
        .values(user_id=None, voted_at=_poll_created)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(PollRecipient).where(PollRecipient.poll_id.in_(closed)))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class OwnVote:
    poll: Poll
    option: PollOption
    voted_at: datetime


async def votes_of(session: AsyncSession, user_id: int) -> list[OwnVote]:
    """The person's own votes still linked to them (/mydata)."""
    rows = await session.execute(
        select(Poll, PollOption, PollVote.voted_at)
        .join(PollVote, PollVote.poll_id == Poll.id)
        .join(PollOption, PollOption.id == PollVote.option_id)
        .where(PollVote.user_id == user_id)
        .order_by(Poll.id, PollOption.position)
    )
    return [OwnVote(poll, option, at) for poll, option, at in rows]


# -- the meetings' evaluation -------------------------------------------------------------


async def rsvp_occurrences(
    session: AsyncSession, since: date, until: date
) -> list[tuple[int, date]]:
    """(meeting, occurrence) with someone "going", dated in [since, until], that have no
    evaluation yet: the candidates the evaluation job looks at."""
    evaluated = select(Poll.id).where(
        Poll.meeting_id == MeetingRsvp.meeting_id,
        Poll.occurrence == MeetingRsvp.occurrence,
        Poll.template.like("eval%"),
    )
    rows = await session.execute(
        select(MeetingRsvp.meeting_id, MeetingRsvp.occurrence)
        .where(
            MeetingRsvp.going.is_(True),
            MeetingRsvp.occurrence >= since,
            MeetingRsvp.occurrence <= until,
            ~evaluated.exists(),
        )
        .distinct()
        .order_by(MeetingRsvp.occurrence, MeetingRsvp.meeting_id)
    )
    return [(int(m), day) for m, day in rows]


async def evaluations(session: AsyncSession, community_id: int, since: datetime) -> list[Poll]:
    """A community's evaluation polls of meetings evaluated since `since`, newest first,
    statements in order."""
    result = await session.scalars(
        select(Poll)
        .where(
            Poll.community_id == community_id,
            Poll.template.like("eval%"),
            Poll.created_at >= since,
        )
        .order_by(Poll.occurrence.desc(), Poll.meeting_id, Poll.template)
    )
    return list(result)
