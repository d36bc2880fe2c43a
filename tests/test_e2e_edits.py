"""A person edits a message they sent (issue 7 §2.11), and a message with a request open
(tester finding): while the text is a draft the draft takes the edit; after Send the bot
offers the new text as a follow-up; anywhere else an edit is ignored quietly."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ALLOWED_UPDATES, HromadaApp
from bot.botapi.edits import edit_text, sent_by
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import RequestMessage
from tests.onboarding_steps import has
from tests.request_steps import ask, button_starting, make_moderator, onboard
from tests.test_e2e_interruptions import QUESTION, photos_step, requests_texts, to_photos_step

pytestmark = pytest.mark.e2e

EDITED = "Коли відновлять подачу води на вулиці Садовій, 7?"


async def kinds_and_texts(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(RequestMessage.kind, RequestMessage.text).order_by(RequestMessage.id)
        )
        return [(kind, text) for kind, text in rows]


def texts_after(user: FakeUser, message_id: int) -> list[str]:
    return [m.text or "" for m in user.messages() if m.message_id > message_id]


def test_the_bot_asks_for_edited_messages() -> None:
    assert "edited_message" in ALLOWED_UPDATES


async def test_an_edit_of_the_draft_is_taken(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    photos = await to_photos_step(resident, await onboard(resident))
    question_id = sent_by(resident)[-1]
    async with resident.expect_message(photos_step()) as again:  # type: ignore[arg-type]
        await edit_text(resident, question_id, EDITED)
    assert "Тепер у вашому запитанні відредагований текст." in texts_after(
        resident, photos.message_id
    )
    async with resident.expect_message(lambda m: "Залишитися анонімним" in m.button_texts()) as c:
        await resident.press(again.message, button_starting(again.message, "Продовжити"))
    async with resident.expect_message(lambda m: "Надіслати" in m.button_texts()) as preview:
        await resident.press(c.message, "Залишитися анонімним")
    assert EDITED in (preview.message.text or "") and QUESTION not in (preview.message.text or "")
    async with resident.expect_message(has("надіслано")):
        await resident.press(preview.message, "Надіслати")
    assert await requests_texts(engine) == [(EDITED, "new")]


async def test_an_edit_after_send_is_offered_as_a_follow_up(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")):
        await ask(resident, QUESTION)
    question_id = next(
        m for m in sent_by(resident) if resident.chat.messages[m].raw.get("text") == QUESTION
    )
    async with resident.expect_message(lambda m: "Додати до DRU-0001" in m.button_texts()) as o:
        await edit_text(resident, question_id, EDITED)
    assert "Редагування повідомлення не змінює DRU-0001" in (o.message.text or "")
    assert EDITED in (o.message.text or "")
    assert await requests_texts(engine) == [(QUESTION, "new")]  # the sent question stays

    async with moderator.expect_message(has(EDITED)), resident.expect_message(has("Головне меню")):
        await resident.press(o.message, "Додати до DRU-0001")
    assert (await kinds_and_texts(engine))[-1] == ("reply", EDITED)


async def test_other_edits_are_ignored_quietly(botapi: BotApiServer, bot: HromadaApp) -> None:
    resident = botapi.user()
    await onboard(resident)
    async with resident.expect_message(has("Головне меню")) as menu:
        await resident.send_text("привіт")  # no conversation, no request: the hint and menu
    async with resident.expect_message(has("Головне меню")):
        await edit_text(resident, sent_by(resident)[-1], "привіт усім")
        await resident.send_command("/help")  # answered after the edit (in order)
    after = texts_after(resident, menu.message.message_id)
    assert len(after) == 2 and "/community" in after[0]  # only the help and its menu


async def test_a_message_while_a_request_is_open_is_offered_as_a_follow_up(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")):
        await ask(resident, QUESTION)
    async with resident.expect_message(lambda m: "Ні, не додавати" in m.button_texts()) as o:
        await resident.send_text("Забула сказати: будинок 12.")
    assert "Додати це до DRU-0001 як доповнення?" in (o.message.text or "")
    async with resident.expect_message(has("Головне меню")):
        await resident.press(o.message, "Ні, не додавати")
    assert [kind for kind, _ in await kinds_and_texts(engine)] == ["question"]

    async with resident.expect_message(lambda m: "Додати до DRU-0001" in m.button_texts()) as o2:
        await resident.send_text("Забула сказати: будинок 12.")
    async with moderator.expect_message(has("будинок 12")):
        await resident.press(o2.message, "Додати до DRU-0001")
    assert (await kinds_and_texts(engine))[-1] == ("reply", "Забула сказати: будинок 12.")
