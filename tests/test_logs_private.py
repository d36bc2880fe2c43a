"""Logs never carry the token, the webhook secret, what people typed or their names.

End-to-end scenarios (the whole request cycle with a resident, a moderator and a provider;
bad input at the main menu; refusals whose error texts echo what was typed; a webhook
worker refusing a forged post) run with LOG_LEVEL=DEBUG and LOG_FORMAT=json through the
bot's own `configure_logging`. Afterwards every line must be JSON, and no text any test
user typed (messages, captions, contacts), no first or last name and no username may
appear in any field, nor the token or the secret.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import TEST_TOKEN, BotApiServer
from bot.logging_setup import QUIET_LOGGERS, configure_logging
from bot.webhook.server import SECRET_HEADER
from bot.webhook.worker import webhook_worker
from tests import test_e2e_bad_input as bad_input
from tests import test_e2e_requests as requests_e2e
from tests.onboarding_steps import has, onboard
from tests.running_bot import bot_settings

pytestmark = pytest.mark.e2e

SECRET = "log-test-secret-0123456789"
TYPED = "Мій сусід Петро Таємничий з вулиці Садової, 12 б"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The bot's logging at DEBUG in JSON, into a buffer; put back as it was afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    configure_logging("DEBUG", "json", [TEST_TOKEN, SECRET])
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name, value in levels.items():
            logging.getLogger(name).setLevel(value)


def private_words(botapi: BotApiServer) -> set[str]:
    """Everything people typed or are called, as the fake Telegram holds it."""
    words: set[str] = set()
    for chat in botapi.state.chats.values():
        for stored in chat.messages.values():
            if stored.from_bot:
                continue
            raw = stored.raw
            words.update(raw[k] for k in ("text", "caption") if raw.get(k))
            contact = raw.get("contact") or {}
            words.update(str(contact[k]) for k in ("phone_number", "first_name") if k in contact)
    for user in botapi.state.users.values():
        if user.get("is_bot"):
            continue
        words.update(str(user[k]) for k in ("first_name", "last_name", "username") if k in user)
    # commands and the buttons' own words are the bot's, not a person's
    return {w for w in words if len(w) >= 4 and not w.startswith("/")}


def assert_private(stream: io.StringIO, botapi: BotApiServer) -> int:
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    fields = []
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= entry.keys()
        fields.append("\n".join(str(v) for v in entry.values()))
    everything = "\n".join([*lines, *fields])
    assert TEST_TOKEN not in everything
    assert SECRET not in everything
    leaked = sorted(w for w in private_words(botapi) if w in everything)
    assert leaked == [], leaked
    return len(lines)


async def test_the_request_cycle_and_bad_input_log_nothing_private(
    debug_log: io.StringIO, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    await requests_e2e.test_the_whole_cycle(botapi, bot, engine, "uk")
    for kind in bad_input.BAD_INPUT:
        user = botapi.user(first_name="Гнат", last_name="Приватний", username="hnat_private")
        await onboard(user)
        act, hint = bad_input.BAD_INPUT[kind]
        async with user.expect_message(has(hint)):
            await act(user)
    # refusals whose texts echo what a person typed and their name are logged scrubbed
    typist = botapi.user(first_name="Ярина", username="yaryna_hidden")
    await onboard(typist)
    botapi.fail_next(
        "sendMessage",
        error_code=400,
        description=f'Bad Request: can\'t parse entities: "{TYPED}" from Ярина',
    )
    await typist.send_text(TYPED)
    async with typist.expect_message(lambda m: True):
        await typist.send_text(TYPED)
    assert len(private_words(botapi)) >= 10  # the check below has something to find
    assert assert_private(debug_log, botapi) > 20  # DEBUG logged plenty, all of it clean


async def test_a_webhook_worker_logs_no_secret_and_no_update(
    debug_log: io.StringIO, botapi: BotApiServer, database_url: str
) -> None:
    settings = bot_settings(
        botapi,
        database_url,
        webhook_url="http://127.0.0.1:1/hook",
        webhook_secret=SECRET,
        webhook_port=0,
    )
    resident = botapi.user(first_name="Орест", username="orest_unseen")
    await resident.send_text(TYPED)
    forged = botapi.state.updates.pop()
    async with webhook_worker(settings) as (_app, server), aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{server.port}/hook"
        for secret in ("", "wrong-secret-000000000", SECRET + "x"):
            async with http.post(url, json=forged, headers={SECRET_HEADER: secret}) as r:
                assert r.status == 403
        async with http.post(url, json=forged, headers={SECRET_HEADER: SECRET}) as r:
            assert r.status == 200
        await resident.wait_for(lambda m: True)  # answered: the update went through
    assert assert_private(debug_log, botapi) > 3
