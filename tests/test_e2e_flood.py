"""One person flooding the bot does not stall the others (the real bot, default slots)."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from tests.onboarding_steps import chat_log, onboard

pytestmark = pytest.mark.e2e

FLOOD = 200
OTHERS = 20
HELP = "поєднує мешканців із робочою групою"  # the /help text


async def test_twenty_onboard_while_one_person_floods(
    botapi: BotApiServer, bot: HromadaApp
) -> None:
    flooder = botapi.user()
    for _ in range(FLOOD):
        await flooder.send_command("/help")  # all queued before anyone else writes

    def flooder_answered() -> int:
        return sum(1 for _, text in chat_log(botapi, flooder.id) if HELP in text)

    others = [botapi.user() for _ in range(OTHERS)]
    await asyncio.wait_for(asyncio.gather(*(onboard(p) for p in others)), timeout=120)
    # The moment the last of them has the main menu: with the flood holding the global
    # slots (64 by default), nobody else could start before 136 of the 200 were done.
    answered_meanwhile = flooder_answered()
    assert answered_meanwhile < FLOOD // 2, answered_meanwhile

    everything = await botapi.state.feed.wait_until(
        lambda: True if flooder_answered() == FLOOD else None, 120
    )
    assert everything, f"the flooder got {flooder_answered()} of {FLOOD} answers"
