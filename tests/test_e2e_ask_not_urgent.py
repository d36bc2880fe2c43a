"""A false alarm of the danger-words screen (tester finding: "вибухи петард", firecrackers,
was flagged urgent with no way back). Decision: the screen keeps leaning towards catching
(the emergency numbers are still shown at once), and the preview of a question marked
urgent has "Not urgent: send normally", which sends it as an ordinary question; a question
the resident leaves marked still goes urgent."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.models import ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import button_starting, make_moderator, onboard

pytestmark = pytest.mark.e2e
FIRECRACKERS = "Сусіди щоночі влаштовують вибухи петард під вікнами, діти не сплять"


async def to_preview(resident: FakeUser, language: str = "uk") -> BotMessage:
    words = (
        ("Поставити запитання", "Продовжити", "Поліція", "Залишитися анонімним", "112")
        if language == "uk"
        else ("Задать вопрос", "Продолжить", "Полиция", "Остаться анонимным", "112")
    )
    menu = await onboard(resident, language)
    async with resident.expect_message(lambda m: words[1] in m.button_texts()) as safety:
        await resident.press(menu, words[0])
    async with resident.expect_message(lambda m: words[2] in m.button_texts()) as choice:
        await resident.press(safety.message, words[1])
    async with resident.expect_message(lambda m: True):
        await resident.press(choice.message, words[2])
    async with resident.expect_message(lambda m: any("(0" in b for b in m.button_texts())) as p:
        await resident.send_text(FIRECRACKERS)
    # the emergency numbers were shown at once
    assert any(words[4] in (m.text or "") for m in resident.messages())
    async with resident.expect_message(lambda m: words[3] in m.button_texts()) as contact:
        await resident.press(p.message, button_starting(p.message, words[1]))
    async with resident.expect_message(has("⚠️")) as preview:
        await resident.press(contact.message, words[3])
    return preview.message


async def stored(engine: AsyncEngine) -> list[bool]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(ServiceRequest.urgent))).scalars())


async def test_the_resident_takes_back_a_false_alarm(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    preview = await to_preview(resident)
    assert "Позначено як термінове" in (preview.text or "")
    async with resident.expect_message(has("звичайне")) as normal:
        await resident.press(preview, "Не терміново: надіслати як звичайне")
    assert "⚠️" not in (normal.message.text or "")
    assert "Не терміново: надіслати як звичайне" not in normal.message.button_texts()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await resident.press(normal.message, "Надіслати")
    assert "⚠️" not in (card.message.text or "")
    assert await stored(engine) == [False]


async def test_left_marked_it_goes_urgent_in_russian_too(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    await make_moderator(botapi, engine)
    resident = botapi.user(language_code="ru")
    preview = await to_preview(resident, "ru")
    assert "Не срочно: отправить как обычный" in preview.button_texts()
    async with resident.expect_message(has("DRU-0001")):
        await resident.press(preview, "Отправить")
    assert await stored(engine) == [True]
