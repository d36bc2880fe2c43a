"""A flow interrupted and taken up again (issue 7 §1.2, §2.1, §2.4, §2.10): /language,
/community and /start in the middle of a question, a Reply button pressed while asking,
a staff command from a resident, "Ask again" followed by /cancel. The rule under test: the
flow's state and data survive, and its step is asked again (docs/ARCHITECTURE.md,
"Interrupted flows")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.models import OutboxMessage, RequestMessage, ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import (
    ask,
    button_starting,
    make_moderator,
    onboard,
    outbox_drained,
    staff_answers,
)

pytestmark = pytest.mark.e2e

QUESTION = "Коли відновлять подачу води на вулиці Шкільній?"


def photos_step(words: str = "(0 з 3") -> object:
    return lambda m: any(words in b for b in m.button_texts())


async def to_photos_step(resident: FakeUser, menu: BotMessage, text: str = QUESTION) -> BotMessage:
    """Main menu → Ask → safety → Police → the question: the photos step."""
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has("одним повідомленням")):
        await resident.press(choice.message, "Поліція")
    async with resident.expect_message(photos_step()) as photos:  # type: ignore[arg-type]
        await resident.send_text(text)
    return photos.message


async def requests_texts(engine: AsyncEngine) -> list[tuple[str, str]]:
    """(question, status) of every request, oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(RequestMessage.text, ServiceRequest.status)
            .join(ServiceRequest, ServiceRequest.id == RequestMessage.request_id)
            .where(RequestMessage.kind == "question")
            .order_by(ServiceRequest.id)
        )
        return [(text, status) for text, status in rows]


async def outbox_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = await conn.execute(select(func.count()).select_from(OutboxMessage))
        return int(count.scalar_one())


def recent_texts(user: FakeUser, n: int = 4) -> str:
    return "\n".join(m.text or "" for m in user.messages()[-n:])


async def test_language_in_the_middle_of_a_question_comes_back_to_the_same_step(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    photos = await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(lambda m: "Русский" in m.button_texts()) as languages:
        await resident.send_command("/language")
    # Russian now; the photos step again, with its count of photos, and the draft kept.
    async with resident.expect_message(photos_step("(0 из 3")) as back:  # type: ignore[arg-type]
        await resident.press(languages.message, "Русский")
    assert "Возвращаемся к тому, что вы делали" in recent_texts(resident)
    assert photos.message_id != back.message.message_id
    async with resident.expect_message(lambda m: "Остаться анонимным" in m.button_texts()) as c:
        await resident.press(back.message, button_starting(back.message, "Продолжить"))
    async with resident.expect_message(lambda m: "Отправить" in m.button_texts()) as preview:
        await resident.press(c.message, "Остаться анонимным")
    assert QUESTION in (preview.message.text or "")
    async with resident.expect_message(has("отправлен")):
        await resident.press(preview.message, "Отправить")
    assert await requests_texts(engine) == [(QUESTION, "new")]


async def test_the_same_community_again_comes_back_to_the_preview(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    photos = await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(photos, button_starting(photos, "Продовжити"))
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()):
        await resident.press(c.message, "Залишитися анонімним")
    async with resident.expect_message(lambda m: "Дружківка" in m.button_texts()) as listed:
        await resident.send_command("/community")
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(listed.message, "Дружківка")
    assert QUESTION in (preview.message.text or "")
    assert "Ваша громада: Дружківка." in recent_texts(resident, 5)
    async with resident.expect_message(has("надіслано")):
        await resident.press(preview.message, "Надіслати")
    assert await requests_texts(engine) == [(QUESTION, "new")]


async def test_start_in_the_middle_keeps_the_question_until_cancel(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(photos_step()) as again:  # type: ignore[arg-type]
        await resident.send_command("/start")
    assert "Ви ще не завершили" in recent_texts(resident, 2)
    assert "Головне меню" not in recent_texts(resident, 2)
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(again.message, button_starting(again.message, "Продовжити"))
    async with resident.expect_message(has("Головне меню")):
        await resident.send_command("/cancel")
    assert "Скасовано" in recent_texts(resident, 2)
    async with resident.expect_message(has("Головне меню")):
        await resident.send_command("/start")  # nothing running now: the menu
    assert await requests_texts(engine) == []
    assert c.message.message_id  # the contact step was reached before the cancel


async def test_a_staff_command_from_a_resident_asks_the_step_again(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    resident = botapi.user()
    await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(photos_step()):  # type: ignore[arg-type]
        await resident.send_command("/queue")
    assert "Ця команда — для працівників" in recent_texts(resident, 2)


async def test_reply_in_the_middle_of_a_question_keeps_the_question(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    async with moderator.expect_message(has("Напишіть, що")):
        await moderator.press(card.message, "Запитати деталі")
    async with resident.expect_message(lambda m: "Відповісти" in m.button_texts()) as asked:
        await moderator.send_text("Для кого довідка?")

    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_command("/start")
    await to_photos_step(resident, menu.message)
    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(asked.message, "Відповісти")
    async with (
        moderator.expect_message(has("Для мами")),
        resident.expect_message(photos_step()) as back,  # type: ignore[arg-type]
    ):
        await resident.send_text("Для мами")
    assert "Додано до DRU-0001" in recent_texts(resident)
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(back.message, button_starting(back.message, "Продовжити"))
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(c.message, "Залишитися анонімним")
    assert QUESTION in (preview.message.text or "")
    async with resident.expect_message(has("DRU-0002")):
        await resident.press(preview.message, "Надіслати")
    texts = await requests_texts(engine)
    assert texts[1] == (QUESTION, "new")


async def test_ask_again_then_cancel_does_not_reopen(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(lambda m: "Запитати ще раз" in m.button_texts()) as answer:
        await staff_answers(moderator, "У ЦНАПі, вікно 3.")
    await outbox_drained(bot)
    rows, seen = await outbox_count(engine), len(moderator.messages())

    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(answer.message, "Запитати ще раз")
    async with resident.expect_message(has("Головне меню")):
        await resident.send_command("/cancel")
    await outbox_drained(bot)
    assert (await requests_texts(engine))[0][1] == "answered"  # not reopened
    assert await outbox_count(engine) == rows  # staff were told nothing
    assert len(moderator.messages()) == seen

    # Reopened only when the text comes, and staff get it with the text.
    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(answer.message, "Запитати ще раз")
    async with moderator.expect_message(has("А якщо вікно 3 зачинене?")):
        await resident.send_text("А якщо вікно 3 зачинене?")
    assert (await requests_texts(engine))[0][1] not in ("answered", "closed")


async def test_a_staff_button_in_the_middle_of_their_own_question_keeps_it(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    # The moderator is a resident too: they start a question of their own, then answer.
    async with moderator.expect_message(has("Головне меню")) as menu:
        await moderator.send_command("/start")
    await to_photos_step(moderator, menu.message)
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with (
        resident.expect_message(has("У ЦНАПі, вікно 3.")),
        moderator.expect_message(photos_step()) as back,  # type: ignore[arg-type]
    ):
        await staff_answers(moderator, "У ЦНАПі, вікно 3.")
    assert "Повертаємося до того, що ви робили" in recent_texts(moderator)
    preview = back.message
    async with moderator.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await moderator.press(preview, button_starting(preview, "Продовжити"))
    async with moderator.expect_message(lambda m: "Надіслати" in m.button_texts()) as shown:
        await moderator.press(c.message, "Залишитися анонімним")
    assert QUESTION in (shown.message.text or "")


async def test_language_in_the_middle_of_a_reply_comes_back_to_the_reply(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку про склад сім'ї?")
    async with moderator.expect_message(has("Напишіть, що")):
        await moderator.press(card.message, "Запитати деталі")
    async with resident.expect_message(lambda m: "Відповісти" in m.button_texts()) as asked:
        await moderator.send_text("Для кого довідка?")
    async with resident.expect_message(has("Напишіть ваше повідомлення щодо DRU-0001")):
        await resident.press(asked.message, "Відповісти")
    async with resident.expect_message(lambda m: "Русский" in m.button_texts()) as languages:
        await resident.send_command("/language")
    async with resident.expect_message(has("Напишите ваше сообщение по DRU-0001")):
        await resident.press(languages.message, "Русский")
    async with moderator.expect_message(has("Для мамы")):
        await resident.send_text("Для мамы")
    assert "Добавлено к DRU-0001" in recent_texts(resident, 3)
