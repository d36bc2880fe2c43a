"""Telegram errors, a person who blocked the bot, a failing update, a resent update."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from bot.logging_setup import RedactTokens, quiet_libraries
from storage.models import ConversationState, User
from storage.repositories.communities import CommunityDirectory
from tests.onboarding_steps import COMMUNITY_PROMPT, MENU, has, onboard
from tests.running_bot import bot_settings, feed, quiet_bot

pytestmark = pytest.mark.e2e


@pytest.fixture
async def quiet(botapi: BotApiServer, database_url: str) -> AsyncIterator[HromadaApp]:
    async with quiet_bot(bot_settings(botapi, database_url)) as app:
        yield app


async def reachable(engine: AsyncEngine, telegram_id: int) -> bool:
    async with engine.connect() as conn:
        result = await conn.execute(
            select(User.is_reachable).where(User.telegram_id == telegram_id)
        )
        return bool(result.scalar_one())


@pytest.mark.parametrize(
    "fault",
    [
        {"error_code": 500},
        {"error_code": 502, "description": "Bad Gateway", "times": 2},
        {"retry_after": 1},
    ],
    ids=["500", "502-twice", "429-retry-after"],
)
async def test_reply_arrives_once_telegram_recovers(
    botapi: BotApiServer, quiet: HromadaApp, fault: dict[str, object]
) -> None:
    user = botapi.user()
    await user.send_command("/start")
    await feed(quiet, botapi)
    welcome = user.last_message()
    botapi.fail_next("editMessageText", **fault)  # type: ignore[arg-type]
    await user.press(welcome, "Українська")
    await feed(quiet, botapi)  # returns once the update is processed, every retry included
    edits = [c for c in botapi.calls_of("editMessageText") if "громаду" in c["text"]]
    refusals = fault.get("times", 1)
    assert isinstance(refusals, int)
    assert len(edits) == refusals + 1  # refused each time, then sent once more, and no more
    shown = [m for m in user.messages() if COMMUNITY_PROMPT in (m.text or "")]
    assert [m.message_id for m in shown] == [welcome.message_id]  # edited in place, once


async def test_reply_arrives_after_a_timeout(botapi: BotApiServer, bot: HromadaApp) -> None:
    user = botapi.user()
    await onboard(user)
    # Held longer than python-telegram-bot's 5 s read timeout, then refused: not applied.
    botapi.fail_next("sendMessage", error_code=504, description="Gateway Timeout", delay=6)
    async with user.expect_message(has("Бот «Громада»"), timeout=30):
        await user.send_command("/help")
    helps = [m for m in user.messages() if "Бот «Громада»" in (m.text or "")]
    assert len(helps) == 1


async def test_person_who_blocked_the_bot(
    botapi: BotApiServer, quiet: HromadaApp, engine: AsyncEngine
) -> None:
    user = botapi.user()
    await user.send_command("/start")
    await feed(quiet, botapi)
    await user.send_command("/help")
    await user.block_bot()  # blocked before the answer to /help went out
    await feed(quiet, botapi)
    assert not await reachable(engine, user.id)
    assert any("blocked" in e for e in botapi.errors_returned)

    await user.unblock_bot()
    await user.send_command("/start")
    await feed(quiet, botapi)
    assert await reachable(engine, user.id)
    assert "оберіть мову" in (user.last_message().text or "")


async def test_failed_update_rolls_back_and_says_data_is_safe(
    botapi: BotApiServer, quiet: HromadaApp, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = botapi.user()
    await user.send_command("/start")
    await feed(quiet, botapi)
    await user.press(user.last_message(), "Українська")
    await feed(quiet, botapi)

    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("database went away")

    monkeypatch.setattr(CommunityDirectory, "all", broken)
    page = user.last_message()
    await user.press(page, "Дружківка")
    await feed(quiet, botapi)
    assert "Ваші дані збережено" in (user.last_message().text or "")
    async with engine.connect() as conn:
        states = (await conn.execute(select(ConversationState.state))).scalars().all()
    assert states == ["OnboardingForm:community"]  # where it was before the failed update

    monkeypatch.undo()
    await user.press(page, "Дружківка")
    await feed(quiet, botapi)
    assert MENU in (user.last_message().text or "")


async def test_resent_update_is_processed_once(botapi: BotApiServer, quiet: HromadaApp) -> None:
    user = botapi.user()
    await user.send_command("/start")
    raw = dict(botapi.state.updates[-1])
    await feed(quiet, botapi)
    botapi.state.updates.append(raw)  # Telegram delivers the same update again
    await feed(quiet, botapi)
    welcomes = [m for m in user.messages() if "оберіть мову" in (m.text or "")]
    assert len(welcomes) == 1


async def test_logs_carry_no_text_names_or_token(
    botapi: BotApiServer, quiet: HromadaApp, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()  # what bot.logging_setup does at start, whatever LOG_LEVEL says
    caplog.set_level(logging.DEBUG)
    user = botapi.user(first_name="Секретна", username="secret_person")
    await user.send_command("/start")
    await user.send_text("мій дім на вулиці Тайній 7")
    await feed(quiet, botapi)
    botapi.fail_next("sendMessage", error_code=500)
    await user.send_text("ще одна таємниця")
    await feed(quiet, botapi)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Telegram unreachable" in logged  # the logs were captured, and say what happened
    for secret in ("Тайній", "таємниця", "Секретна", "secret_person", "TEST-TOKEN"):
        assert secret not in logged


def test_a_token_in_a_log_line_is_redacted() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, "f", 1, "url %s", ("/bot123456:AAE-abcdefghijklmnopqrstu/x",), None
    )
    RedactTokens().filter(record)
    assert "abcdefghijklmnopqrstu" not in record.getMessage() and "<token>" in record.getMessage()
