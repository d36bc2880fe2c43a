"""`python -m bot doctor`: one line per check, every problem named, exit 1 on any."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.botapi.server import BotApiServer
from bot.doctor import diagnose
from bot.settings import Settings
from bot.webhook import commands
from storage.engine import session_factory
from storage.models import Community, Erasure, OutboxMessage
from storage.types import utcnow
from tests.running_bot import bot_settings
from tests.test_startup import run_bot

SECRET = "doctor-secret-0123456789"
KEY = "doctor-erasure-key-0123456789"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "ledger" / "erasures.log"


def healthy(botapi: BotApiServer, database_url: str, ledger: Path, **more: object) -> Settings:
    """Settings doctor has nothing to say about (an erasure key and a writable ledger)."""
    return bot_settings(
        botapi, database_url, erasure_hmac_key=KEY, erasure_ledger_file=str(ledger), **more
    )


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("PROBLEM")]


async def test_a_healthy_polling_deployment(
    botapi: BotApiServer, database_url: str, ledger: Path
) -> None:
    report = await diagnose(healthy(botapi, database_url, ledger))
    assert report.problems == 0, report.lines
    assert f"ok      erasure key set, ledger file {ledger}" in report.lines
    assert any("token valid: the bot is @hromada_test_bot" in line for line in report.lines)
    assert any(line.startswith("ok      schema current") for line in report.lines)
    assert any("no webhook set (polling)" in line for line in report.lines)


async def test_backlog_dead_rows_and_a_stray_webhook_are_problems(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine, ledger: Path
) -> None:
    settings = healthy(botapi, database_url, ledger)
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
    botapi: BotApiServer, database_url: str, ledger: Path
) -> None:
    settings = healthy(
        botapi,
        database_url,
        ledger,
        webhook_url="https://bot.example.org/hook",
        webhook_secret=SECRET,
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
        ERASURE_HMAC_KEY=KEY,
        ERASURE_LEDGER_FILE=str(tmp_path / "erasures.log"),
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


async def test_a_missing_erasure_key_is_a_problem(
    botapi: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """Without the key an erasure is recorded nowhere: a restore would bring the person back."""
    report = await diagnose(bot_settings(botapi, database_url, erasure_hmac_key=None))
    found = problems(report.lines)
    assert len(found) == 1 == report.problems, report.lines
    assert found[0].startswith("PROBLEM ERASURE_HMAC_KEY is not set"), found
    assert "forget --reapply" in found[0]

    code, lines = await run_bot(  # the command's exit code says so too
        tmp_path,
        "doctor",
        TELEGRAM_API_BASE_URL=botapi.base_url,
        TELEGRAM_BOT_TOKEN="123456:WRONG-TOKEN",
        WEBHOOK_URL="",
        ERASURE_HMAC_KEY="",
    )
    assert code == 1
    assert any(line.startswith("PROBLEM ERASURE_HMAC_KEY is not set") for line in lines), lines


def make_obstacles(folder: Path) -> None:
    (folder / "a-file").write_text("", encoding="ascii")
    (folder / "a-folder").mkdir()


def write_ledger(ledger: Path, letters: str) -> None:
    """A ledger file naming the hashes "aaa...", "bbb..." of `letters`."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{c * 64}\t2026-01-01T00:00:00+00:00\n" for c in letters)
    ledger.write_text(lines, encoding="ascii")


async def test_a_ledger_file_that_cannot_be_written_is_a_problem(
    botapi: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """A path /forget could not append to (here a folder where a file is, and a file where
    a folder is: refused even for root, as a read-only mount would be)."""
    make_obstacles(tmp_path)
    for ledger in (tmp_path / "a-file" / "erasures.log", tmp_path / "a-folder"):
        found = problems((await diagnose(healthy(botapi, database_url, ledger))).lines)
        assert found == [
            f"PROBLEM ERASURE_LEDGER_FILE={ledger} cannot be written by this user: "
            "/forget would fail"
        ]


async def test_erasures_missing_from_the_ledger_file_are_a_problem(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine, ledger: Path
) -> None:
    """The database remembers erasures the file does not: the file was lost or is another."""
    settings = healthy(botapi, database_url, ledger)
    async with session_factory(engine)() as session, session.begin():
        session.add(Erasure(id_hash="a" * 64, erased_at=utcnow()))
        session.add(Erasure(id_hash="b" * 64, erased_at=utcnow()))
    write_ledger(ledger, "a")
    found = problems((await diagnose(settings)).lines)
    assert len(found) == 1, found
    assert found[0].startswith("PROBLEM 1 erasures in the database are not in ERASURE_LEDGER_FILE")
    write_ledger(ledger, "ab")
    assert (await diagnose(settings)).problems == 0


async def test_a_database_without_communities_is_a_problem(
    botapi: BotApiServer, database_url: str, engine: AsyncEngine, ledger: Path
) -> None:
    """Migrated but never seeded: /start would offer no community to choose."""
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(Community))
    found = problems((await diagnose(healthy(botapi, database_url, ledger))).lines)
    assert found == [
        "PROBLEM no communities: residents cannot finish /start; run `python -m bot seed`"
    ]
