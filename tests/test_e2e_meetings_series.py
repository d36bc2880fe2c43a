"""A weekly working-group series through the real bot, frozen clock (issue 8, Meetings):
"this one" for a new place leaves the series; "all coming ones" for a move re-times every
coming occurrence and the reminders follow; "+1 hour" is one press and everyone is told;
"all coming ones" for a cancel ends the series (no reminders, nothing in "Meetings").
The organiser's card counts answers and never names the residents."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from flows.recurrence import instant
from tests.onboarding_steps import has
from tests.request_steps import make_moderator, onboard, outbox_drained
from tests.test_e2e_meetings import KYIV, Clock, answered, clock, scan, step, texts

pytestmark = pytest.mark.e2e
__all__ = ["clock"]  # the frozen-clock fixture, asked for before `bot`


async def test_a_series_this_one_all_coming_ones_and_one_hour_later(
    clock: Clock, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    olena, ivan = botapi.user(first_name="Христина"), botapi.user(first_name="Прохор")
    menu_uk = await onboard(olena, "uk")
    menu_ru = await onboard(ivan, "ru")
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
    listing = await step(moderator, has("Найближчих"), moderator.send_command("/meetings"))
    await step(moderator, has("українською"), moderator.press(listing, "➕ Нова зустріч"))
    await step(moderator, has("російською"), moderator.send_text("Звіт поліції"))
    await step(moderator, has("Напишіть місце"), moderator.send_text("Отчёт полиции"))
    agenda = await step(moderator, has("порядок денний"), moderator.send_text("Будинок культури"))
    await step(moderator, has("25.12 18:00"), moderator.press(agenda, "Пропустити"))
    duration = await step(moderator, has("триватиме"), moderator.send_text("1.12 18:00"))
    repeat = await step(moderator, has("повторюється"), moderator.press(duration, "1 година"))
    offsets = await step(moderator, has("за 24 години"), moderator.press(repeat, "Щотижня"))
    preview = await step(
        moderator, has("Попередній перегляд"), moderator.press(offsets, "Залишити 24 год і 2 год")
    )
    await step(moderator, has("Повідомлено 2 людини"), moderator.press(preview, "Опублікувати"))
    await outbox_drained(bot)

    # RSVPs: the card counts them and names nobody
    await olena.press(olena.last_message(), "✅ Я прийду")
    await answered(botapi, "Записали: ви прийдете")
    await ivan.press(ivan.last_message(), "🚫 Не смогу")
    await answered(botapi, "Записали: вы не сможете")

    async def card_of_next() -> BotMessage:
        listing = await step(moderator, has("Ваші зустрічі"), moderator.send_command("/meetings"))
        return await step(
            moderator, has("Повторення"), moderator.press(listing, listing.button_texts()[0])
        )

    card = await card_of_next()
    card_text = card.text or ""
    assert "Прийдуть: 1 · Не зможуть: 1" in card_text
    assert "Христина" not in card_text and "Прохор" not in card_text

    # a new place for this one only: everyone told; the week after keeps the old place
    scope = await step(moderator, has("лише цю"), moderator.press(card, "📍 Місце"))
    await step(moderator, has("нове місце"), moderator.press(scope, "Лише цю"))
    await step(moderator, has("Повідомлено 2 людини"), moderator.send_text("Школа №3"))
    await outbox_drained(bot)
    assert "📍 Нове місце зустрічі: Звіт поліції" in (olena.last_message().text or "")
    assert "Школа №3" in (olena.last_message().text or "")
    assert "📍 Новое место встречи: Отчёт полиции" in (ivan.last_message().text or "")
    clock.now = instant(datetime(2026, 11, 30, 18), KYIV)  # 24 h before the first one
    assert await scan(bot) == 1
    assert "Школа №3" in (olena.last_message().text or "")
    clock.now = instant(datetime(2026, 12, 1, 16), KYIV)
    assert await scan(bot) == 1
    clock.now = instant(datetime(2026, 12, 7, 18), KYIV)  # 24 h before the second one
    assert await scan(bot) == 1
    second = olena.last_message().text or ""
    assert "вівторок, 8 грудня, 18:00" in second and "Будинок культури" in second

    # move all coming ones (from the second) to Wednesdays 19:00: told, reminders follow
    # (the 24 h one already sent for the old time is sent again for the new time)
    clock.now = instant(datetime(2026, 12, 7, 19), KYIV)
    card = await card_of_next()
    assert "8 грудня" in (card.text or "")
    scope = await step(moderator, has("лише цю"), moderator.press(card, "🕒 Перенести"))
    await step(moderator, has("нові дату й час"), moderator.press(scope, "Усі наступні"))
    await step(moderator, has("Повідомлено 2 людини"), moderator.send_text("9.12 19:00"))
    await outbox_drained(bot)
    moved = olena.last_message().text or ""
    assert "Зустріч перенесено" in moved and "середа, 9 грудня, 19:00" in moved
    assert "Встреча перенесена" in (ivan.last_message().text or "")
    clock.now = instant(datetime(2026, 12, 8, 19), KYIV)
    assert await scan(bot) == 1
    assert "середа, 9 грудня, 19:00" in (olena.last_message().text or "")
    clock.now = instant(datetime(2026, 12, 9, 17), KYIV)
    assert await scan(bot) == 1
    clock.now = instant(datetime(2026, 12, 15, 19), KYIV)  # 24 h before the third one
    assert await scan(bot) == 1
    assert "середа, 16 грудня, 19:00" in (olena.last_message().text or "")
    assert "среда, 16 декабря, 19:00" in (ivan.last_message().text or "")

    # an air-raid alert: one press, one hour later, everyone told
    card = await card_of_next()
    assert "16 грудня" in (card.text or "")
    await step(moderator, has("20:00"), moderator.press(card, "⏳ +1 година"))
    await outbox_drained(bot)
    postponed = olena.last_message().text or ""
    assert "⏳ Зустріч відкладено: Звіт поліції" in postponed
    assert "середа, 16 грудня, 20:00" in postponed
    assert "⏳ Встреча отложена" in (ivan.last_message().text or "")

    # cancel all coming ones: told once, then nothing more, "Meetings" lists nothing
    card = await card_of_next()
    confirm = await step(
        moderator,
        has("Скасувати зустріч?"),
        moderator.press(card, "❌ Скасувати зустріч"),
    )
    await step(moderator, has("Скасовано"), moderator.press(confirm, "Усі наступні"))
    await outbox_drained(bot)
    assert "Зустріч скасовано" in (olena.last_message().text or "")
    assert "Встреча отменена" in (ivan.last_message().text or "")
    before = (len(texts(olena)), len(texts(ivan)))
    for day in (16, 22, 23, 29, 30):
        clock.now = instant(datetime(2026, 12, day, 18), KYIV) + timedelta(minutes=30)
        assert await scan(bot) == 0
    assert (len(texts(olena)), len(texts(ivan))) == before
    listing = await step(moderator, has("Найближчих"), moderator.send_command("/meetings"))
    assert listing.button_texts() == ["➕ Нова зустріч"]
