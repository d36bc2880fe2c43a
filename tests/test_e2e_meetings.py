"""A working-group meeting through the real bot, frozen clock: residents opt in from the
main menu (uk and ru), a moderator creates the meeting with the picker, everyone is told;
reminders at 24 h and 2 h in each reader's language; RSVPs counted on the organiser's
card; the start moved (everyone told, the reminder sent again for the new time); the
meeting cancelled (no more reminders); a forged RSVP from someone not invited counts
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from flows.recurrence import instant
from scheduler.reminders import send_due_reminders
from storage.models import Meeting, MeetingRsvp
from storage.types import set_clock
from tests.onboarding_steps import has
from tests.request_steps import make_moderator, onboard, outbox_drained

pytestmark = pytest.mark.e2e

KYIV = "Europe/Kyiv"
START = datetime(2026, 12, 1, 18)  # Tuesday, 18:00 Kyiv time
UK_WHEN = "вівторок, 1 грудня, 18:00 за київським часом"
RU_WHEN = "вторник, 1 декабря, 18:00 по киевскому времени"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Frozen; tests ask for it before `bot`, so the bot's start-up jobs read it too."""
    frozen = Clock(datetime(2026, 11, 28, 8, tzinfo=UTC))  # Saturday 10:00 Kyiv
    set_clock(frozen)
    yield frozen
    set_clock(None)


async def scan(app: HromadaApp) -> int:
    services = app.bot_data.services
    assert services is not None
    closed = await send_due_reminders(
        services.sessions, services.translators, services.default_language
    )
    await outbox_drained(app)
    return closed


async def step(user: FakeUser, expected: Callable[[BotMessage], bool], act: object) -> BotMessage:
    async with user.expect_message(expected) as got:
        await act  # type: ignore[misc]
    return got.message


def texts(user: FakeUser) -> list[str]:
    return [m.text or "" for m in user.messages()]


async def answered(botapi: BotApiServer, words: str) -> None:
    found = await botapi.state.feed.wait_until(
        lambda: (
            any(words in str(a.get("text", "")) for a in botapi.callback_answers.values()) or None
        ),
        10,
    )
    assert found, f"no button answer saying {words!r}"


async def test_meeting_with_picker_reminders_rsvp_move_and_cancel(
    clock: Clock, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    olena, ivan, outsider = botapi.user(), botapi.user(), botapi.user()
    menu_uk = await onboard(olena, "uk")
    menu_ru = await onboard(ivan, "ru")
    await onboard(outsider, "uk")
    on_uk, on_ru = "🔕 Зустрічі робочої групи: увімкнено", "🔕 Встречи рабочей группы: включено"
    await step(
        olena,
        lambda m: on_uk in m.button_texts(),
        olena.press(menu_uk, "🔔 Зустрічі робочої групи: вимкнено"),
    )
    await step(
        ivan,
        lambda m: on_ru in m.button_texts(),
        ivan.press(menu_ru, "🔔 Встречи рабочей группы: выключено"),
    )

    moderator = await make_moderator(botapi, engine)
    assert any("/meetings: зустрічі робочої групи" in t for t in texts(moderator))  # on joining
    listing = await step(
        moderator, has("Найближчих зустрічей немає"), moderator.send_command("/meetings")
    )
    await step(
        moderator, has("назву зустрічі українською"), moderator.press(listing, "➕ Нова зустріч")
    )
    await step(moderator, has("російською"), moderator.send_text("Звіт поліції громаді"))
    await step(moderator, has("Напишіть місце"), moderator.send_text("Отчёт полиции громаде"))
    agenda = await step(
        moderator, has("порядок денний"), moderator.send_text("Будинок культури, зала 2")
    )
    picker = await step(moderator, has("25.12 18:00"), moderator.press(agenda, "Пропустити"))
    assert len(picker.buttons) == 9  # eight weeks and Cancel
    times = await step(moderator, has("О котрій"), moderator.press(picker, "1.12"))
    assert "вівторок, 1 грудня" in (times.text or "")
    duration = await step(moderator, has("триватиме"), moderator.press(times, "18:00"))
    repeat = await step(moderator, has("повторюється"), moderator.press(duration, "1,5 години"))
    offsets = await step(moderator, has("за 24 години"), moderator.press(repeat, "Один раз"))
    preview = await step(
        moderator, has("Попередній перегляд"), moderator.press(offsets, "Залишити 24 год і 2 год")
    )
    assert f"uk: {UK_WHEN}" in (preview.text or "") and f"ru: {RU_WHEN}" in (preview.text or "")
    await step(moderator, has("Повідомлено 2 людини"), moderator.press(preview, "Опублікувати"))
    await outbox_drained(bot)
    assert any("Нова зустріч: Звіт поліції громаді" in t and UK_WHEN in t for t in texts(olena))
    assert any("Новая встреча: Отчёт полиции громаде" in t and RU_WHEN in t for t in texts(ivan))
    assert not any("Звіт поліції" in t for t in texts(outsider))

    start_at = instant(START, KYIV)
    clock.now = start_at - timedelta(hours=24)
    assert await scan(bot) == 1
    reminder_uk = olena.last_message()
    assert "Нагадування: Звіт поліції громаді" in (reminder_uk.text or "")
    assert UK_WHEN in (reminder_uk.text or "") and "Будинок культури" in (reminder_uk.text or "")
    reminder_ru = ivan.last_message()
    assert "Напоминание: Отчёт полиции громаде" in (reminder_ru.text or "")
    assert RU_WHEN in (reminder_ru.text or "")
    assert await scan(bot) == 0  # once

    # the answer shows on the reminder itself (user testing): a check mark on its button
    async with olena.expect_message(lambda m: "✓ ✅ Я прийду" in m.button_texts()) as marked:
        await olena.press(reminder_uk, "✅ Я прийду")
    await answered(botapi, "Записали: ви прийдете")
    assert marked.message.message_id == reminder_uk.message_id
    assert "🚫 Не зможу" in marked.message.button_texts()
    assert marked.message.text == reminder_uk.text  # the text as it was
    async with ivan.expect_message(lambda m: "✓ 🚫 Не смогу" in m.button_texts()) as marked:
        await ivan.press(reminder_ru, "🚫 Не смогу")
    await answered(botapi, "Записали: вы не сможете")
    assert marked.message.button_texts() == ["✅ Я приду", "✓ 🚫 Не смогу"]
    async with engine.connect() as conn:
        meeting_id = (await conn.execute(select(Meeting.id))).scalar_one()
    await outsider.press_data(outsider.last_message(), f"mr:{meeting_id}:20261201y")  # forged
    await answered(botapi, "Ця кнопка вже не діє")
    async with engine.connect() as conn:
        rsvps = (await conn.execute(select(func.count()).select_from(MeetingRsvp))).scalar_one()
    assert rsvps == 2

    # "Meetings" in the main menu lists the coming one with the person's answer
    menu = await step(olena, has("Головне меню"), olena.send_command("/start"))
    mine = await step(olena, has("Ваші найближчі зустрічі"), olena.press(menu, "Зустрічі"))
    assert "Звіт поліції громаді" in (mine.text or "") and UK_WHEN in (mine.text or "")
    assert "ви прийдете" in (mine.text or "")
    # /settings shows the choice and turns it off and on again (in Russian for Ivan)
    settings = await step(ivan, has("Настройки"), ivan.send_command("/settings"))
    assert "включено" in (settings.text or "")
    off = await step(ivan, has("выключено"), ivan.press(settings, "Выключить"))
    await step(ivan, has("включено."), ivan.press(off, "Включить"))

    listing = await step(moderator, has("Ваші зустрічі"), moderator.send_command("/meetings"))
    card = await step(
        moderator,
        has("Прийдуть: 1 · Не зможуть: 1"),
        moderator.press(listing, listing.button_texts()[0]),
    )
    ask_start = await step(moderator, has("нові дату й час"), moderator.press(card, "🕒 Перенести"))
    del ask_start
    await step(moderator, has("Повідомлено 2 людини"), moderator.send_text("2.12 19:00"))
    await outbox_drained(bot)
    moved_uk = olena.last_message().text or ""
    assert "Зустріч перенесено" in moved_uk and "середа, 2 грудня, 19:00" in moved_uk
    assert "Було: " + UK_WHEN in moved_uk
    assert "Встреча перенесена" in (ivan.last_message().text or "")

    new_at = instant(datetime(2026, 12, 2, 19), KYIV)
    clock.now = new_at - timedelta(hours=24)
    assert await scan(bot) == 1  # the 24 h reminder again, for the new time
    assert "середа, 2 грудня, 19:00" in (olena.last_message().text or "")
    assert "Напоминание" in (ivan.last_message().text or "")

    listing = await step(moderator, has("Ваші зустрічі"), moderator.send_command("/meetings"))
    card = await step(
        moderator, has("Прийдуть"), moderator.press(listing, listing.button_texts()[0])
    )
    # a new title alone tells nobody
    told_before = (len(texts(olena)), len(texts(ivan)))
    titled = await step(moderator, has("нову назву українською"), moderator.press(card, "✏️ Назва"))
    del titled
    await step(moderator, has("російською"), moderator.send_text("Звіт поліції, грудень"))
    skip = moderator.last_message()
    card = await step(moderator, has("Прийдуть"), moderator.press(skip, "Пропустити"))
    assert "Звіт поліції, грудень" in (card.text or "")
    assert any("Назву змінено. Нікому не повідомлено" in t for t in texts(moderator))
    await outbox_drained(bot)
    assert (len(texts(olena)), len(texts(ivan))) == told_before
    confirm = await step(
        moderator, has("Скасувати зустріч?"), moderator.press(card, "❌ Скасувати зустріч")
    )
    await step(moderator, has("Скасовано"), moderator.press(confirm, "Так, скасувати"))
    await outbox_drained(bot)
    assert "Зустріч скасовано" in (olena.last_message().text or "")
    assert "Встреча отменена" in (ivan.last_message().text or "")
    before = len(texts(olena))
    clock.now = new_at - timedelta(hours=2)
    assert await scan(bot) == 0  # closed when cancelled: nothing sent
    assert len(texts(olena)) == before
