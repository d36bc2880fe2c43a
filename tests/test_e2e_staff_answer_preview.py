"""A staff answer is shown before it goes (user testing): the text as the resident will
read it, with Send / Edit / Cancel; nothing reaches the resident before Send, a cancelled
or edited answer gives the text back, a second press of Send sends nothing more. And the
answer step asked again after an interruption names the request, in the language of now."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.models import RequestMessage, ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, outbox_drained, send_answer_button

pytestmark = pytest.mark.e2e


async def answers_in(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(RequestMessage.text).where(RequestMessage.kind == "answer")
        )
        return [str(text) for text in rows.scalars()]


async def status_of(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str((await conn.execute(select(ServiceRequest.status))).scalar_one())


async def answering(botapi: BotApiServer, engine: AsyncEngine) -> tuple[FakeUser, FakeUser]:
    """A resident's DRU-0001 and its moderator at the answer step."""
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    async with moderator.expect_message(has("Напишіть вашу відповідь на DRU-0001")):
        await moderator.press(card.message, "Відповісти")
    return moderator, resident


async def preview_of(moderator: FakeUser, text: str) -> BotMessage:
    async with moderator.expect_message(lambda m: send_answer_button(m) is not None) as got:
        await moderator.send_text(text)
    return got.message


async def test_an_answer_is_previewed_edited_and_sent_once(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator, resident = await answering(botapi, engine)
    await outbox_drained(bot)
    seen = len(resident.messages())

    first = await preview_of(moderator, "У ЦНАПі, вікно 3.")
    text = first.text or ""
    assert "Перевірте вашу відповідь на DRU-0001" in text
    # as the resident will read it: the headline signed by the working group, the text
    assert "Відповідь на ваше звернення DRU-0001" in text and "Робоча група" in text
    assert "У ЦНАПі, вікно 3." in text
    assert first.button_texts() == ["Надіслати мешканцю", "Змінити текст", "Скасувати"]
    await outbox_drained(bot)
    assert len(resident.messages()) == seen and await answers_in(engine) == []
    assert await status_of(engine) == "new"

    # Edit: the text comes back to copy, the step names the request again
    async with moderator.expect_message(has("Напишіть вашу відповідь на DRU-0001")):
        await moderator.press(first, "Змінити текст")
    recent = [m.text or "" for m in moderator.messages()[-3:]]
    assert "У ЦНАПі, вікно 3." in recent[1], recent
    second = await preview_of(moderator, "У ЦНАПі, вікно 4.")
    # a new text typed at the preview replaces the one shown
    async with moderator.expect_message(has("вікно 5")):
        await moderator.send_text("У ЦНАПі, вікно 5.")
    assert "новий текст" in (moderator.messages()[-2].text or "")

    # Send of an older preview is stale: nothing goes
    waiting = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    async with moderator.expect_message(has("вікно 5")) as again:  # the step again
        await moderator.press(second, "Надіслати мешканцю")
    assert "не діє" in str((await waiting).params.get("text"))
    await outbox_drained(bot)
    assert await answers_in(engine) == []

    async with resident.expect_message(has("У ЦНАПі, вікно 5.")) as got:
        await moderator.press(again.message, "Надіслати мешканцю")
    assert "Так, допомогло" in got.message.button_texts()
    assert await answers_in(engine) == ["У ЦНАПі, вікно 5."]
    sent = next(m for m in moderator.messages() if m.message_id == again.message.message_id)
    assert sent.button_texts() == [] and "вікно 5" in (sent.text or "")  # kept, no buttons

    # a double press of Send (the data of the old button) sends nothing more
    waiting = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await moderator.press_data(again.message, "sa:send")
    assert "уже надіслано" in str((await waiting).params.get("text"))
    await outbox_drained(bot)
    assert await answers_in(engine) == ["У ЦНАПі, вікно 5."]
    assert sum("вікно 5" in (m.text or "") for m in resident.messages()) == 1


async def test_a_cancelled_answer_gives_the_text_back_and_sends_nothing(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator, resident = await answering(botapi, engine)
    await outbox_drained(bot)
    seen = len(resident.messages())
    preview = await preview_of(moderator, "Відповідь, яку я передумав надсилати")
    typed = "Відповідь, яку я передумав надсилати"
    async with moderator.expect_message(lambda m: m.text == typed):  # given back to copy
        await moderator.press(preview, "Скасувати")
    texts = [m.text or "" for m in moderator.messages()[-3:]]
    assert any("Скасовано: мешканцю, автору DRU-0001" in t for t in texts), texts
    assert "нічого не загубилося" in texts[-2]
    await outbox_drained(bot)
    assert len(resident.messages()) == seen
    assert await answers_in(engine) == [] and await status_of(engine) == "new"


async def test_a_parked_answer_comes_back_naming_the_request_in_the_language_of_now(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator, resident = await answering(botapi, engine)
    # /help asks the step again: it names the request
    async with moderator.expect_message(has("Напишіть вашу відповідь на DRU-0001")):
        await moderator.send_command("/help")
    async with moderator.expect_message(lambda m: "Русский" in m.button_texts()) as languages:
        await moderator.send_command("/language")
    async with moderator.expect_message(has("Напишите ваш ответ на DRU-0001")):
        await moderator.press(languages.message, "Русский")
    preview = await preview_of(moderator, "У ЦНАПі.")
    assert "Проверьте ваш ответ на DRU-0001" in (preview.text or "")
    # the body is the resident's message, in the resident's language (review finding)
    assert "Відповідь на ваше звернення DRU-0001" in (preview.text or "")
    assert "Ответ на ваше обращение" not in (preview.text or "")
    async with resident.expect_message(has("Відповідь на ваше звернення DRU-0001")):
        await moderator.press(preview, "Отправить жителю")
    assert await status_of(engine) == "answered"
