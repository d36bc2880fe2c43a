"""People at the edges of the request flow: a resident who blocked the bot and came back,
a staff text over the limit, a moderator of two communities."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.engine import session_factory
from storage.models import Community, ServiceRequest, StaffRole, User
from tests.onboarding_steps import has
from tests.request_steps import (
    ask,
    button_starting,
    invite,
    join_staff,
    make_moderator,
    outbox_drained,
    staff_answers,
)

pytestmark = pytest.mark.e2e


async def open_thread(resident: FakeUser, ref: str) -> BotMessage:
    """Main menu → My requests → the request: its thread with the resident's buttons."""
    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as listed:
        await resident.press(menu.message, "Мої звернення")
    async with resident.expect_message(has(ref)) as thread:
        await resident.press(listed.message, button_starting(listed.message, ref))
    return thread.message


async def requests_by_ref(engine: AsyncEngine) -> dict[str, tuple[ServiceRequest, StaffRole]]:
    """Each request by reference, with the role that holds it."""
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(ServiceRequest, StaffRole, Community.code)
                .join(StaffRole, StaffRole.id == ServiceRequest.claimed_by_role_id)
                .join(Community, Community.id == ServiceRequest.community_id)
            )
        ).all()
    return {f"{code}-{r.number:04d}": (r, role) for r, role, code in rows}


async def test_a_resident_who_blocked_the_bot_and_came_back_gets_the_answer(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Коли відкриється пункт незламності?")
    async with moderator.expect_message(has("Напишіть, що")):
        await moderator.press(card.message, "Запитати деталі")
    seen = len(resident.messages())

    await resident.block_bot()
    async with moderator.expect_message(has("DRU-0001")):
        await moderator.send_text("Якого пункту, за якою адресою?")
    await outbox_drained(bot)  # the question was refused (or not tried): nothing in flight
    assert len(resident.messages()) == seen  # nothing reached the blocked chat

    # They come back (their updates are handled in order: the unblock before /start). The
    # question waits in "My requests"; their reply reaches staff; the answer reaches them.
    await resident.unblock_bot()
    thread = await open_thread(resident, "DRU-0001")
    assert "Якого пункту, за якою адресою?" in (thread.text or "")
    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(thread, "Відповісти")
    async with moderator.expect_message(has("Шкільна, 5")) as replied:
        await resident.send_text("Шкільна, 5")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(replied.message, "Відповісти")
    async with resident.expect_message(has("Пункт працює з 8:00 до 20:00.")) as answer:
        await staff_answers(moderator, "Пункт працює з 8:00 до 20:00.")
    assert "DRU-0001" in (answer.message.text or "")
    async with engine.connect() as conn:
        back = await conn.execute(select(User.is_reachable).where(User.telegram_id == resident.id))
        assert back.scalar_one() is True
    async with engine.connect() as conn:
        status = await conn.execute(select(ServiceRequest.status))
        assert status.scalar_one() == "answered"


async def test_a_staff_text_that_is_too_long_comes_back_to_copy(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Як оформити субсидію?")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    await outbox_drained(bot)
    resident_saw = len(resident.messages())
    long_answer = "".join(f"Крок{i};" for i in range(1, 500))  # no spaces Telegram could trim
    assert 3_500 < len(long_answer) < 4_096
    before = len(moderator.messages())
    await moderator.send_text(long_answer)
    # One person's updates are handled in order: when /cancel is answered, every reply to
    # the long text has been sent.
    async with moderator.expect_message(has("Скасовано")):
        await moderator.send_command("/cancel")
    shown = [m.text or "" for m in moderator.messages()[before:]]
    cancelled = next(i for i, text in enumerate(shown) if "Скасовано" in text)
    assert long_answer in "".join(shown[:cancelled]), shown[:cancelled]  # nothing typed is lost
    async with engine.connect() as conn:
        status = await conn.execute(select(ServiceRequest.status))
        assert status.scalar_one() == "new"  # not answered
    await outbox_drained(bot)
    assert len(resident.messages()) == resident_saw


async def test_a_moderator_of_two_communities(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = botapi.user(first_name="Модераторка")
    await join_staff(moderator, await invite(engine, "moderator", community="dru"))
    await join_staff(moderator, await invite(engine, "moderator", community="vuh"))
    in_dru, in_vuh = botapi.user(), botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as dru_card:
        assert await ask(in_dru, "Питання з Дружківки") == "DRU-0001"
    async with moderator.expect_message(has("VUH-0001")) as vuh_card:
        assert await ask(in_vuh, "Питання з Вугледара", community="Вугледар") == "VUH-0001"

    # Each answer is given, and signed, as the working group of the request's community.
    cases = [
        (dru_card.message, in_dru, "DRU-0001", "Дружківка", "Вугледар"),
        (vuh_card.message, in_vuh, "VUH-0001", "Вугледар", "Дружківка"),
    ]
    for card, resident, ref, name, other in cases:
        async with moderator.expect_message(has("Напишіть вашу відповідь")):
            await moderator.press(card, "Відповісти")
        async with resident.expect_message(has(ref)) as answer:
            await staff_answers(moderator, f"Відповідь на {ref}.")
        text = answer.message.text or ""
        assert f"Відповідь на {ref}." in text
        assert f"Робоча група громади {name}" in text and other not in text, text

    held = await requests_by_ref(engine)
    assert sorted(held) == ["DRU-0001", "VUH-0001"]
    for request, role in held.values():
        assert request.status == "answered"
        assert role.role == "moderator" and role.community_id == request.community_id
    assert held["DRU-0001"][1].id != held["VUH-0001"][1].id
