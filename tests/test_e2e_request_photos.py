""" "Show photos" on a request card (tester finding): each photo says which request it
belongs to and which of how many it is, in the staff member's language; a second request's
photos name that one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from tests.onboarding_steps import has
from tests.request_steps import make_moderator, onboard

pytestmark = pytest.mark.e2e


def has_button_with(part: str) -> Callable[[BotMessage], bool]:
    return lambda m: any(part in b for b in m.button_texts())


async def ask_with_photos(resident: FakeUser, moderator: FakeUser, n: int, ref: str) -> BotMessage:
    menu = await onboard(resident)
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has("одним повідомленням")):
        await resident.press(choice.message, "Поліція")
    for i in range(1, n + 1):
        async with resident.expect_message(has_button_with(f"({i}")) as got:
            if i == 1:
                await resident.send_photo(caption="Зламаний світлофор")
            else:
                await resident.send_photo()
    photos = got.message
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(
            photos, next(b for b in photos.button_texts() if b.startswith("Продовжити"))
        )
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(c.message, "Залишитися анонімним")
    async with moderator.expect_message(has(ref)) as card:
        await resident.press(preview.message, "Надіслати")
    return card.message


async def test_each_photo_names_its_request(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    first = await ask_with_photos(botapi.user(), moderator, 2, "DRU-0001")
    second = await ask_with_photos(botapi.user(), moderator, 1, "DRU-0002")

    for card, ref, n in ((first, "DRU-0001", 2), (second, "DRU-0002", 1)):
        before = len(botapi.calls)
        await moderator.press(card, "Показати фото")
        last = f"{n} з {n}"
        await botapi.wait_for_call("sendPhoto", lambda p: last in str(p.get("caption", "")))  # noqa: B023
        sent = [
            c.params
            for c in botapi.calls[before:]
            if c.method == "sendPhoto" and int(c.params["chat_id"]) == moderator.id
        ]
        assert [p.get("caption") for p in sent] == [
            f"📷 {ref}: фото {i} з {n}" for i in range(1, n + 1)
        ]
