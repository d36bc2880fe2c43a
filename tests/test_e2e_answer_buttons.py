"""The buttons under an answer (tester findings): once a newer answer came, the old one's
buttons (Close, Ask again, the rating) change nothing and say where to look; a rating
changed by the resident is said to be changed, not thanked for silently."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from tests.onboarding_steps import has
from tests.request_steps import staff_answers
from tests.test_e2e_request_lifecycle import answered, press_and_get_answer, the_request

pytestmark = pytest.mark.e2e


def carries(label: str) -> Callable[[BotMessage], bool]:
    return lambda m: label in m.button_texts()


async def test_a_superseded_answers_buttons_change_nothing_and_a_changed_rating_says_so(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator, resident, _card, first = await answered(botapi, engine)
    # the resident asks again on the first answer; the moderator answers a second time
    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(first, "Запитати ще раз")
    async with moderator.expect_message(lambda m: "Відповісти" in m.button_texts()) as again:
        await resident.send_text("А у суботу ЦНАП працює?")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(again.message, "Відповісти")
    async with resident.expect_message(lambda m: "Ні" in m.button_texts()) as second:
        await staff_answers(moderator, "Так, у суботу до 14:00.")
    assert (await the_request(engine)).status == "answered"

    for label in ("Закрити звернення", "Так, допомогло", "Запитати ще раз"):
        toast = await press_and_get_answer(botapi, resident, first, label)
        assert "новіша відповідь" in str(toast.get("text")), label
    request = await the_request(engine)
    assert request.status == "answered" and request.helped is None

    # the latest answer's buttons work; a changed rating is said to be changed
    # the choice shows on the answer itself (user testing): a check mark on its button
    async with resident.expect_message(carries("✓ Так, допомогло")) as shown:
        toast = await press_and_get_answer(botapi, resident, second.message, "Так, допомогло")
    assert toast.get("text") == "Дякуємо! Ваша оцінка допомагає робочій групі."
    assert shown.message.message_id == second.message.message_id
    assert "Ні" in shown.message.button_texts()
    assert "Так, у суботу до 14:00." in (shown.message.text or "")
    assert "<b>" not in (shown.message.text or "")  # redrawn with its formatting, not as text
    async with resident.expect_message(carries("✓ Ні")) as shown:
        toast = await press_and_get_answer(botapi, resident, second.message, "Ні")
    assert toast.get("text") == "Вашу оцінку змінено: не допомогло."
    assert (await the_request(engine)).helped is False
    assert "Так, допомогло" in shown.message.button_texts()  # the mark moved
    toast = await press_and_get_answer(botapi, resident, second.message, "✓ Ні")
    assert toast.get("text") == "Ви вже відповіли: не допомогло."
    async with resident.expect_message(has("DRU-0001 закрито")):
        await resident.press(second.message, "Закрити звернення")
    assert (await the_request(engine)).status == "closed"
