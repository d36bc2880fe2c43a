"""The bot's HTTP client (HTTP_CLIENT, bot/http_client.py): aiohttp by default, httpx on
request; both against the local Bot API server, which validates every call.

The whole end-to-end suite runs over the default; these tests pin what the rest only meets
by chance: files as multipart, the errors PTB must see (a timeout, a reset connection, a
server nobody listens on) and that the setting picks the client.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.aiohttp_request import AiohttpRequest
from bot.botapi import TEST_TOKEN, BotApiServer
from bot.http_client import bot_request
from bot.settings import HttpClient, Settings

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture(params=["aiohttp", "httpx"])
async def bot(botapi: BotApiServer, request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    settings = Settings(http_client=request.param)
    async with Bot(
        TEST_TOKEN,
        base_url=botapi.base_url,
        base_file_url=botapi.base_file_url,
        request=bot_request(settings, 4),
    ) as client:
        yield client


async def test_the_setting_picks_the_client() -> None:
    assert Settings.model_fields["http_client"].default == "aiohttp"
    assert isinstance(bot_request(Settings(http_client="aiohttp"), 2), AiohttpRequest)
    assert isinstance(bot_request(Settings(http_client="httpx"), 2), HTTPXRequest)


async def test_texts_keyboards_and_files_arrive_as_sent(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "<b>Зустріч</b> о 18:00 — «Дружківка»", "HTML")
    assert sent.text == "Зустріч о 18:00 — «Дружківка»"
    photo = await bot.send_photo(user.id, b"\x89PNG\r\n\x1a\n chart", caption="Результати")
    assert photo.caption == "Результати" and photo.photo
    doc = await bot.send_document(user.id, "опитування;голоси\n".encode(), filename="poll.csv")
    assert doc.document is not None and doc.document.file_name == "poll.csv"
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == "опитування;голоси\n".encode()
    assert [m.text or m.caption for m in user.messages()] == [
        "Зустріч о 18:00 — «Дружківка»",
        "Результати",
        None,
    ]


async def test_telegram_errors_come_back_as_ptb_errors(bot: Bot, botapi: BotApiServer) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "x")


async def test_a_slow_answer_is_a_timeout(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", error_code=None, delay=5)
    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "повільно", read_timeout=0.2)


async def test_a_reset_connection_is_a_network_error(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", reset=True)
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "обрив")
    assert user.messages() == []
    again = await bot.send_message(user.id, "знову")  # the client goes on after a reset
    assert again.text == "знову"


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
async def test_nobody_listening_is_a_network_error(client: HttpClient) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = bot_request(Settings(http_client=client), 1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TEST_TOKEN}/getMe")
    finally:
        await request.shutdown()
