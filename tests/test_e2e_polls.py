"""Quick polls end to end through the local Bot API server: a moderator creates one in
Ukrainian, residents in uk and ru vote and change their vote, the deadline closes it
(moved clock; also across a restart), everyone gets the numbers as text and then a real PNG
chart; every refusal; below the minimum no message to anyone carries a count."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from handlers.shared.charts import PNG_SIGNATURE
from scheduler.polls import JOB_ID
from storage.models import PollVote
from storage.types import set_clock, system_clock
from tests.onboarding_steps import has
from tests.request_steps import make_moderator, onboard, outbox_drained
from tests.running_bot import bot_settings, running_bot
from tests.test_cli_staff import cli

pytestmark = pytest.mark.e2e


class MovedClock:
    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return system_clock() + self.ahead


@pytest.fixture
def clock() -> Iterator[MovedClock]:
    moved = MovedClock()
    set_clock(moved)
    try:
        yield moved
    finally:
        set_clock(None)


def in_two_days() -> str:
    local = (system_clock() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Kyiv"))
    return f"{local:%d.%m} 18:00"


async def say(user: FakeUser, text: str, expect: str) -> BotMessage:
    async with user.expect_message(has(expect)) as got:
        await user.send_text(text)
    return got.message


async def press(user: FakeUser, message: BotMessage, label: str, expect: str) -> BotMessage:
    async with user.expect_message(has(expect)) as got:
        await user.press(message, label)
    return got.message


async def create_poll(moderator: FakeUser, *, live: bool, closes: str) -> None:
    """The whole creation flow in Ukrainian, the Russian question skipped."""
    async with moderator.expect_message(has("Напишіть питання українською")):
        await moderator.send_command("/poll")
    skip = await say(moderator, "Чи корисна була зустріч?", "те саме питання російською")
    await press(moderator, skip, "Пропустити: взяти український текст", "відповіді українською")
    await say(moderator, "Так\nНі\nНе знаю", "ті самі відповіді (3) російською")
    kind = await say(moderator, "Да\nНет\nНе знаю", "Скільки відповідей можна обрати")
    results = await press(moderator, kind, "Одна відповідь", "Коли люди можуть бачити")
    label = "Одразу, тим, хто проголосував" if live else "Лише після закриття"
    await press(moderator, results, label, "Коли опитування закривається")
    await say(moderator, "31.02 10:00", "Не вдалося прочитати дату")
    preview = await say(moderator, closes, "Попередній перегляд")
    assert "Чи корисна була зустріч?" in (preview.text or "")
    assert "за київським часом" in (preview.text or "")
    async with moderator.expect_message(has("Опитування опубліковано")):
        await moderator.press(preview, "Опублікувати")


def poll_of(user: FakeUser) -> BotMessage:
    for message in reversed(user.messages()):
        if "📊" in (message.text or "") and message.buttons:
            return message
    raise AssertionError(user.history())


async def vote(
    botapi: BotApiServer, user: FakeUser, label: str, data: str | None = None, *, edits: bool = True
) -> str:
    """Press an answer of the poll (or send forged `data`); the toast. With `edits` (a vote
    that changes something) also wait until the poll message shows it."""
    message = poll_of(user) if data is None else user.last_message()
    answered = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    if data is None and edits:
        async with user.expect_message(lambda m: m.message_id == message.message_id):
            await user.press(message, label)
    elif data is None:
        await user.press(message, label)
    else:
        await user.press_data(message, data)
    text = str((await answered).params.get("text") or "")
    assert 0 < len(text) <= 200
    return text


async def run_closing_job(app: HromadaApp) -> None:
    scheduler = app.lifecycle.scheduler
    assert scheduler is not None
    job = scheduler.get_job(JOB_ID)
    assert job is not None
    await job.func(*job.args)
    await outbox_drained(app)


def photos_to(botapi: BotApiServer, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in botapi.calls_of("sendPhoto") if str(c.get("chat_id")) == str(chat_id)]


def assert_real_png(botapi: BotApiServer, user: FakeUser) -> None:
    shown = [m for m in user.messages() if m.raw.get("photo")]
    assert len(shown) == 1, user.history()
    file_id = shown[0].raw["photo"][-1]["file_id"]
    png = botapi.state.files[file_id].data
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])
    assert width <= 1080 and height > 200
    assert 5_000 < len(png) < 150_000
    idat = b"".join(
        png[i + 8 : i + 8 + struct.unpack(">I", png[i : i + 4])[0]]
        for i in _chunks(png)
        if png[i + 4 : i + 8] == b"IDAT"
    )
    assert len(zlib.decompress(idat)) >= width * height * 3


def _chunks(png: bytes) -> Iterator[int]:
    offset = 8
    while offset < len(png):
        yield offset
        offset += 12 + struct.unpack(">I", png[offset : offset + 4])[0]


OPT_IN = {
    "uk": ("🔔 Зустрічі робочої групи: вимкнено", "🔕 Зустрічі робочої групи: увімкнено"),
    "ru": ("🔔 Встречи рабочей группы: выключено", "🔕 Встречи рабочей группы: включено"),
}


def has_button(label: str) -> Callable[[BotMessage], bool]:
    def check(message: BotMessage) -> bool:
        return label in message.button_texts()

    return check


async def residents(botapi: BotApiServer, languages: str) -> list[FakeUser]:
    """Residents of Дружківка who opted in to working-group news (a community poll's
    audience), from the main menu's toggle."""
    people = []
    for language in languages.split():
        person = botapi.user(first_name="Житель")
        menu = await onboard(person, language)
        off, on = OPT_IN[language]
        async with person.expect_message(has_button(on)):
            await person.press(menu, off)
        people.append(person)
    return people


async def test_poll_from_creation_to_chart(
    botapi: BotApiServer,
    bot: HromadaApp,
    engine: AsyncEngine,
    clock: MovedClock,
    database_url: str,
    tmp_path: Path,
) -> None:
    people = await residents(botapi, "uk ru uk ru uk")
    moderator = await make_moderator(botapi, engine)
    await create_poll(moderator, live=True, closes=in_two_days())
    await outbox_drained(bot)
    uk, ru = people[0], people[1]
    assert "Оберіть одну відповідь" in (poll_of(uk).text or "")
    assert "Выберите один ответ" in (poll_of(ru).text or "")
    assert "Да" in poll_of(ru).button_texts()  # options in the reader's language

    assert "враховано" in await vote(botapi, uk, "Так")
    assert "Нічого не змінено" in await vote(botapi, uk, "✅ Так", edits=False)  # a double press
    assert "учтён" in await vote(botapi, ru, "Да")
    assert "изменён" in await vote(botapi, ru, "Нет")
    assert "Ваш выбор: Нет" in (poll_of(ru).text or "")
    for person, yes in zip(people[2:], ("Так", "Да", "Так"), strict=True):
        await vote(botapi, person, yes)
    # live: the fifth voter's own message shows counts (5 votes reached)
    assert "80%" in (poll_of(people[4]).text or "")
    # refusals: forged option, garbage, an outsider pressing a forwarded poll's button
    poll_id = re.search(r"pv:(\d+):", poll_of(uk).buttons[0][0].callback_data or "")
    assert poll_id is not None
    pid = poll_id.group(1)
    assert "немає" in await vote(botapi, uk, "", data=f"pv:{pid}:9:1")
    assert "недійсна" in await vote(botapi, uk, "", data="pv:x:1:1")
    (outsider,) = await residents(botapi, "uk")  # joined after the poll went out
    assert "надіслано не вам" in await vote(botapi, outsider, "", data=f"pv:{pid}:1:1")

    clock.ahead = timedelta(days=3)  # past the deadline
    assert "закрите" in await vote(
        botapi, uk, "Ні", edits=False
    )  # the vote checks the deadline itself
    await run_closing_job(bot)
    async with engine.connect() as conn:
        votes = await conn.scalar(select(func.count()).select_from(PollVote))
    assert votes == 5
    for person, words in ((uk, "Результати опитування"), (ru, "Результаты опроса")):
        texts = [m.text or "" for m in person.messages() if words in (m.text or "")]
        assert len(texts) == 1, person.history()
        assert texts[0].split("\n")[3].startswith("4 · 80% ·"), texts[0]  # numbers first
        assert_real_png(botapi, person)
        mine = [c for c in botapi.calls if str(c.params.get("chat_id")) == str(person.id)]
        said = [n for n, c in enumerate(mine) if words in str(c.params.get("text") or "")]
        shown = [n for n, c in enumerate(mine) if c.method == "sendPhoto"]
        assert said[0] < shown[0]  # the text first, then the chart
    assert photos_to(botapi, moderator.id), moderator.history()  # the creator gets it too
    uploads = [c for c in botapi.calls_of("sendPhoto") if not isinstance(c.get("photo"), str)]
    assert len(uploads) == 2  # once per language, then by file id

    # the creator's CSV: counts per option and voters' language, no identities
    async with moderator.expect_message(has("Ваші опитування")) as listed:
        await moderator.send_command("/polls")
    label = next(b for b in listed.message.button_texts() if b.startswith("CSV"))
    async with moderator.expect_message(lambda m: bool(m.raw.get("document"))) as sent:
        await moderator.press(listed.message, label)
    document = sent.message.raw["document"]
    assert document["file_name"].endswith(".csv")
    assert "без імен" in (sent.message.raw.get("caption") or "")
    csv_text = botapi.state.files[document["file_id"]].data.decode("utf-8")
    assert csv_text.startswith("poll_id,")
    assert ",1,Так,uk,3" in csv_text and ",1,Так,ru,1" in csv_text
    assert ",2,Ні,ru,1" in csv_text and ",2,Ні,uk,0" in csv_text
    assert not any(str(p.id) in csv_text for p in people)

    code, out, err = await cli(
        botapi, database_url, "export", "polls", "--output", str(tmp_path / "p.csv")
    )
    assert code == 0, err
    assert "1 polls, 6 rows" in out
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        line for line in csv_text.splitlines()[1:]
    ]
    # --since: polls created on or after that (UTC) day; a later day has none of them
    later = (system_clock() + timedelta(days=5)).date().isoformat()
    code, out, err = await cli(
        botapi,
        database_url,
        "export",
        "polls",
        "--since",
        later,
        "--output",
        str(tmp_path / "q.csv"),
    )
    assert code == 0, err
    assert "0 polls, 0 rows" in out
    assert (tmp_path / "q.csv").read_text(encoding="utf-8").splitlines() == [
        csv_text.splitlines()[0]
    ]
    code, _out, err = await cli(botapi, database_url, "export", "polls", "--since", "2.12.2026")
    assert code != 0 and "not a date" in err


async def test_below_the_minimum_no_message_carries_a_count(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clock: MovedClock
) -> None:
    people = await residents(botapi, "uk ru")
    moderator = await make_moderator(botapi, engine)
    await create_poll(moderator, live=True, closes=in_two_days())
    await outbox_drained(bot)
    await vote(botapi, people[0], "Так")
    await vote(botapi, people[1], "Нет")
    clock.ahead = timedelta(days=3)
    await run_closing_job(bot)
    texts = [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in botapi.calls
        if c.method in ("sendMessage", "editMessageText", "answerCallbackQuery", "sendPhoto")
    ]
    assert not botapi.calls_of("sendPhoto")
    counted = re.compile(r"%|█|\d+ · |Проголосува\w* \d|Проголосова\w* \d")
    for text in texts:
        assert not counted.search(text), text
    hidden = [t for t in texts if "менше ніж 5" in t or "меньше 5" in t]
    assert len(hidden) >= 3  # two voters and the creator
    # the creator's CSV says hidden and counts nothing
    async with moderator.expect_message(has("Ваші опитування")) as listed:
        await moderator.send_command("/polls")
    label = next(b for b in listed.message.button_texts() if b.startswith("CSV"))
    async with moderator.expect_message(lambda m: bool(m.raw.get("document"))) as sent:
        await moderator.press(listed.message, label)
    csv_rows = botapi.state.files[sent.message.raw["document"]["file_id"]].data.decode()
    (row,) = csv_rows.splitlines()[1:]
    assert row.endswith(",,,,hidden: too_few"), row


async def test_a_deadline_that_passed_while_the_bot_was_down(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine, clock: MovedClock
) -> None:
    settings = bot_settings(botapi, database_url)
    async with running_bot(settings) as app:
        languages = "uk uk ru uk ru"
        people = await residents(botapi, languages)
        moderator = await make_moderator(botapi, engine)
        await create_poll(moderator, live=False, closes=in_two_days())
        await outbox_drained(app)
        for person, language in zip(people, languages.split(), strict=True):
            await vote(botapi, person, "Ні" if language == "uk" else "Нет")
        assert "%" not in (poll_of(people[0]).text or "")  # results only after closing
    clock.ahead = timedelta(days=3)
    async with running_bot(settings) as app:
        # the job's first run, right after start, closes and announces
        got = await people[0].wait_for(has("Результати опитування"), since=0)
        assert "5 · 100% · Ні" in (got.text or "")
        await outbox_drained(app)
        assert_real_png(botapi, people[0])


async def test_topics_template_from_the_request_categories(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    (ru,) = await residents(botapi, "ru")
    moderator = await make_moderator(botapi, engine)
    async with moderator.expect_message(has("Напишіть питання українською")) as got:
        await moderator.send_command("/poll")
    label = "📋 Готове: які теми найважливіші"
    results = await press(moderator, got.message, label, "Коли люди можуть бачити")
    await press(moderator, results, "Лише після закриття", "Коли опитування закривається")
    preview = await say(moderator, in_two_days(), "Попередній перегляд")
    text = preview.text or ""
    assert "Які теми зараз для вас найважливіші?" in text and "Кілька відповідей" in text
    assert "1. Поліція" in text and "10. Гуманітарна допомога" in text and "Інше" not in text
    async with moderator.expect_message(has("Опитування опубліковано")):
        await moderator.press(preview, "Опублікувати")
    await outbox_drained(bot)
    poll = poll_of(ru)
    assert "Какие темы сейчас для вас важнее всего?" in (poll.text or "")
    assert "Выберите один или несколько ответов." in (poll.text or "")
    assert "Полиция" in poll.button_texts()
    await vote(botapi, ru, "Полиция")
    await vote(botapi, ru, "Образование")
    assert "Ваш выбор: Полиция, Образование" in (poll_of(ru).text or "")
