"""Send options, the deletion window, the server clock and injected faults of the local Bot
API server, driven by python-telegram-bot over real HTTP."""

from __future__ import annotations

import datetime as dtm
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.botapi import TEST_TOKEN, BotApiServer, validate_call

pytestmark = pytest.mark.asyncio

HOUR = 3600


def tg_error(text: str) -> re.Pattern[str]:
    """A Telegram error text as PTB shows it (without "Bad Request: ", capitalized)."""
    return re.compile(re.escape(text), re.IGNORECASE)


@pytest_asyncio.fixture
async def client(botapi: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as bot:
        yield bot


# -- protect_content and disable_notification ------------------------------------------------
async def test_protect_content_and_disable_notification_are_kept(
    client: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    group = botapi.group("Чутлива група", members=[user])
    sent = await client.send_message(
        group.chat_id, "Зустріч", protect_content=True, disable_notification=True
    )
    assert sent.has_protected_content is True
    shown = group.last_message()
    assert (shown.protect_content, shown.disable_notification) == (True, True)
    assert shown.raw["has_protected_content"] is True and "disable_notification" not in shown.raw
    plain = await client.send_message(user.id, "Звичайне")
    assert not plain.has_protected_content
    assert (user.last_message().protect_content, user.last_message().disable_notification) == (
        False,
        False,
    )
    photo = await client.send_photo(user.id, b"\x89PNG", protect_content=True)
    assert photo.has_protected_content and user.last_message().protect_content
    silent = await client.copy_message(
        user.id, user.id, plain.message_id, disable_notification=True
    )
    assert user.messages()[-1].message_id == silent.message_id
    assert user.messages()[-1].disable_notification

    with pytest.raises(BadRequest, match=tg_error("message can't be forwarded")):
        await client.forward_message(user.id, group.chat_id, sent.message_id)
    with pytest.raises(BadRequest, match=tg_error("message can't be copied")):
        await client.copy_message(user.id, group.chat_id, sent.message_id)
    assert botapi.violations == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_send_options_are_type_checked(client: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    for option in ("protect_content", "disable_notification"):
        with botapi.expect_violation(f"{option} must be a Boolean"), pytest.raises(BadRequest):
            await client.send_message(user.id, "x", api_kwargs={option: "yes"})
    assert user.messages() == []
    base = {"chat_id": 1, "text": "x"}
    assert validate_call("sendMessage", {**base, "protect_content": True}) == []
    assert validate_call("sendMessage", {**base, "protect_content": 1}) == [
        "protect_content must be a Boolean, got 1"
    ]
    for method in ("sendPhoto", "sendDocument", "copyMessage", "forwardMessage"):
        problems = validate_call(method, {"disable_notification": 0, "protect_content": "no"})
        assert "disable_notification must be a Boolean, got 0" in problems, method
        assert "protect_content must be a Boolean, got 'no'" in problems, method


# -- the clock and the 48-hour deletion window -----------------------------------------------
async def test_messages_are_dated_by_the_server_clock(client: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.clock.set(1_800_000_000)
    sent = await client.send_message(user.id, "x")
    assert sent.date == dtm.datetime.fromtimestamp(1_800_000_000, dtm.UTC)
    botapi.clock.advance(90)
    edited = await client.edit_message_text("y", user.id, sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    assert edited.edit_date.timestamp() == 1_800_000_090
    await user.send_text("відповідь")
    [update] = await client.get_updates()
    assert update.message is not None and update.message.date.timestamp() == 1_800_000_090


async def test_an_injected_clock_dates_messages() -> None:
    now = [1_700_000_000.0]
    async with (
        BotApiServer(TEST_TOKEN, clock=lambda: now[0]) as server,
        Bot(TEST_TOKEN, base_url=server.base_url) as client,
    ):
        user = server.user()
        assert (await client.send_message(user.id, "a")).date.timestamp() == 1_700_000_000
        now[0] += 5
        assert (await client.send_message(user.id, "b")).date.timestamp() == 1_700_000_005
        server.clock.follow(lambda: 42.0)
        assert (await client.send_message(user.id, "c")).date.timestamp() == 42


async def test_private_messages_can_be_deleted_only_within_48_hours(
    client: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    old = await client.send_message(user.id, "старе")
    await user.send_text("від людини")
    incoming = user.chat.next_message_id - 1
    botapi.clock.advance(48 * HOUR - 1)
    recent = await client.send_message(user.id, "нове")
    assert await client.delete_message(user.id, incoming)  # incoming, still within 48 h
    botapi.clock.advance(1)
    with pytest.raises(BadRequest, match=tg_error("message can't be deleted for everyone")):
        await client.delete_message(user.id, old.message_id)
    assert [m.text for m in user.messages()] == ["старе", "нове"]
    assert await client.delete_messages(user.id, [old.message_id, recent.message_id])
    assert [m.text for m in user.messages()] == ["старе"]  # the old one is skipped
    assert botapi.violations == []
    await client.get_updates()


async def test_deleting_in_a_group_needs_rights_for_others_messages(
    client: Bot, botapi: BotApiServer
) -> None:
    olena = botapi.user()
    group = botapi.group("Громада", members=[olena])
    own = await client.send_message(group.chat_id, "від бота")
    await olena.send_text("від Олени", chat=group)
    hers = group.chat.next_message_id - 1
    with pytest.raises(BadRequest, match=tg_error("message can't be deleted")):
        await client.delete_message(group.chat_id, hers)
    await group.promote_bot(by=olena, can_restrict_members=True)
    with pytest.raises(BadRequest, match=tg_error("message can't be deleted")):
        await client.delete_message(group.chat_id, hers)  # a supergroup wants the right
    await group.promote_bot(by=olena, can_delete_messages=True)
    assert await client.delete_message(group.chat_id, hers)
    botapi.clock.advance(48 * HOUR)
    with pytest.raises(BadRequest, match=tg_error("message can't be deleted")):
        await client.delete_message(group.chat_id, own.message_id)
    basic = botapi.group("Мала", kind="group", members=[olena], bot_rights={})
    await olena.send_text("у малій", chat=basic)
    assert await client.delete_message(basic.chat_id, basic.chat.next_message_id - 1)
    await client.get_updates()


# -- faults ----------------------------------------------------------------------------------
async def test_connection_reset_before_and_after_applying(
    client: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", reset=True)
    with pytest.raises(NetworkError, match="disconnected"):
        await client.send_message(user.id, "не дійшло")
    assert user.messages() == []
    botapi.fail_next("sendMessage", reset=True, error_code=None)
    with pytest.raises(NetworkError, match="disconnected"):
        await client.send_message(user.id, "дійшло, але бот не знає")
    assert [m.text for m in user.messages()] == ["дійшло, але бот не знає"]
    await client.send_message(user.id, "далі як завжди")
    assert len(user.messages()) == 2
    assert botapi.violations == [] and botapi.errors_returned == []


async def test_a_deactivated_user(client: Bot, botapi: BotApiServer) -> None:
    user, other = botapi.user(), botapi.user()
    await user.deactivate()
    with pytest.raises(Forbidden, match="user is deactivated"):
        await client.send_message(user.id, "ви тут?")
    assert botapi.errors_returned == ["sendMessage: Forbidden: user is deactivated"]
    botapi.fail_next("sendMessage", error_code=403, description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await client.send_message(other.id, "один раз")
    await client.send_message(other.id, "знову можна")
    with pytest.raises(AssertionError, match="deleted their account"):
        await user.send_text("привіт")
