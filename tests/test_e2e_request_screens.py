"""The screens around requests: My requests, the queue, /inbox, /stats, photos, danger."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.models import ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, make_provider, onboard, staff_answers

pytestmark = pytest.mark.e2e


async def test_my_requests_shows_answers_but_never_notes(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    menu = await onboard(resident)
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Перше питання", menu=menu)
    async with moderator.expect_message(has("внутрішню нотатку")):
        await moderator.press(card.message, "Внутрішня нотатка")
    async with moderator.expect_message(lambda m: "Відповісти" in m.button_texts()) as again:
        await moderator.send_text("СЕКРЕТНА НОТАТКА для колег")
    assert any("Нотатку додано" in (m.text or "") for m in moderator.messages()[-3:])
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(again.message, "Відповісти")
    async with resident.expect_message(has("Відповідь на ваше звернення")):
        await staff_answers(moderator, "Відповідь робочої групи")

    async with resident.expect_message(has("Головне меню")) as fresh:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as listing:
        await resident.press(fresh.message, "Мої звернення")
    entry = next(b for b in listing.message.button_texts() if b.startswith("DRU-0001"))
    assert "є відповідь" in entry
    async with resident.expect_message(has("Перше питання")) as thread:
        await resident.press(listing.message, entry)
    text = thread.message.text or ""
    assert "Відповідь робочої групи" in text and "Робоча група громади Дружківка" in text
    assert "СЕКРЕТНА" not in text
    assert "Запитати ще раз" in thread.message.button_texts()


async def test_queue_puts_urgent_first_then_oldest(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    first, second, third = botapi.user(), botapi.user(), botapi.user()
    async with moderator.expect_message(has("DRU-0001")):
        await ask(first, "Звичайне питання про довідку")
    async with moderator.expect_message(has("DRU-0002")):
        await ask(second, "Ще одне звичайне питання")
    async with moderator.expect_message(has("DRU-0003")) as urgent_card:
        await ask(third, "Сусід погрожує мені ножем")
    assert "небезпеку" in (urgent_card.message.text or "")
    shown = [m.text or "" for m in third.messages()]
    assert any("102" in t and "112" in t for t in shown), "emergency numbers were shown"

    async with moderator.expect_message(has("Черга громади")) as queue:
        await moderator.send_command("/queue")
    refs = [b.split(" · ")[0] for b in queue.message.button_texts()]
    assert refs == ["⚠️ DRU-0003", "DRU-0001", "DRU-0002"]
    assert all(b.endswith(" тому") for b in queue.message.button_texts() if "·" in b)
    async with moderator.expect_message(has("DRU-0001")) as opened:
        await moderator.press(queue.message, queue.message.button_texts()[1])
    assert "Взяти в роботу" in opened.message.button_texts()

    async with moderator.expect_message(has("Статистика")) as stats:
        await moderator.send_command("/stats")
    assert "3 звернення" in (stats.message.text or "") and "Поліція: 3" in (
        stats.message.text or ""
    )
    # each list is labelled: topics, then the state the requests are in now
    assert "За темами:\n  Поліція: 3" in (stats.message.text or "")
    assert "За станом зараз:" in (stats.message.text or "")


async def test_provider_inbox_and_photos(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    provider = await make_provider(botapi, engine)
    resident = botapi.user()
    menu = await onboard(resident)
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has("одним повідомленням")):
        await resident.press(choice.message, "Поліція")
    async with resident.expect_message(lambda m: any("(1" in b for b in m.button_texts())):
        await resident.send_photo(caption="Зламаний світлофор на перехресті")
    async with resident.expect_message(lambda m: any("(2" in b for b in m.button_texts())):
        await resident.send_photo()
    async with resident.expect_message(lambda m: any("(3" in b for b in m.button_texts())):
        await resident.send_photo()
    async with resident.expect_message(has("Не більше 3 фото")):
        await resident.send_photo()
    photos = await resident.wait_for(lambda m: any("(3" in b for b in m.button_texts()))
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(
            photos, next(b for b in photos.button_texts() if b.startswith("Продовжити"))
        )
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(c.message, "Залишитися анонімним")
    assert "3 фото" in (preview.message.text or "")
    async with moderator.expect_message(has("DRU-0001")) as card:
        await resident.press(preview.message, "Надіслати")
    assert "📷 3 фото" in (card.message.text or "")

    await moderator.press(card.message, "Показати фото")
    await botapi.wait_for_call("sendPhoto", lambda p: int(p["chat_id"]) == moderator.id)

    async with moderator.expect_message(has("якій службі")) as services:
        await moderator.press(card.message, "Передати надавачу")
    async with moderator.expect_message(has("якій організації")) as orgs:
        await moderator.press(services.message, "Поліція")
    async with provider.expect_message(has("DRU-0001")):
        await moderator.press(orgs.message, "Відділ поліції Дружківки")
    async with provider.expect_message(has("Вхідні")) as inbox:
        await provider.send_command("/inbox")
    assert any(b.startswith("DRU-0001") for b in inbox.message.button_texts())
    async with engine.connect() as conn:
        status = (await conn.execute(select(ServiceRequest.status))).scalar_one()
    assert status == "routed"


async def test_a_long_thread_stays_within_telegram_limits(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    menu = await onboard(resident)
    question = ("Довге питання & <теги> " * 100)[:1990]
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, question, menu=menu)
    for round_ in range(2):
        async with moderator.expect_message(has("Напишіть, що")):
            await moderator.press(card.message, "Запитати деталі")
        async with resident.expect_message(has("просить уточнити")):
            await moderator.send_text(f"Уточнення {round_} " + "& <x> " * 580)
        async with moderator.expect_message(lambda m: "Відповісти" in m.button_texts()) as card:
            await resident.send_text(f"Відповідь {round_} " + "ще & <y> " * 200)
    async with resident.expect_message(has("Головне меню")) as fresh:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as listing:
        await resident.press(fresh.message, "Мої звернення")
    async with resident.expect_message(has("DRU-0001")) as thread:
        await resident.press(listing.message, listing.message.button_texts()[0])
    text = thread.message.text or ""
    assert "Довге питання & <теги>" in text  # the question, escaped and parsed back intact
    assert "Відповідь 1" in text  # the newest message is kept
    assert len(text) <= 4096
