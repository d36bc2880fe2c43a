"""Flood control in the real bot: a flooding resident is told once and the rest is dropped
without database work; a moderator is never throttled. The gate's clock is held still."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from handlers.core.flood import keep_dropped, load_staff
from storage.models import ChatMessage, ProcessedUpdate
from tests.onboarding_steps import chat_log, has, onboard
from tests.request_steps import make_moderator
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e

LIMIT = 5
HELP = "поєднує мешканців із робочою групою"  # the /help text
SLOW_DOWN = "надсилаєте повідомлення надто швидко"
TOAST = "Забагато натискань поспіль"


class StillClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def flood_bot(
    botapi: BotApiServer, database_url: str
) -> AsyncIterator[tuple[HromadaApp, StillClock]]:
    settings = bot_settings(botapi, database_url, flood_updates_per_minute=LIMIT)
    async with running_bot(settings) as app:
        clock = StillClock()
        app.lifecycle.flood.clock = clock
        yield app, clock


async def processed(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(ProcessedUpdate))).scalar_one()
        )


async def test_a_flooding_resident_is_told_once_and_the_rest_is_not_read(
    botapi: BotApiServer, flood_bot: tuple[HromadaApp, StillClock], engine: AsyncEngine
) -> None:
    app, clock = flood_bot
    resident = botapi.user()
    menu = await onboard(resident)  # 3 updates of the 5
    clock.now += 60  # a new minute
    before = await processed(engine)
    for _ in range(12):
        await resident.send_command("/help")

    def count(snippet: str) -> int:
        return sum(snippet in text for _, text in chat_log(botapi, resident.id))

    told = await botapi.state.feed.wait_until(
        lambda: True if count(HELP) == LIMIT and count(SLOW_DOWN) == 1 else None, 20
    )
    assert told, (count(HELP), count(SLOW_DOWN))
    clock.now += 60
    await resident.send_command("/help")  # checked after the twelve, run after the five
    assert await botapi.state.feed.wait_until(
        lambda: True if count(HELP) == LIMIT + 1 else None, 20
    )
    texts = [text for _, text in chat_log(botapi, resident.id)]
    assert sum(HELP in t for t in texts) == LIMIT + 1
    assert sum(SLOW_DOWN in t for t in texts) == 1
    assert await processed(engine) - before == LIMIT + 1  # the dropped ones touched nothing
    assert app.lifecycle.flood.dropped == 12 - LIMIT

    # presses, in a new minute: LIMIT are handled, the next gets a toast, the last two are
    # not answered at all (answering them would spend the bot's overall send rate on a flood)
    clock.now += 60
    earlier = len(botapi.callback_answers)  # onboarding's presses
    for _ in range(LIMIT + 3):
        await resident.press_data(menu, "menu:nothing")

    def answers() -> list[str]:
        return [a.get("text", "") for a in botapi.callback_answers.values()]

    assert await botapi.state.feed.wait_until(
        lambda: True if len(answers()) == earlier + LIMIT + 1 else None, 20
    ), answers()
    assert sum(TOAST in text for text in answers()) == 1
    unanswered = botapi.unanswered_callbacks()
    assert len(unanswered) == 2
    for query in unanswered:  # dropped on purpose: not the misuse the fixture looks for
        del botapi.state.callback_queries[query["id"]]
    assert botapi.violations == []


@pytest.mark.parametrize("refreshed", [True, False], ids=["after-refresh", "just-joined"])
async def test_a_moderator_is_never_throttled(
    botapi: BotApiServer,
    flood_bot: tuple[HromadaApp, StillClock],
    engine: AsyncEngine,
    refreshed: bool,
) -> None:
    # Also in the minute after accepting the invitation, before the staff list is read
    # again: a new moderator with a backlog of cards presses more than the limit at once.
    app, _clock = flood_bot
    moderator = await make_moderator(botapi, engine)
    services = app.bot_data.services
    assert services is not None
    if refreshed:
        await load_staff(app.lifecycle.flood, services)  # the minute's refresh
    for _ in range(3 * LIMIT):
        await moderator.send_command("/help")
    done = await botapi.state.feed.wait_until(
        lambda: (
            True if sum(HELP in t for _, t in chat_log(botapi, moderator.id)) == 3 * LIMIT else None
        ),
        30,
    )
    assert done
    assert not any(SLOW_DOWN in t for _, t in chat_log(botapi, moderator.id))
    assert app.lifecycle.flood.dropped == 0


async def test_clear_this_chat_also_deletes_what_a_flood_dropped(
    botapi: BotApiServer, flood_bot: tuple[HromadaApp, StillClock], engine: AsyncEngine
) -> None:
    """The dropped messages and the notice were never read, but their ids are kept (in one
    batch, not per message) so that "Clear this chat" leaves nothing of the flood."""
    app, clock = flood_bot
    resident = botapi.user()
    await onboard(resident)
    clock.now += 60
    for _ in range(12):
        await resident.send_command("/help")
    assert await botapi.state.feed.wait_until(
        lambda: True if sum(SLOW_DOWN in t for _, t in chat_log(botapi, resident.id)) else None,
        20,
    )
    clock.now += 60
    await resident.send_command("/help")  # checked after the twelve (see above)
    assert await botapi.state.feed.wait_until(
        lambda: True if sum(HELP in t for _, t in chat_log(botapi, resident.id)) > LIMIT else None,
        20,
    )
    assert app.lifecycle.flood.dropped == 12 - LIMIT
    services = app.bot_data.services
    assert services is not None
    await keep_dropped(app.lifecycle.flood, services)  # what a task does every 2 seconds
    assert app.lifecycle.flood.unkept == []
    async with engine.connect() as conn:
        kept = set(
            (
                await conn.execute(
                    select(ChatMessage.message_id).where(ChatMessage.chat_id == resident.id)
                )
            ).scalars()
        )
    notice = next(m for m in resident.chat.messages.values() if SLOW_DOWN in m.raw.get("text", ""))
    own = [m.message_id for m in resident.chat.messages.values() if not m.from_bot]
    dropped = own[-1 - (12 - LIMIT) : -1]  # the seven before the last /help
    assert {notice.message_id, *dropped} <= kept

    async with resident.expect_message(has("Видалити повідомлення")) as confirm:
        await resident.send_command("/clear")
    async with resident.expect_message(has("/start")) as neutral:
        await resident.press(confirm.message, "Видалити повідомлення")
    left = [m.message_id for m in resident.chat.messages.values() if not m.deleted]
    assert left == [neutral.message.message_id], resident.history(40)
