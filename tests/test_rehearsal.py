"""The deployment rehearsal's resident (`python -m bot.botapi.rehearsal`, docs/DEPLOY.md):
against the real bot it gets every reply, up to the question's reference."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.rehearsal import QUESTION, scenario
from bot.botapi.server import BotApiServer
from storage.models import RequestMessage

pytestmark = pytest.mark.e2e


async def test_the_rehearsal_resident_asks_and_the_question_is_stored(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await scenario(botapi, wait=20)
    printed = capsys.readouterr().out
    assert "rehearsal passed" in printed and "DRU-0001" in printed
    async with engine.connect() as conn:
        texts = (await conn.execute(select(RequestMessage.text))).scalars().all()
    assert texts == [QUESTION]
