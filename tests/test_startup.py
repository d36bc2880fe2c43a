"""Start-up failures end in one line that says what to do, never in a traceback.

Each case runs the real `python -m bot ...` as a process: the placeholder token from
`.env.example`, a token the local Bot API server rejects (401), a Bot API nobody listens
at, and a database that cannot be opened.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.botapi.server import BotApiServer
from bot.logging_setup import RedactingFormatter
from tests.databases import postgres_url

ROOT = Path(__file__).resolve().parent.parent


def _placeholder_token() -> str:
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("TELEGRAM_BOT_TOKEN="):
            return line.split("=", 1)[1]
    raise AssertionError(".env.example has no TELEGRAM_BOT_TOKEN line")


async def run_bot(cwd: Path, *args: str, **env: str) -> tuple[int, list[str]]:
    """Run `python -m bot ARGS` in `cwd` (no .env there); its exit code and output lines."""
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'bot.sqlite3'}",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=full_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    lines = [line for line in output.decode().splitlines() if line.strip()]
    assert process.returncode is not None
    return process.returncode, lines


def assert_one_line(lines: list[str], *fragments: str) -> None:
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nobody listens there once the socket is closed


async def test_placeholder_token(tmp_path: Path) -> None:
    code, lines = await run_bot(tmp_path, "run", TELEGRAM_BOT_TOKEN=_placeholder_token())
    assert code == 2
    assert_one_line(lines, "TELEGRAM_BOT_TOKEN", "placeholder", "@BotFather")


async def test_rejected_token(tmp_path: Path, botapi: BotApiServer) -> None:
    code, lines = await run_bot(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN="987654:A-TOKEN-TELEGRAM-DOES-NOT-KNOW",
        TELEGRAM_API_BASE_URL=botapi.base_url,
    )
    assert code == 1
    assert_one_line(lines, "TELEGRAM_BOT_TOKEN", "401", "@BotFather")
    assert "A-TOKEN-TELEGRAM-DOES-NOT-KNOW" not in lines[0]


async def test_unreachable_bot_api(tmp_path: Path) -> None:
    base_url = f"http://127.0.0.1:{_free_port()}/bot"
    code, lines = await run_bot(
        tmp_path, "run", TELEGRAM_BOT_TOKEN="123456:SOME-TOKEN", TELEGRAM_API_BASE_URL=base_url
    )
    assert code == 1
    assert_one_line(lines, f"TELEGRAM_API_BASE_URL={base_url}", "reach")


async def test_run_with_a_database_it_cannot_open(tmp_path: Path, botapi: BotApiServer) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'bot.sqlite3'}"
    code, lines = await run_bot(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=botapi.token,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        DATABASE_URL=url,
    )
    assert code == 1
    assert_one_line(lines, "DATABASE_URL=", "cannot open the database")


async def test_migrate_with_a_sqlite_file_it_cannot_create(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'bot.sqlite3'}"
    code, lines = await run_bot(tmp_path, "migrate", DATABASE_URL=url)
    assert code == 1
    assert_one_line(lines, f"DATABASE_URL={url}", "cannot open the database")


async def test_migrate_with_a_postgres_database_that_does_not_exist(tmp_path: Path) -> None:
    server = postgres_url()
    if server is None:
        pytest.skip("PostgreSQL case skipped: HROMADA_TEST_POSTGRES_URL is not set")
    url = server.replace("/hromada_test", "/no_such_database_here")
    url = url.replace("://root@", "://root:s3cret@")
    code, lines = await run_bot(tmp_path, "migrate", DATABASE_URL=url)
    assert code == 1
    assert_one_line(lines, "cannot open the database", "no_such_database_here")
    assert "s3cret" not in lines[0]  # the password is masked


async def test_migrate_with_no_server_listening(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://hromada@127.0.0.1:{_free_port()}/hromada"
    code, lines = await run_bot(tmp_path, "migrate", DATABASE_URL=url)
    assert code == 1
    assert_one_line(lines, "DATABASE_URL=postgresql+asyncpg://hromada@127.0.0.1", "cannot open")


def test_a_token_in_a_traceback_is_redacted() -> None:
    token = "123456789:AAE-abcdefghijklmnopqrstuvwxyz0123"
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "failed", None, sys.exc_info())
    text = RedactingFormatter("%(message)s").format(record)
    assert "Traceback" in text and "<token>" in text
    assert "abcdefghijklmnopqrstuvwxyz" not in text
