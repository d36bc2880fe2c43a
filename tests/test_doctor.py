"""`python -m bot doctor`: one line per check, every problem named, exit 1 on any."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.doctor import diagnose
from bot.webhook import commands
from storage.engine import session_factory
from storage.models import OutboxMessage
from storage.types import utcnow
from tests.botapi.server import BotApiServer
from tests.running_bot import bot_settings
from tests.test_startup import run_bot

SECRET = "doctor-secret-0123456789"


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("PROBLEM")]


async def test_a_healthy_polling_deployment(botapi: BotApiServer, database_url: str) -> None:
    report = await diagnose(bot_settings(botapi, database_url))
    assert report.problems == 0, report.lines
    assert any("token valid: the bot is @hromada_test_bot" in line for line in report.lines)
    assert any(line.startswith("ok      schema current") for line in report.lines)
    assert any("no webhook set (polling)" in line for line in report.lines)


async def test_backlog_dead_rows_and_a_stray_webhook_are_problems(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine
) -> None:
    settings = bot_settings(botapi, database_url)
    old = utcnow() - timedelta(minutes=30)
    payload = {"method": "sendMessage", "params": {"chat_id": 5, "text": "x"}}
    async with session_factory(engine)() as session, session.begin():
        session.add(OutboxMessage(chat_id=5, payload=payload, dedup_key="a", not_before=old))
        session.add(OutboxMessage(chat_id=5, payload=payload, dedup_key="b", status="dead"))
    botapi.state.webhook = {"url": "https://example.org/hook"}  # left from a webhook set-up
    report = await diagnose(settings)
    found = problems(report.lines)
    assert len(found) == 3 == report.problems, report.lines
    assert "outbox backlog: 1 notifications due for more than 5 minutes" in found[0]
    assert "1 dead outbox messages: `python -m bot outbox dead`" in found[1]
    assert "a webhook is set but WEBHOOK_URL is not" in found[2]


async def test_webhook_mode_checks_what_telegram_has(
    botapi: BotApiServer, database_url: str
) -> None:
    settings = bot_settings(
        botapi, database_url, webhook_url="https://bot.example.org/hook", webhook_secret=SECRET
    )
    found = problems((await diagnose(settings)).lines)
    assert found == [
        "PROBLEM Telegram does not post to WEBHOOK_URL: run `python -m bot webhook set`"
    ]
    await commands.set_webhook(settings)
    report = await diagnose(settings)
    assert report.problems == 0, report.lines
    assert "ok      webhook set, 0 updates waiting" in report.lines

    botapi.state.webhook_error = (botapi.state.now(), "Connection refused")
    found = problems((await diagnose(settings)).lines)
    assert len(found) == 1 and "last delivery to the webhook failed" in found[0], found


async def test_the_command_exits_1_with_one_line_per_problem(
    botapi: BotApiServer, tmp_path: Path
) -> None:
    """A real process on an empty database with a token Telegram rejects."""
    code, lines = await run_bot(
        tmp_path,
        "doctor",
        TELEGRAM_BOT_TOKEN="123456:WRONG-TOKEN",
        TELEGRAM_API_BASE_URL=botapi.base_url,
        WEBHOOK_URL="",
    )
    assert code == 1
    found = problems(lines)
    assert found[0].startswith("PROBLEM schema at nothing, the code needs "), lines
    assert "run `python -m bot migrate`" in found[0]
    assert found[1].startswith("PROBLEM outbox not readable"), lines
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in found[-1]
    assert "WRONG-TOKEN" not in "\n".join(lines)
    assert len(found) == 3, lines


async def test_webhook_mode_without_a_secret_is_a_problem(
    botapi: BotApiServer, database_url: str
) -> None:
    settings = bot_settings(botapi, database_url, webhook_url="https://bot.example.org/hook")
    found = problems((await diagnose(settings)).lines)
    assert found[0].startswith("PROBLEM webhook mode needs WEBHOOK_SECRET"), found
