"""Issue 8's "Done when", as one story through the real bot and the local Bot API server,
frozen clock: a uk and a ru resident ask to join an approval group, the facilitator
approves both; the facilitator links the group's chat; a weekly meeting is created with the
picker; the chat gets the notice (protected, the group unnamed first); reminders at 24 h
and 2 h arrive in uk for one member and ru for the other; RSVPs are counted on the card;
the start is moved (everyone told, the reminder re-armed for the new time); one occurrence
is cancelled and the series goes on; the bot is removed from the chat, the chat is
unlinked and the next notice does not go there."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from flows.recurrence import instant
from storage.engine import session_factory
from storage.models import GroupChat
from storage.repositories import staff
from tests.onboarding_steps import has
from tests.request_steps import onboard, outbox_drained
from tests.test_e2e_groups import memberships, new_group, open_groups
from tests.test_e2e_meetings import KYIV, Clock, answered, clock, scan

pytestmark = pytest.mark.e2e
__all__ = ["clock"]


def sends_to(botapi: BotApiServer, chat_id: int) -> list[dict[str, Any]]:
    return [
        call.params
        for call in botapi.calls
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def test_join_approve_link_meet_remind_rsvp_move_cancel_one_unlink(
    clock: Clock, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    facilitator = botapi.user(first_name="Галина")
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        code = await staff.create_invite(
            session, role="facilitator", community=dru, group_id=group_id
        )
    async with facilitator.expect_message(has("Головне меню")):
        await facilitator.send_command(f"/start {code}")

    async def step(who: FakeUser, expected: str, act: Any) -> Any:
        async with who.expect_message(has(expected)) as got:
            await act
        return got.message

    olena, ivan = botapi.user(first_name="Христина"), botapi.user(first_name="Прохор")
    await onboard(olena, "uk")
    await onboard(ivan, "ru")
    for person, title, ask in (
        (olena, "Батьки дітей з інвалідністю", "Попроситися до групи"),
        (ivan, "Родители детей с инвалидностью", "Попроситься в группу"),
    ):
        listed = await open_groups(person) if person is olena else None
        if listed is None:
            menu = await step(person, "Главное меню", person.send_command("/start"))
            listed = await step(
                person, "Группы самопомощи", person.press(menu, "Группы самопомощи")
            )
        card = await step(person, "Зустрічаємося", person.press(listed, title))
        request = await step(facilitator, "Житель просить", person.press(card, ask))
        await outbox_drained(bot)
        await step(facilitator, "Схвалено", facilitator.press(request, "✅ Схвалити"))
        await outbox_drained(bot)
    assert [s for _, s in await memberships(engine)] == ["accepted", "accepted"]
    assert "прийняли" in (olena.last_message().text or "")
    assert "приняли" in (ivan.last_message().text or "")

    # the facilitator links the group's chat
    mine = await step(facilitator, "Ваші групи самодопомоги", facilitator.send_command("/groups"))
    card = await step(
        facilitator, "Учасників: 2", facilitator.press(mine, "Батьки дітей з інвалідністю")
    )
    code_message = await step(facilitator, "/link", facilitator.press(card, "Прив'язати чат групи"))
    found = re.search(r"/link (grp_\S+)", code_message.text or "")
    assert found is not None
    chat = botapi.group("Батьки Дружківки", kind="supergroup", members=[facilitator])
    async with chat.expect_message(has("Батьки дітей з інвалідністю")):
        await facilitator.send_command(f"/link {found.group(1)}", chat=chat)

    # a weekly meeting with the picker
    listing = await step(facilitator, "Найближчих", facilitator.send_command("/meetings"))
    await step(facilitator, "українською", facilitator.press(listing, "➕ Нова зустріч"))
    await step(facilitator, "російською", facilitator.send_text("Зустріч батьків"))
    await step(facilitator, "Напишіть місце", facilitator.send_text("Встреча родителей"))
    agenda = await step(facilitator, "порядок денний", facilitator.send_text("Школа №2"))
    picker = await step(facilitator, "25.12 18:00", facilitator.press(agenda, "Пропустити"))
    times = await step(facilitator, "О котрій", facilitator.press(picker, "1.12"))
    duration = await step(facilitator, "триватиме", facilitator.press(times, "18:00"))
    repeat = await step(facilitator, "повторюється", facilitator.press(duration, "1 година"))
    offsets = await step(facilitator, "за 24 години", facilitator.press(repeat, "Щотижня"))
    preview = await step(
        facilitator, "Попередній перегляд", facilitator.press(offsets, "Залишити 24 год і 2 год")
    )
    await step(facilitator, "Повідомлено 3 людини", facilitator.press(preview, "Опублікувати"))
    await outbox_drained(bot)
    in_chat = sends_to(botapi, chat.chat_id)[-1]
    assert in_chat["text"].splitlines()[0] == "📅 У вашої групи нова зустріч"
    assert "вівторок, 1 грудня, 18:00 за київським часом" in in_chat["text"]
    assert in_chat["protect_content"] is True and "reply_markup" not in in_chat
    assert "📅 У вашої групи нова зустріч" in (olena.last_message().text or "")
    assert "📅 У вашей группы новая встреча" in (ivan.last_message().text or "")

    # reminders at 24 h and 2 h, each in the member's language
    start = instant(datetime(2026, 12, 1, 18), KYIV)
    for hours in (24, 2):
        clock.now = start - timedelta(hours=hours)
        assert await scan(bot) == 1
        uk, ru = olena.last_message(), ivan.last_message()
        assert (uk.text or "").startswith("⏰ Нагадування: скоро зустріч вашої групи")
        assert "вівторок, 1 грудня, 18:00 за київським часом" in (uk.text or "")
        assert (ru.text or "").startswith("⏰ Напоминание: скоро встреча вашей группы")
        assert "вторник, 1 декабря, 18:00 по киевскому времени" in (ru.text or "")
        assert uk.protect_content and ru.protect_content
    await olena.press(uk, "✅ Я прийду")
    await answered(botapi, "Записали: ви прийдете")
    await ivan.press(ru, "🚫 Не смогу")
    await answered(botapi, "Записали: вы не сможете")
    listing = await step(facilitator, "Ваші зустрічі", facilitator.send_command("/meetings"))
    card = await step(
        facilitator,
        "Прийдуть: 1 · Не зможуть: 1",
        facilitator.press(listing, listing.button_texts()[0]),
    )

    # the start moved (this one): everyone told, the 2 h reminder armed again for 19:00
    scope = await step(facilitator, "лише цю", facilitator.press(card, "🕒 Перенести"))
    await step(facilitator, "нові дату й час", facilitator.press(scope, "Лише цю"))
    await step(facilitator, "Повідомлено 3 людини", facilitator.send_text("1.12 19:00"))
    await outbox_drained(bot)
    assert "🕒 Зустріч вашої групи перенесено" in (olena.last_message().text or "")
    assert "вторник, 1 декабря, 19:00" in (ivan.last_message().text or "")
    assert "вівторок, 1 грудня, 19:00" in sends_to(botapi, chat.chat_id)[-1]["text"]
    clock.now = instant(datetime(2026, 12, 1, 17), KYIV)
    assert await scan(bot) == 1
    assert "вівторок, 1 грудня, 19:00" in (olena.last_message().text or "")

    # the bot is removed from the chat: unlinked, the facilitator told
    await chat.remove_bot(by=facilitator)
    await step(facilitator, "Бота видалили з «Батьки Дружківки»", outbox_drained(bot))
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(GroupChat)) == 0

    # one occurrence (8 December) cancelled: told, the chat no longer; the series goes on
    clock.now = instant(datetime(2026, 12, 2, 10), KYIV)
    in_chat_before = len(sends_to(botapi, chat.chat_id))
    listing = await step(facilitator, "Ваші зустрічі", facilitator.send_command("/meetings"))
    card = await step(
        facilitator, "8 грудня", facilitator.press(listing, listing.button_texts()[0])
    )
    scope = await step(
        facilitator, "Скасувати зустріч?", facilitator.press(card, "❌ Скасувати зустріч")
    )
    await step(facilitator, "Скасовано", facilitator.press(scope, "Лише цю"))
    await outbox_drained(bot)
    assert "❌ Зустріч вашої групи скасовано" in (olena.last_message().text or "")
    assert "❌ Встреча вашей группы отменена" in (ivan.last_message().text or "")
    assert len(sends_to(botapi, chat.chat_id)) == in_chat_before
    clock.now = instant(datetime(2026, 12, 7, 18), KYIV)
    assert await scan(bot) == 0  # the cancelled one's 24 h reminder is not sent
    clock.now = instant(datetime(2026, 12, 14, 18), KYIV)
    assert await scan(bot) == 1  # the next one's is
    assert "вівторок, 15 грудня, 18:00" in (olena.last_message().text or "")
