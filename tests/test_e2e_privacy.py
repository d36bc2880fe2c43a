"""/privacy, /mydata and /forget through the real bot and the local Bot API server."""

from __future__ import annotations

import pytest

from tests.botapi.server import BotApiServer
from tests.onboarding_steps import has
from tests.request_steps import onboard
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", ["Ваші дані", "90 днів", "12 годин", "48 годин", "30 днів", "7 днів", "180 днів"]),
        ("ru", ["Ваши данные", "90 дней", "12 часов", "48 часов", "30 дней", "7 дней", "180 дней"]),
    ],
)
async def test_privacy_states_the_retention_settings(
    botapi: BotApiServer, database_url: str, language: str, words: list[str]
) -> None:
    settings = bot_settings(
        botapi,
        database_url,
        closed_request_text_retention_days=90,
        conversation_idle_retention_hours=12,
    )
    async with running_bot(settings):
        resident = botapi.user(language_code=language)
        await onboard(resident, language)
        async with resident.expect_message(has(words[0])) as told:
            await resident.send_command("/privacy")
    text = told.message.text or ""
    for word in words:
        assert word in text, text
    assert "/mydata" in text and "/forget" in text and "/clear" in text
