"""An invitation link opened in the middle of a flow (tester finding: it cleared the flow
silently). Following the interrupted-flows rule (docs/ARCHITECTURE.md): the role is taken,
the person is told the flow is kept and its step is asked again; /cancel drops it."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import button_starting, invite, onboard
from tests.test_e2e_interruptions import (
    QUESTION,
    photos_step,
    recent_texts,
    requests_texts,
    to_photos_step,
)

pytestmark = pytest.mark.e2e


async def test_an_invite_in_the_middle_of_a_question_keeps_it(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    person = botapi.user()
    await to_photos_step(person, await onboard(person))
    code = await invite(engine, "moderator")
    async with person.expect_message(photos_step()) as again:  # type: ignore[arg-type]
        await person.send_command(f"/start {code}")
    said = recent_texts(person, 3)
    assert "модератором" in said  # the role is taken and said
    assert "Ви ще не завершили" in said  # the flow is kept, and said so
    assert "Головне меню" not in recent_texts(person, 2)
    async with person.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await person.press(again.message, button_starting(again.message, "Продовжити"))
    async with person.expect_message(has(QUESTION)):
        await person.press(c.message, "Залишитися анонімним")  # the preview: nothing lost
    async with person.expect_message(has("DRU-0001")):
        await person.press(person.last_message(), "Надіслати")
    assert [text for text, _ in await requests_texts(engine)] == [QUESTION]
