"""Buttons of a step the person has left are refused, not applied to the step they are in
(issue 7 §2.3): Send on an old preview, an old Back. Every button a step's prompt shows
carries the step's token (docs/ARCHITECTURE.md, "Buttons of a left step")."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from tests.onboarding_steps import has
from tests.request_steps import button_starting, onboard
from tests.test_e2e_interruptions import QUESTION, photos_step, requests_texts, to_photos_step

pytestmark = pytest.mark.e2e

NO_LONGER_ACTIVE = "Ця кнопка вже не діє."


async def press_for_toast(
    botapi: BotApiServer, person: FakeUser, message: BotMessage, label: str
) -> object:
    waiting = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await person.press(message, label)
    return (await waiting).params.get("text")


async def to_preview(resident: FakeUser, photos: BotMessage) -> BotMessage:
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(photos, button_starting(photos, "Продовжити"))
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(c.message, "Залишитися анонімним")
    return preview.message


async def test_send_on_an_old_preview_is_refused(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    old = await to_preview(resident, await to_photos_step(resident, await onboard(resident)))
    async with resident.expect_message(has("одним повідомленням")):
        await resident.press(old, "Змінити текст")
    newer = "Коли відновлять подачу води на вулиці Садовій?"
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.send_text(newer)
    assert newer in (preview.message.text or "")

    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as again:
        toast = await press_for_toast(botapi, resident, old, "Надіслати")
    assert toast == NO_LONGER_ACTIVE
    assert await requests_texts(engine) == []  # the newer text was not sent by the old button
    shown = next(m for m in resident.messages() if m.message_id == old.message_id)
    assert QUESTION in (shown.text or "")  # the old preview was not edited
    assert newer in (again.message.text or "")  # the preview of now, asked again

    async with resident.expect_message(has("надіслано")):
        await resident.press(again.message, "Надіслати")
    assert await requests_texts(engine) == [(newer, "new")]


async def test_an_old_back_is_refused(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    menu = await onboard(resident)
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has("одним повідомленням")) as text_step:
        await resident.press(choice.message, "Поліція")
    async with resident.expect_message(photos_step()):  # type: ignore[arg-type]
        await resident.send_text(QUESTION)

    # The text step's Back, pressed at the photos step: refused; still at the photos step.
    async with resident.expect_message(photos_step()) as again:  # type: ignore[arg-type]
        toast = await press_for_toast(botapi, resident, text_step.message, "◀ Назад")
    assert toast == NO_LONGER_ACTIVE
    shown = next(m for m in resident.messages() if m.message_id == text_step.message.message_id)
    assert shown.text == text_step.message.text
    preview = await to_preview(resident, again.message)
    assert QUESTION in (preview.text or "")
