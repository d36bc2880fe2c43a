"""SIGKILL between two onboarding steps: the restarted bot resumes the same person there."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.botapi.server import TEST_TOKEN, BotApiServer
from tests.onboarding_steps import MENU, choose_ukrainian, has, start

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


async def launch(botapi: BotApiServer, database_url: str, cwd: Path) -> subprocess.Popen[bytes]:
    """`python -m bot run` in its own process; returns once it has registered its commands."""
    ready = asyncio.create_task(botapi.wait_for_call("setMyCommands", timeout=60))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "DATABASE_URL": database_url,
        "RATE_LIMIT_OVERALL_PER_SECOND": "0",
        "RATE_LIMIT_GROUP_PER_MINUTE": "0",
    }
    process = subprocess.Popen(  # noqa: ASYNC220 - started, not awaited; it runs alongside
        [sys.executable, "-m", "bot", "run"], env=env, cwd=cwd, stdout=subprocess.DEVNULL
    )
    try:
        await ready
    except BaseException:
        process.kill()
        raise
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


async def test_sigkill_between_steps_resumes_at_the_same_step(
    botapi: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    process = await launch(botapi, database_url, tmp_path)
    try:
        user = botapi.user()
        page = await choose_ukrainian(user, await start(user))
    finally:
        kill(process)
    assert process.returncode == -signal.SIGKILL

    # The person presses while the bot is down; Telegram keeps the update for it.
    async with user.expect_message(has(MENU), timeout=60) as got:
        await user.press(page, "Дружківка")
        process = await launch(botapi, database_url, tmp_path)
    try:
        assert "Дружківка" in (user.messages()[-2].text or "")
        assert len(got.message.button_texts()) == 10
        # The conversation is finished, not restarted: /start now shows the menu.
        async with user.expect_message(has(MENU)):
            await user.send_command("/start")
    finally:
        kill(process)
