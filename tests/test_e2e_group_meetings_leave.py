"""An ex-member of a self-help group (issue 8): after leaving, the RSVP buttons of a notice
received as a member change nothing, "Meetings" no longer lists the group's meeting (nor
for a pending member) and the group's reminders no longer reach them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from flows.recurrence import instant
from storage.models import MeetingRsvp
from tests.onboarding_steps import has
from tests.request_steps import onboard, outbox_drained
from tests.test_e2e_group_meetings import KYIV, Clock, clock, make_group, scan, sends_to
from tests.test_e2e_meetings import answered

pytestmark = pytest.mark.e2e
__all__ = ["clock"]


async def test_an_ex_members_rsvp_changes_nothing_and_no_reminder_follows(
    clock: Clock, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    facilitator, olena, petro = botapi.user(), botapi.user(), botapi.user()
    for person in (facilitator, olena, petro):
        await onboard(person, "uk")
    await make_group(engine, facilitator, olena, petro)

    async def step(who: Any, expected: str, act: Any) -> Any:
        async with who.expect_message(has(expected)) as got:
            await act
        return got.message

    listing = await step(facilitator, "Найближчих", facilitator.send_command("/meetings"))
    await step(facilitator, "українською", facilitator.press(listing, "➕ Нова зустріч"))
    await step(facilitator, "російською", facilitator.send_text("Зустріч батьків"))
    await step(facilitator, "Напишіть місце", facilitator.send_text("Встреча родителей"))
    agenda = await step(facilitator, "порядок денний", facilitator.send_text("Школа №2"))
    await step(facilitator, "25.12 18:00", facilitator.press(agenda, "Пропустити"))
    duration = await step(facilitator, "триватиме", facilitator.send_text("1.12 18:00"))
    repeat = await step(facilitator, "повторюється", facilitator.press(duration, "1 година"))
    offsets = await step(facilitator, "за 24 години", facilitator.press(repeat, "Один раз"))
    preview = await step(
        facilitator, "Попередній перегляд", facilitator.press(offsets, "Залишити 24 год і 2 год")
    )
    await step(facilitator, "Повідомлено 1 людину", facilitator.press(preview, "Опублікувати"))
    await outbox_drained(bot)
    notice = olena.last_message()
    assert "Зустріч батьків" in (notice.text or "")
    await olena.press(notice, "✅ Я прийду")
    await answered(botapi, "Записали: ви прийдете")

    # Olena's "Meetings" lists it while she is a member; then she leaves the group
    menu = await step(olena, "Головне меню", olena.send_command("/start"))
    mine = await step(olena, "Ваші найближчі зустрічі", olena.press(menu, "Зустрічі"))
    assert "Зустріч батьків" in (mine.text or "")
    menu = await step(olena, "Головне меню", olena.send_command("/start"))
    listed = await step(olena, "Групи", olena.press(menu, "Групи самодопомоги"))
    card = await step(olena, "Ви учасник групи", olena.press(listed, listed.button_texts()[0]))
    async with olena.expect_message(lambda m: "Попроситися до групи" in m.button_texts()):
        await olena.press(card, "Вийти з групи")

    # the old notice's buttons now change nothing
    await olena.press(notice, "🚫 Не зможу")
    found = await botapi.state.feed.wait_until(
        lambda: (
            any("вже не діє" in str(a.get("text")) for a in botapi.callback_answers.values())
            or None
        ),
        10,
    )
    assert found
    async with engine.connect() as conn:
        rows = (await conn.execute(select(MeetingRsvp.going))).scalars().all()
    assert list(rows) == [True]

    # "Meetings" lists it no more for her, and never did for the pending Petro
    for person in (olena, petro):
        menu = await step(person, "Головне меню", person.send_command("/start"))
        mine = await step(person, "зустрічей", person.press(menu, "Зустрічі"))
        assert "Найближчим часом зустрічей для вас немає" in (mine.text or "")
        assert "Зустріч батьків" not in (mine.text or "")

    before = len(sends_to(botapi, olena.id))
    clock.now = instant(datetime(2026, 11, 30, 18), KYIV)  # the 24 h reminder is due
    await scan(bot)
    assert len(sends_to(botapi, olena.id)) == before
