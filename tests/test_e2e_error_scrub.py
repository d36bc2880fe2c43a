"""Telegram's error texts are scrubbed before they are logged: a description that echoes a
resident's typed text or name (Telegram quotes what it could not parse) never reaches the
logs, on the direct replies' three refusal paths as in the outbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from bot.logging_setup import quiet_libraries
from storage.repositories.outbox import short_error
from storage.scrub import scrub_error
from tests.running_bot import bot_settings, feed, quiet_bot

pytestmark = pytest.mark.e2e

TYPED = "мій дім на вулиці Тайній 7"
NAME = "Секретна Особа"
ECHOES = (
    f'Bad Request: can\'t parse entities: Unsupported start tag "{TYPED}" at byte offset 0',
    f"Bad Request: wrong text {NAME} here",
    "Bad Request: can't parse entities: Can't find end tag for \"Olena Petrenko",
)
SECRETS = ("Тайній", "Секретна", "Особа", "Olena", "Petrenko")


@pytest.fixture
async def quiet(botapi: BotApiServer, database_url: str) -> AsyncIterator[HromadaApp]:
    async with quiet_bot(bot_settings(botapi, database_url)) as app:
        yield app


@pytest.mark.parametrize("echo", ECHOES)
def test_scrubbed_error_keeps_what_went_wrong(echo: str) -> None:
    scrubbed = scrub_error(echo)
    assert scrubbed.startswith("Bad Request: ")
    assert not any(secret in scrubbed for secret in SECRETS)
    assert short_error(echo) == scrubbed  # the outbox's last_error: the same scrubber


@pytest.mark.parametrize(
    ("method", "says"),
    [
        ("sendMessage", "reply refused"),
        ("editMessageText", "edit refused"),
        ("answerCallbackQuery", "callback answer refused"),
    ],
)
async def test_refusals_are_logged_scrubbed(
    botapi: BotApiServer,
    quiet: HromadaApp,
    caplog: pytest.LogCaptureFixture,
    method: str,
    says: str,
) -> None:
    quiet_libraries()
    caplog.set_level(logging.DEBUG)
    user = botapi.user(first_name="Секретна")
    if method == "sendMessage":
        botapi.fail_next(method, error_code=400, description=ECHOES[0])
        await user.send_command("/start")
        await feed(quiet, botapi)
    else:
        await user.send_command("/start")
        await feed(quiet, botapi)
        botapi.fail_next(method, error_code=400, description=ECHOES[1])
        await user.press(user.last_message(), "Українська")
        await feed(quiet, botapi)
    if method == "answerCallbackQuery":  # refused by the fault, so unanswered on purpose
        botapi.state.callback_queries.clear()
    # PTB drops "Bad Request: " and changes the case; what Telegram said must still show.
    logged = "\n".join(r.getMessage() for r in caplog.records).lower()
    assert says in logged
    assert ("unsupported start tag" if method == "sendMessage" else "wrong text") in logged
    for secret in SECRETS:
        assert secret.lower() not in logged
