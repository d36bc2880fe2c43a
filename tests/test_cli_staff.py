"""Administrators hand out roles from the command line; the link works once."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.app import HromadaApp
from bot.botapi.server import TEST_TOKEN, BotApiServer
from tests.onboarding_steps import has

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


async def cli(botapi: BotApiServer, database_url: str, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": botapi.base_url,
        "DATABASE_URL": database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_invite_link_gives_the_role_once(
    botapi: BotApiServer, bot: HromadaApp, database_url: str
) -> None:
    code, out, err = await cli(
        botapi,
        database_url,
        "invite",
        "--role",
        "provider",
        "--community",
        "dru",
        "--category",
        "police",
        "--org-uk",
        "Поліція Дружківки",
        "--org-ru",
        "Полиция Дружковки",
    )
    assert code == 0, err
    assert out.strip(), err
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/hromada_test_bot?start=inv_")
    payload = link.split("start=", 1)[1]

    officer = botapi.user()
    async with officer.expect_message(has("/inbox")) as welcome:
        await officer.send_command(f"/start {payload}")
    assert "надавачем послуг" in (welcome.message.text or "")

    stranger = botapi.user()
    async with stranger.expect_message(has("недійсне")):
        await stranger.send_command(f"/start {payload}")

    code, out, _err = await cli(botapi, database_url, "staff", "list")
    assert code == 0 and "provider" in out and "Поліція Дружківки" in out
    role_id = out.split()[0]
    code, out, _err = await cli(botapi, database_url, "staff", "revoke", role_id)
    assert f"role {role_id} revoked" in out
    async with officer.expect_message(has("для працівників")):
        await officer.send_command("/inbox")


async def test_invite_needs_a_known_community(botapi: BotApiServer, database_url: str) -> None:
    code, _out, err = await cli(
        botapi, database_url, "invite", "--role", "moderator", "--community", "atlantis"
    )
    assert code == 2 and "atlantis" in err and "Traceback" not in err
