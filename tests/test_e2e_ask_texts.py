"""What a resident types while asking (issue 7 §2.5, §2.6, §2.10 and tester findings): a long
paste Telegram splits into 4096 + 4096 + 1808 characters, text at the photos step, a sticker
at the photos step and at the reply prompt, the page and total of "My requests"."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.engine import session_factory
from storage.models import ServiceRequest
from storage.repositories import requests
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, onboard
from tests.test_e2e_interruptions import QUESTION, photos_step, requests_texts, to_photos_step

pytestmark = pytest.mark.e2e

TEXT_STEP = "одним повідомленням"
PASTE_REST = "імовірно, це решта того самого вставленого тексту"


async def to_text_step(resident: FakeUser) -> BotMessage:
    menu = await onboard(resident)
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has(TEXT_STEP)) as step:
        await resident.press(choice.message, "Поліція")
    return step.message


def bot_texts_after(resident: FakeUser, message_id: int) -> list[str]:
    return [m.text or "" for m in resident.messages() if m.message_id > message_id]


async def test_a_long_paste_split_in_three_is_never_taken_in_part(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    step = await to_text_step(resident)
    parts = [("Перша" * 1000)[:4096], ("Друга" * 1000)[:4096], ("Третя" * 1000)[:1808]]
    botapi.clock.set(botapi.clock.now())  # the parts of one paste: the same Telegram date
    for part in parts:
        await resident.send_text(part)
    async with resident.expect_message(has("/community: змінити громаду")):
        await resident.send_command("/help")  # answered after all three parts (in order)

    assert await requests_texts(engine) == []  # no fragment became the question
    shown = bot_texts_after(resident, step.message_id)
    assert sum(PASTE_REST in text for text in shown) == 2  # the second and third parts
    given_back = "".join(shown)
    assert all(part in given_back for part in parts)  # every part came back to copy
    assert TEXT_STEP in shown[-1]  # still at the text step

    # A text dated after the window is a new text, taken as usual.
    botapi.clock.advance(60)
    async with resident.expect_message(photos_step()):  # type: ignore[arg-type]
        await resident.send_text(QUESTION)


async def test_text_at_the_photos_step_is_said_to_be_added(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    resident = botapi.user()
    photos = await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(photos_step()) as again:  # type: ignore[arg-type]
        await resident.send_text("Будинок 12, під'їзд 3.")
    said = bot_texts_after(resident, photos.message_id)
    total = len(QUESTION) + 2 + len("Будинок 12, під'їзд 3.")
    assert f"Додано до вашого запитання; тепер у ньому {total} з 2000 символів" in said[0]
    assert again.message.message_id > photos.message_id


async def test_a_sticker_at_the_photos_step_says_what_fits_there(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    resident = botapi.user()
    photos = await to_photos_step(resident, await onboard(resident))
    async with resident.expect_message(photos_step()):  # type: ignore[arg-type]
        await resident.send_sticker()
    said = bot_texts_after(resident, photos.message_id)
    assert len(said) == 2
    assert "Сюди можна додати лише фото" in said[0]


async def test_a_sticker_at_the_reply_prompt_gets_one_hint(
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
    async with resident.expect_message(has("Напишіть ваше повідомлення")) as prompt:
        await resident.press(asked.message, "Відповісти")
    async with resident.expect_message(has("напишіть повідомлення текстом")):
        await resident.send_sticker()
    assert bot_texts_after(resident, prompt.message.message_id) == [
        "Будь ласка, напишіть повідомлення текстом або /cancel."
    ]


async def test_my_requests_shows_the_page_and_the_total(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    await ask(resident, "Перше запитання")
    async with session_factory(engine)() as session, session.begin():
        first = (await session.execute(select(ServiceRequest))).scalar_one()
        for n in range(6):
            await requests.create_request(
                session,
                author_id=first.author_id or 0,
                community_id=first.community_id,
                category="police",
                text=f"Запитання {n}",
                photos=[],
                urgent=False,
            )
    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as listed:
        await resident.press(menu.message, "Мої звернення")
    assert "7 звернень · Сторінка 1 з 2" in (listed.message.text or "")
    # how old each is, said as Ukrainians say it on its own: "… · 5 секунд тому"
    assert all(b.endswith(" тому") for b in listed.message.button_texts() if "·" in b)
    async with resident.expect_message(has("Сторінка 2 з 2")) as second:
        await resident.press(listed.message, "Далі ▶")
    assert "7 звернень" in (second.message.text or "")
