"""Ends of a request's life no other test walks through: a moderator or the resident closing
it, a "No" rating, a rejection that points to the emergency services, and no reopening once
seven days have passed since the answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.models import OutboxMessage, RequestEvent, ServiceRequest
from storage.types import set_clock, system_clock
from tests.onboarding_steps import has
from tests.request_steps import ask, button_starting, make_moderator, outbox_drained, staff_answers

pytestmark = pytest.mark.e2e

NUMBERS = ("102", "103", "101", "112")


class MovedClock:
    """The bot's clock (`storage.types.utcnow`), some days ahead of the system's."""

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


async def the_request(engine: AsyncEngine) -> ServiceRequest:
    async with engine.connect() as conn:
        row = (await conn.execute(select(ServiceRequest))).one()
    return row  # type: ignore[return-value]


async def events(engine: AsyncEngine) -> list[tuple[str, str, str | None]]:
    """(action, actor kind, detail) of the request's events, oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(RequestEvent.action, RequestEvent.actor_kind, RequestEvent.detail).order_by(
                RequestEvent.id
            )
        )
        return [(action, actor, detail) for action, actor, detail in rows]


async def outbox_rows(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
        )


async def press_and_get_answer(
    botapi: BotApiServer, person: FakeUser, message: BotMessage, label: str
) -> dict[str, object]:
    """Press a button and return the bot's answer to that press (the toast or pop-up)."""
    waiting = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await person.press(message, label)
    return (await waiting).params


async def answered(
    botapi: BotApiServer, engine: AsyncEngine
) -> tuple[FakeUser, FakeUser, BotMessage, BotMessage]:
    """A moderator, a resident, the moderator's card and the answer the resident received."""
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(lambda m: "Ні" in m.button_texts()) as answer:
        await staff_answers(moderator, "У ЦНАПі, вікно 3.")
    return moderator, resident, card.message, answer.message


async def open_thread(resident: FakeUser, ref: str) -> BotMessage:
    """Main menu → My requests → the request: its thread with the resident's buttons."""
    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as listed:
        await resident.press(menu.message, "Мої звернення")
    async with resident.expect_message(has(ref)) as thread:
        await resident.press(listed.message, button_starting(listed.message, ref))
    return thread.message


async def test_a_moderator_closes_a_request(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Коли приберуть сміття біля школи?")
    async with (
        resident.expect_message(has("Робоча група закрила ваше звернення DRU-0001.")) as told,
        moderator.expect_message(lambda m: m.message_id == card.message.message_id) as shown,
    ):
        await moderator.press(card.message, "Закрити")
    assert "Протягом 7 днів ви можете запитати ще раз" in (told.message.text or "")
    assert "закрите" in (shown.message.text or "")  # the card shows the new status
    toasts = [a.get("text") for a in botapi.calls_of("answerCallbackQuery")]
    assert "DRU-0001 закрито." in toasts

    request = await the_request(engine)
    assert request.status == "closed" and request.closed_at is not None
    assert (await events(engine))[-1] == ("closed", "moderator", None)

    # Closed is not the end: within the week the resident may ask again.
    thread = await open_thread(resident, "DRU-0001")
    assert "Запитати ще раз" in thread.button_texts()
    assert "Закрити звернення" not in thread.button_texts()


async def test_the_resident_closes_their_request(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")):
        await ask(resident, "Вже не актуально: питання про опалення")
    await outbox_drained(bot)
    staff_rows = await outbox_rows(engine)
    thread = await open_thread(resident, "DRU-0001")
    async with resident.expect_message(has("DRU-0001 закрито. Дякуємо.")):
        await resident.press(thread, "Закрити звернення")
    request = await the_request(engine)
    assert request.status == "closed" and request.closed_at is not None
    assert (await events(engine))[-1] == ("closed", "resident", None)

    # The same button again changes nothing and says so.
    again = await press_and_get_answer(botapi, resident, thread, "Закрити звернення")
    assert again.get("text") == "DRU-0001 уже закрито."
    assert [e[0] for e in await events(engine)].count("closed") == 1
    await outbox_drained(bot)
    assert await outbox_rows(engine) == staff_rows  # nobody is notified of either press


async def test_the_answer_did_not_help(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    _moderator, resident, _card, answer = await answered(botapi, engine)
    thanks = await press_and_get_answer(botapi, resident, answer, "Ні")
    assert thanks.get("text") == "Дякуємо! Ваша оцінка допомагає робочій групі."
    request = await the_request(engine)
    assert request.helped is False and request.status == "answered"
    assert (await events(engine))[-1] == ("rated", "resident", "no")


async def test_rejected_as_a_matter_for_the_emergency_services(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "У під'їзді тече вода на електрощиток")
    async with moderator.expect_message(has("чому відхилено")) as reasons:
        await moderator.press(card.message, "Відхилити")
    emergency = next(
        b.text
        for row in reasons.message.buttons
        for b in row
        if (b.callback_data or "").endswith(":emergency")
    )
    async with moderator.expect_message(has("Пропустити")) as comment:
        await moderator.press(reasons.message, emergency)
    async with resident.expect_message(has("DRU-0001")) as told:
        await moderator.press(comment.message, "Пропустити")
    text = told.message.text or ""
    assert "Робоча група закрила ваше звернення DRU-0001" in text
    for number in NUMBERS:  # the resident gets the numbers, not only a reason
        assert number in text, text
    assert "Цей бот не є екстреною службою." in text
    request = await the_request(engine)
    assert (request.status, request.reject_reason) == ("rejected", "emergency")
    assert (await events(engine))[-1] == ("rejected", "moderator", "emergency")


async def test_no_reopening_seven_days_after_the_answer(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clock: MovedClock
) -> None:
    _moderator, resident, _card, answer = await answered(botapi, engine)
    clock.ahead = timedelta(days=6, hours=23)
    assert "Запитати ще раз" in (await open_thread(resident, "DRU-0001")).button_texts()

    clock.ahead = timedelta(days=7, hours=1)
    assert "Запитати ще раз" not in (await open_thread(resident, "DRU-0001")).button_texts()
    await outbox_drained(bot)
    rows, before = await outbox_rows(engine), await events(engine)
    refused = await press_and_get_answer(botapi, resident, answer, "Запитати ще раз")
    assert refused.get("show_alert") is True
    assert "DRU-0001 вже не можна відкрити знову" in str(refused.get("text"))
    assert (await the_request(engine)).status == "answered"
    assert await events(engine) == before
    await outbox_drained(bot)
    assert await outbox_rows(engine) == rows  # staff are not told of a reopening


async def test_claim_on_a_stale_card_of_a_rejected_request_says_it_is_finished(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    """Nobody holds a rejected request: a Claim pressed on an old card must not say "already
    taken by another moderator"."""
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Сусіди шумлять уночі")
    claim = next(
        b.callback_data
        for row in card.message.buttons
        for b in row
        if (b.callback_data or "").startswith("st:claim:")
    )
    async with moderator.expect_message(has("чому відхилено")) as reasons:
        await moderator.press(card.message, "Відхилити")
    async with moderator.expect_message(has("Пропустити")) as comment:
        await moderator.press(reasons.message, reasons.message.button_texts()[0])
    async with resident.expect_message(has("DRU-0001")):
        await moderator.press(comment.message, "Пропустити")
    assert (await the_request(engine)).status == "rejected"
    before = await events(engine)

    waiting = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await moderator.press_data(card.message, claim or "")
    toast = (await waiting).params
    assert toast.get("text") == "DRU-0001 вже завершено."
    assert "іншим модератором" not in str(toast.get("text"))
    request = await the_request(engine)
    assert (request.status, request.claimed_by_role_id) == ("rejected", None)
    assert await events(engine) == before


async def test_cards_and_the_thread_say_when_in_kyiv_time(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clock: MovedClock
) -> None:
    """Staff and the resident read when a request was sent: weekday, date and time in the
    community's zone, the zone named (16:05 UTC on 1 December is 18:05 in Kyiv)."""
    clock.ahead = datetime(2026, 12, 1, 16, 5, tzinfo=UTC) - system_clock()
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Коли відкриється пункт незламності?")
    when = "вівторок, 1 грудня, 18:05 за київським часом"
    assert f"Отримано: {when} (" in (card.message.text or "")
    thread = await open_thread(resident, "DRU-0001")
    assert f"Надіслано: {when}" in (thread.text or "")
