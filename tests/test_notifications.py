"""handlers/shared/notifications.py: each news reaches its recipients in their language,
read once whatever their number, and nobody-was-told is recorded, not silent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.models import SkippedNotice, User
from tests.onboarding_steps import has
from tests.request_steps import ask, invite, make_moderator
from tests.test_cli_staff import cli

pytestmark = pytest.mark.e2e

# Not `communities`: the community list is cached for a minute, so the first ask reads it.
READ_TABLES = ("request_messages", "staff_roles", "users", "staff_chats")


async def sent(app: HromadaApp) -> None:
    """Every notification committed so far has reached the fake Telegram."""
    assert app.lifecycle.dispatcher is not None
    await asyncio.wait_for(app.lifecycle.dispatcher.drain(), 20)


@contextmanager
def reads_of(app: HromadaApp) -> Iterator[dict[str, int]]:
    """Count the bot's SELECTs per table while the block runs."""
    engine = app.lifecycle.engine
    assert engine is not None
    counts = dict.fromkeys(READ_TABLES, 0)

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            for table in READ_TABLES:
                if f"FROM {table}" in statement:
                    counts[table] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def skipped_rows(engine: AsyncEngine) -> list[tuple[str, str, int | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(SkippedNotice.news, SkippedNotice.reason, SkippedNotice.role_id).order_by(
                SkippedNotice.id
            )
        )
        return [(news, reason, role_id) for news, reason, role_id in rows]


async def test_a_request_nobody_is_configured_to_hear_of_is_recorded_and_listed(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, database_url: str
) -> None:
    await ask(botapi.user(), "Коли відновлять світло?")  # no moderator, no staff chat
    assert await skipped_rows(engine) == [("new", "no_recipient", None)]
    code, out, err = await cli(botapi, database_url, "outbox", "skipped")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split("\t")[2:] == ["DRU-0001", "new", "no_recipient", "staff"]
    assert lines[-1] == "1 skipped"


async def test_a_moderator_who_blocked_the_bot_is_recorded_and_the_others_told(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    gone = await make_moderator(botapi, engine)
    here = await make_moderator(botapi, engine)
    async with engine.begin() as conn:
        await conn.execute(
            update(User).where(User.telegram_id == gone.id).values(is_reachable=False)
        )
    async with here.expect_message(has("DRU-0001")):
        await ask(botapi.user(), "Питання про школу")
    await sent(bot)
    assert not any("DRU-0001" in (m.text or "") for m in gone.messages())
    rows = await skipped_rows(engine)
    assert [(news, reason) for news, reason, _ in rows] == [("new", "unreachable")]
    assert rows[0][2] is not None  # the role that was not told


async def test_cards_are_read_once_whatever_the_number_of_moderators(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    first = await make_moderator(botapi, engine)
    with reads_of(bot) as alone:
        async with first.expect_message(has("DRU-0001")):
            await ask(botapi.user(), "Перше питання")

    second = await make_moderator(botapi, engine)
    russian = botapi.user(first_name="Модератор", language_code="ru")
    async with russian.expect_message(has("Главное меню")):
        await russian.send_command(f"/start {await invite(engine, 'moderator')}")
    with reads_of(bot) as three:
        async with russian.expect_message(has("DRU-0002")) as card:
            await ask(botapi.user(), "Друге питання")
    await sent(bot)

    assert three == alone, f"reads grew with the number of recipients: {alone} -> {three}"
    assert "Взять в работу" in card.message.button_texts()  # the card in the reader's language
    for person in (first, second):
        got = [m for m in person.messages() if "DRU-0002" in (m.text or "")]
        assert len(got) == 1 and "Взяти в роботу" in got[0].button_texts()
