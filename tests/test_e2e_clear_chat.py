"""Clear this chat: every message the bot may still delete goes (the person's and the
bot's, outbox messages too), older ones stay, one neutral line is left, the requests stay.
The bot's clock and the local Bot API server's (which enforces the 48 hours) move together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.error import BadRequest

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import TEST_TOKEN, BotApiServer
from storage.models import ChatMessage, ServiceRequest
from tests.onboarding_steps import has
from tests.privacy_steps import TwoClocks, clocks
from tests.request_steps import ask, make_moderator, onboard, outbox_drained, staff_answers

pytestmark = pytest.mark.e2e
__all__ = ["clocks"]  # fixture


def visible(user: FakeUser) -> list[int]:
    """Every message of the private chat still there, the person's and the bot's."""
    return [m.message_id for m in user.chat.messages.values() if not m.deleted]


async def test_clear_deletes_the_last_48_hours_and_leaves_one_line(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, clocks: TwoClocks
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    menu = await onboard(resident)
    too_old = visible(resident)  # onboarding: 50 hours old at the clearing

    clocks.advance(timedelta(hours=30))
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Питання, яке ніхто не має побачити", menu=menu)
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(has("Відповідь на ваше звернення")) as answer:
        await staff_answers(moderator, "Відповідь, яку теж треба сховати")
    await outbox_drained(bot)  # the answer came through the outbox
    clocks.advance(timedelta(hours=20))

    async with resident.expect_message(has("Видалити повідомлення")) as confirm:
        await resident.send_command("/clear")
    recent = [m for m in visible(resident) if m not in too_old]
    assert answer.message.message_id in recent and len(recent) > 8
    async with resident.expect_message(has("/start")) as neutral:
        await resident.press(confirm.message, "Видалити повідомлення")

    left = visible(resident)
    assert left == [*too_old, neutral.message.message_id], resident.history(40)
    assert neutral.message.text == "Надішліть /start, щоб відкрити меню."

    async with resident.expect_message(has("Головне меню")) as fresh:
        await resident.send_command("/start")
    async with resident.expect_message(has("Мої звернення")) as mine:
        await resident.press(fresh.message, "Мої звернення")
    assert any(b.startswith("DRU-0001") for b in mine.message.button_texts())
    # (Read after the next updates: one person's updates run in order, so the neutral
    # line's id, kept once it was sent, is in by now.)
    async with engine.connect() as conn:
        mine_kept = select(ChatMessage.message_id).where(ChatMessage.chat_id == resident.id)
        kept = (await conn.execute(mine_kept)).scalars().all()
        request = (await conn.execute(select(ServiceRequest))).one()
    assert neutral.message.message_id in kept and answer.message.message_id not in kept
    assert not set(recent) & set(kept)
    assert request.author_id is not None  # the request stays on the server


async def test_clear_from_the_menu_and_cancel(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    menu = await onboard(resident)
    before = visible(resident)
    async with resident.expect_message(has("Видалити повідомлення")) as confirm:
        await resident.press(menu, "Очистити цей чат")
    async with resident.expect_message(has("Нічого не видалено")):
        await resident.press(confirm.message, "Скасувати")
    assert set(before) <= set(visible(resident))


async def test_messages_telegram_no_longer_lets_go_are_skipped(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    """The bot's clock says the onboarding is recent, Telegram's that it is 48 hours old:
    Telegram decides (its deleteMessages skips what it refuses), the rest still goes."""
    resident = botapi.user()
    await onboard(resident)
    own = [m.message_id for m in resident.chat.messages.values() if not m.from_bot]
    assert own
    botapi.clock.advance(48 * 3600 + 1)
    async with resident.expect_message(has("Видалити повідомлення")) as confirm:
        await resident.send_command("/clear")
    async with resident.expect_message(has("/start")):
        await resident.press(confirm.message, "Видалити повідомлення")
    remaining = {m.message_id for m in resident.chat.messages.values() if not m.deleted}
    assert set(own) <= remaining  # older than 48 hours: Telegram refuses, the bot goes on
    assert confirm.message.message_id not in remaining


async def test_the_local_server_keeps_48_hours_for_the_persons_own_messages(
    botapi: BotApiServer,
) -> None:
    """What Clear this chat relies on: the person's messages, like the bot's, can be
    deleted for 48 hours by the server's clock, and not a second longer. The clock is
    frozen: on a loaded machine real seconds pass between the sends and the deletes."""
    botapi.clock.set(1_800_000_000)
    user = botapi.user()
    await user.send_text("перше")
    first = user.chat.next_message_id - 1
    await user.send_text("друге")
    second = user.chat.next_message_id - 1
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as client:
        botapi.clock.advance(48 * 3600 - 1)
        assert await client.delete_message(user.id, first)
        botapi.clock.advance(1)
        with pytest.raises(BadRequest, match="can't be deleted for everyone"):
            await client.delete_message(user.id, second)
        await client.get_updates()  # the two messages, so that no update is left pending
    assert [m.deleted for m in user.chat.messages.values()] == [True, False]
