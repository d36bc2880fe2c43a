"""The meetings' evaluation in the database (issue 9): three polls per occurrence, made once
(the partial unique index), to those who said "going"; a sensitive group's meeting is not
named in the question; other polls to a meeting's goers are not limited. Both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.polls_evaluation import make_evaluation
from locales import load_translators
from storage.models import Community, Meeting, MeetingRsvp, Poll, SelfHelpGroup, User
from storage.repositories import polls

ENDED = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)


async def _meeting(session: AsyncSession, *, sensitive: bool | None) -> Meeting:
    community = await session.scalar(select(Community.id).order_by(Community.id))
    assert community is not None
    group_id = None
    if sensitive is not None:
        group = SelfHelpGroup(
            community_id=community,
            title_uk="Група",
            title_ru="Группа",
            topic="other",
            sensitive=sensitive,
        )
        session.add(group)
        await session.flush()
        group_id = group.id
    meeting = Meeting(
        community_id=community,
        group_id=group_id,
        title_uk="Ветерани",
        title_ru="Ветераны",
        place="Бібліотека",
        first_local=datetime(2026, 12, 2, 18, 30),
        zone="Europe/Kyiv",
        duration_minutes=90,
        repeat="none",
        offsets=[],
    )
    session.add(meeting)
    await session.flush()
    going = User(telegram_id=9100, language="ru", community_id=community, is_reachable=True)
    away = User(telegram_id=9101, language="uk", community_id=community, is_reachable=True)
    session.add_all([going, away])
    await session.flush()
    session.add_all(
        [
            MeetingRsvp(meeting_id=meeting.id, occurrence=DAY, user_id=going.id, going=True),
            MeetingRsvp(meeting_id=meeting.id, occurrence=DAY, user_id=away.id, going=False),
        ]
    )
    await session.flush()
    return meeting


async def test_three_polls_once_to_the_going(db: AsyncSession) -> None:
    translators = load_translators()
    meeting = await _meeting(db, sensitive=None)
    assert await make_evaluation(db, translators, meeting, DAY, ENDED) == 1
    assert await make_evaluation(db, translators, meeting, DAY, ENDED) == 0  # made once
    made = list(await db.scalars(select(Poll).order_by(Poll.template)))
    assert [p.template for p in made] == ["eval1", "eval2", "eval3"]
    assert all(p.audience == "meeting" and p.closes_at == ENDED + timedelta(days=7) for p in made)
    assert made[0].question_ru == "Встреча «Ветераны», 02.12.2026: Встреча была полезной"
    assert not made[0].results_live and made[0].min_votes == 5
    (recipient,) = await polls.audience(db, made[0])
    assert recipient.telegram_id == 9100  # "going" only
    # a creator's own poll to the same goers is not limited by the evaluation's index
    for _ in range(2):
        await polls.create_poll(
            db,
            community_id=meeting.community_id,
            creator_id=None,
            question_uk="Що принести?",
            question_ru="",
            options=[("Чай", ""), ("Каву", "")],
            multiple=False,
            audience="meeting",
            closes_at=ENDED,
            results_live=False,
            min_votes=5,
            meeting_id=meeting.id,
            occurrence=DAY,
        )
    assert await db.scalar(select(func.count()).select_from(Poll)) == 5


async def test_a_sensitive_groups_meeting_is_not_named(db: AsyncSession) -> None:
    meeting = await _meeting(db, sensitive=True)
    await make_evaluation(db, load_translators(), meeting, DAY, ENDED)
    questions = list(await db.scalars(select(Poll.question_uk)))
    assert "Зустріч 02.12.2026: Зустріч була корисною" in questions
    assert not any("Ветерани" in q or "Група" in q for q in questions)
