"""The meetings' evaluation end to end through the local Bot API server (issue 9,
templates): after a meeting ends, those who said "going" (and nobody else) get its three
statements with Agree / Disagree in their language, once; they vote; moderators read the
results per meeting in /stats, hidden before the close and below the minimum, counted after.
Also: /forget of a voter keeps the counts (issue 10)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from flows.recurrence import wall_time
from scheduler.polls import EVALUATION_JOB_ID
from storage.engine import session_factory
from storage.models import Community, Meeting, MeetingRsvp, Poll, PollVote, User
from storage.types import system_clock
from tests.onboarding_steps import has
from tests.privacy_steps import downloaded_json
from tests.request_steps import make_moderator, onboard, outbox_drained
from tests.running_bot import bot_settings, running_bot
from tests.test_e2e_polls import MovedClock, clock, poll_of, run_closing_job, say

__all__ = ["clock"]
pytestmark = pytest.mark.e2e
KYIV = "Europe/Kyiv"
STATEMENTS = {
    "uk": ("Зустріч була корисною", "Я зміг(ла) сказати, що хотів(ла)", "Я прийду знову"),
    "ru": ("Встреча была полезной", "Я смог(ла) сказать, что хотел(а)", "Я приду снова"),
}
AGREE = {"uk": "Погоджуюся", "ru": "Согласен(на)"}
DISAGREE = {"uk": "Не погоджуюся", "ru": "Не согласен(на)"}


async def ended_meeting(
    engine: AsyncEngine,
    title: str,
    going: list[int],
    not_going: list[int],
    begins: timedelta = timedelta(hours=-3),
) -> None:
    """A working-group meeting that began three hours ago (90 minutes long; or `begins`
    from now), with the RSVPs of the Telegram ids given."""
    start = (system_clock() + begins).replace(second=0, microsecond=0)
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.code == "DRU"))
        assert community is not None
        meeting = Meeting(
            community_id=community.id,
            title_uk=title,
            title_ru=title + " (ru)",
            place="Будинок культури",
            first_local=wall_time(start, KYIV),
            zone=KYIV,
            duration_minutes=90,
            repeat="none",
            offsets=[],
        )
        session.add(meeting)
        await session.flush()
        day = wall_time(start, KYIV).date()
        for telegram_ids, answer in ((going, True), (not_going, False)):
            for telegram_id in telegram_ids:
                user_id = await session.scalar(
                    select(User.id).where(User.telegram_id == telegram_id)
                )
                assert user_id is not None
                session.add(
                    MeetingRsvp(
                        meeting_id=meeting.id, occurrence=day, user_id=user_id, going=answer
                    )
                )


async def run_evaluation_job(app: HromadaApp) -> None:
    scheduler = app.lifecycle.scheduler
    assert scheduler is not None
    job = scheduler.get_job(EVALUATION_JOB_ID)
    assert job is not None
    await job.func(*job.args)
    await outbox_drained(app)


def evaluation_polls(user: FakeUser, title: str) -> list[BotMessage]:
    return [m for m in user.messages() if title in (m.text or "") and m.buttons]


async def answer(botapi: BotApiServer, user: FakeUser, message: BotMessage, label: str) -> str:
    answered = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    async with user.expect_message(lambda m: m.message_id == message.message_id):
        await user.press(message, label)
    return str((await answered).params.get("text") or "")


async def stats_of(moderator: FakeUser) -> str:
    async with moderator.expect_message(has("Статистика")) as got:
        await moderator.send_command("/stats")
    return got.message.text or ""


async def test_evaluation_after_a_meeting_to_those_going_and_in_stats(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clock: MovedClock
) -> None:
    languages = ["uk", "ru", "uk", "ru", "uk"]
    people = []
    for language in languages:
        person = botapi.user(first_name="Житель")
        await onboard(person, language)
        people.append(person)
    absent = botapi.user(first_name="Житель")
    await onboard(absent, "uk")
    moderator = await make_moderator(botapi, engine)
    await ended_meeting(engine, "Вода", [p.id for p in people], [absent.id])
    await ended_meeting(engine, "Світло", [p.id for p in people[:2]], [])

    await run_evaluation_job(bot)
    await run_evaluation_job(bot)  # a second run (or another worker) makes nothing twice
    async with engine.connect() as conn:
        made = await conn.scalar(select(func.count()).select_from(Poll))
    assert made == 6  # three statements for each of the two meetings

    for person, language in zip(people, languages, strict=True):
        title = "Вода" if language == "uk" else "Вода (ru)"
        polls_here = evaluation_polls(person, title)
        texts = [m.text or "" for m in polls_here]
        assert len(polls_here) == 3, person.history()
        for statement in STATEMENTS[language]:
            assert sum(statement in t for t in texts) == 1, texts
        for message in polls_here:
            assert message.button_texts() == [AGREE[language], DISAGREE[language]]
    assert not [m for m in absent.messages() if "📊" in (m.text or "")]  # said "not going"
    assert len(evaluation_polls(people[0], "Світло")) == 3

    for n, (person, language) in enumerate(zip(people, languages, strict=True)):
        title = "Вода" if language == "uk" else "Вода (ru)"
        useful, could_say, again = evaluation_polls(person, title)
        toast = await answer(
            botapi, person, useful, AGREE[language] if n < 4 else DISAGREE[language]
        )
        assert 0 < len(toast) <= 200
        await answer(botapi, person, could_say, AGREE[language])
        await answer(botapi, person, again, DISAGREE[language] if n == 0 else AGREE[language])
    for person, language in zip(people[:2], languages[:2], strict=True):
        for message in evaluation_polls(person, "Світло"):
            await answer(botapi, person, message, AGREE[language])

    before = await stats_of(moderator)
    assert "Оцінка зустрічей" in before
    assert "результати після закриття" in before
    assert "%" not in before.split("Оцінка зустрічей")[1]  # nothing counted before the close

    clock.ahead = timedelta(days=8)  # past the evaluation's week
    await run_closing_job(bot)
    after = (await stats_of(moderator)).split("Оцінка зустрічей")[1]
    water = after.split("Вода")[1].split("Світло")[0]
    assert "Зустріч була корисною: погоджуються 4 з 5 (80%)" in water
    assert "Я зміг(ла) сказати, що хотів(ла): погоджуються 5 з 5 (100%)" in water
    assert "Я прийду знову: погоджуються 4 з 5 (80%)" in water
    light = after.split("Світло")[1]
    assert "менше ніж 5 голосів" in light and "%" not in light  # two voters: hidden
    # the voters got the results of each statement: numbers first, then the chart
    results = [m.text or "" for m in people[1].messages() if "Результаты опроса" in (m.text or "")]
    assert len(results) == 6  # each statement of both meetings
    assert sum("4 · 80% · Согласен(на)" in t for t in results) == 2  # useful, will come again
    closed_few = "Опрос закрыт. Проголосовало меньше 5 человек"
    assert sum(closed_few in t and "%" not in t for t in results) == 3  # Світло


async def test_forget_keeps_the_evaluation_counts(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clock: MovedClock
) -> None:
    people = []
    for language in ["uk", "uk", "ru", "uk", "ru"]:
        person = botapi.user(first_name="Житель")
        await onboard(person, language)
        people.append(person)
    moderator = await make_moderator(botapi, engine)
    await ended_meeting(engine, "Вода", [p.id for p in people], [])
    await run_evaluation_job(bot)
    for person in people:
        language = "ru" if person in (people[2], people[4]) else "uk"
        title = "Вода (ru)" if language == "ru" else "Вода"
        useful = evaluation_polls(person, title)[0]
        await answer(botapi, person, useful, AGREE[language])

    leaving = people[0]
    # /mydata lists the vote, in the person's language, and nothing of anyone else's
    async with leaving.expect_message(lambda m: bool(m.raw.get("document"))):
        await leaving.send_command("/mydata")
    _raw, exported = downloaded_json(botapi, leaving)
    (mine,) = exported["sections"]["polls"]["data"]
    assert mine["answer"] == "Погоджуюся" and mine["closed"] is None
    assert "Зустріч «Вода»" in mine["poll"] and "Зустріч була корисною" in mine["poll"]
    async with leaving.expect_message(has("Стерти все")) as confirm:
        await leaving.send_command("/forget")
    async with leaving.expect_message(has("Готово")):
        await leaving.press(confirm.message, "Так, стерти все")
    async with engine.connect() as conn:
        assert (
            await conn.scalar(
                select(func.count()).select_from(User).where(User.telegram_id == leaving.id)
            )
            == 0
        )
        votes = await conn.scalar(select(func.count()).select_from(PollVote))
        unlinked = await conn.scalar(
            select(func.count()).select_from(PollVote).where(PollVote.user_id.is_(None))
        )
    assert votes == 5 and unlinked == 1

    clock.ahead = timedelta(days=8)
    await run_closing_job(bot)
    after = (await stats_of(moderator)).split("Оцінка зустрічей")[1]
    assert "Зустріч була корисною: погоджуються 5 з 5 (100%)" in after


async def test_a_poll_to_those_going_to_a_meeting(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    """The creation flow's audience step: a moderator with a meeting near picks "going to"
    it; the poll reaches those who said going, and nobody else."""
    people, menus = [], []
    for language in ["uk", "ru", "uk", "uk"]:
        person = botapi.user(first_name="Житель")
        menus.append(await onboard(person, language))
        people.append(person)
    moderator = await make_moderator(botapi, engine)
    await ended_meeting(
        engine, "Вода", [p.id for p in people[:3]], [people[3].id], begins=timedelta(days=1)
    )
    async with moderator.expect_message(has("Для кого воно")) as asked:
        await moderator.send_command("/poll")
    buttons = asked.message.button_texts()
    assert "Мешканці громади, які стежать за робочою групою" in buttons
    going = next(b for b in buttons if b.startswith("Ті, хто йде: «Вода»"))
    async with moderator.expect_message(has("Напишіть питання українською")):
        await moderator.press(asked.message, going)
    skip = await say(moderator, "Що принести?", "те саме питання російською")
    async with moderator.expect_message(has("відповіді українською")):
        await moderator.press(skip, "Пропустити: взяти український текст")
    await say(moderator, "Чай\nПечиво", "ті самі відповіді (2) російською")
    kind = await say(moderator, "Чай\nПеченье", "Скільки відповідей можна обрати")
    async with moderator.expect_message(has("Коли люди можуть бачити")) as got:
        await moderator.press(kind, "Одна відповідь")
    async with moderator.expect_message(has("Коли опитування закривається")) as picker:
        await moderator.press(got.message, "Лише після закриття")
    # the meetings' date picker: a day two days ahead, then a time button
    day = (system_clock() + timedelta(days=2)).astimezone(ZoneInfo(KYIV)).date()
    label = next(
        b.text
        for row in picker.message.buttons
        for b in row
        if (b.callback_data or "").startswith(f"pc:day:{day:%Y%m%d}")
    )
    async with moderator.expect_message(has("о котрій закривається")) as times:
        await moderator.press(picker.message, label)
    await say(moderator, "25:99", "Не вдалося прочитати час")
    async with moderator.expect_message(has("Попередній перегляд")) as shown:
        await moderator.press(times.message, "18:00")
    assert f"{day.day}" in (shown.message.text or "") and "18:00" in (shown.message.text or "")
    assert "✅ Від 5 голосів" in shown.message.button_texts()  # the default minimum
    async with moderator.expect_message(has("від 10 голосів")) as raised:
        await moderator.press(shown.message, "Від 10 голосів")
    preview = raised.message
    assert "✅ Від 10 голосів" in preview.button_texts()
    assert "Аудиторія: ті, хто сказав «йду» на «Вода»" in (preview.text or "")
    async with moderator.expect_message(has("Опитування опубліковано")) as done:
        await moderator.press(preview, "Опублікувати")
    assert "3 " in (done.message.text or ""), done.message.text
    await outbox_drained(bot)
    assert "Что принести?" not in (poll_of(people[1]).text or "")  # ru skipped: uk shown
    assert "Що принести?" in (poll_of(people[1]).text or "")
    assert poll_of(people[0]).button_texts() == ["Чай", "Печиво"]
    assert poll_of(people[1]).button_texts() == ["Чай", "Печенье"]
    assert poll_of(people[2]).button_texts() == ["Чай", "Печиво"]
    assert not [m for m in people[3].messages() if "📊" in (m.text or "")]  # said not going
    async with engine.connect() as conn:
        assert await conn.scalar(select(Poll.min_votes)) == 10

    # the main menu's "Polls": the open poll again, with its buttons; nothing for the other
    async with people[0].expect_message(has("Що принести?")) as again:
        await people[0].press(menus[0], "Опитування")
    assert again.message.button_texts() == ["Чай", "Печиво"]
    async with people[3].expect_message(has("Зараз немає опитувань")):
        await people[3].press(menus[3], "Опитування")


async def test_a_meeting_that_ended_while_the_bot_was_down_is_evaluated_at_start(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine
) -> None:
    """The evaluation job's first run, right after start, finds an occurrence that ended
    while the bot was down (within the week's look-back)."""
    settings = bot_settings(botapi, database_url)
    async with running_bot(settings):
        ru = botapi.user(first_name="Житель")
        await onboard(ru, "ru")
    await ended_meeting(engine, "Вода", [ru.id], [])  # written while no bot runs
    async with running_bot(settings) as app:
        first = await ru.wait_for(has("Встреча была полезной"), since=0, timeout=20)
        await outbox_drained(app)
    assert first.button_texts() == [AGREE["ru"], DISAGREE["ru"]]
    assert len(evaluation_polls(ru, "Вода (ru)")) == 3
