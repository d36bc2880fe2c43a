"""Tests of the local Bot API server, driven by python-telegram-bot over real HTTP.

The ``botapi`` fixture comes from :mod:`tests.botapi.fixtures` via ``tests/conftest.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.botapi import TEST_TOKEN, BotApiServer, validate_call
from bot.botapi.formatting import EntityParseError, parse_html

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[1]


def tg_error(text: str) -> re.Pattern[str]:
    """Match a Telegram error text in a PTB exception (PTB strips "Bad Request: " and applies
    str.capitalize(), which lower-cases everything after the first letter)."""
    return re.compile(re.escape(text), re.IGNORECASE)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=f"cb:{t}")] for t in labels]
    )


@pytest_asyncio.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=5.0)
    async with Bot(
        TEST_TOKEN, base_url=botapi.base_url, base_file_url=botapi.base_file_url, request=request
    ) as client:
        yield client


# -- basics ---------------------------------------------------------------------------------
async def test_get_me(bot: Bot, botapi: BotApiServer) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (7000001, True, "hromada_test_bot")
    assert botapi.calls_of("getMe")[-1] == {}  # Bot.initialize() called getMe first


async def test_wrong_token_is_unauthorized_not_a_violation(botapi: BotApiServer) -> None:
    with pytest.raises(InvalidToken):  # Bot.initialize() calls getMe
        async with Bot("999:WRONG", base_url=botapi.base_url):
            pass
    assert botapi.violations == []


async def test_html_message_with_keyboard_is_what_the_user_sees(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    sent = await bot.send_message(
        user.id,
        "<b>Вітаю</b>, &lt;друже&gt; &#128075;",
        parse_mode="HTML",
        reply_markup=keyboard("Так", "Ні"),
    )
    assert sent.text == "Вітаю, <друже> 👋"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
    [shown] = user.messages()
    assert shown.message_id == sent.message_id
    assert shown.text == "Вітаю, <друже> 👋"
    assert shown.button_texts() == ["Так", "Ні"]
    assert shown.buttons[0][0].callback_data == "cb:Так"
    assert user.last_message() == shown
    assert botapi.calls_of("sendMessage")[0]["parse_mode"] == "HTML"


async def test_reply_keyboard_is_kept_on_the_message(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await bot.send_message(user.id, "Оберіть", reply_markup=ReplyKeyboardMarkup([["А", "Б"]]))
    assert user.last_message().reply_keyboard == [["А", "Б"]]
    assert "reply_markup" not in user.last_message().raw


async def test_message_ids_are_per_chat_and_include_the_users_messages(
    bot: Bot, botapi: BotApiServer
) -> None:
    olena, petro = botapi.user(), botapi.user(first_name="Петро")
    await olena.send_text("привіт")
    first = await bot.send_message(olena.id, "1")
    other = await bot.send_message(petro.id, "2")
    assert (first.message_id, other.message_id) == (2, 1)
    assert "#1 Олена: 'привіт'" in olena.history()


# -- pressing buttons ------------------------------------------------------------------------
async def test_press_missing_button_lists_existing_ones(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await bot.send_message(user.id, "?", reply_markup=keyboard("Так", "Ні"))
    with pytest.raises(AssertionError, match=r"'Може'.*\['Так', 'Ні'\]"):
        await user.press(user.last_message(), "Може")


async def test_press_uses_current_version_and_delivers_callback(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "?", reply_markup=keyboard("Так"))
    stale = user.last_message()
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("Далі"))
    with pytest.raises(AssertionError, match="Далі"):
        await user.press(stale, "Так")
    update_id = await user.press(stale, "Далі")
    [update] = await bot.get_updates()
    assert update.update_id == update_id
    query = update.callback_query
    assert query is not None and query.data == "cb:Далі" and query.from_user.id == user.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert botapi.unanswered_callbacks() != []
    await query.answer("Готово")
    assert botapi.callback_answers[query.id]["text"] == "Готово"
    assert botapi.unanswered_callbacks() == []


async def test_forged_press_is_delivered(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await bot.send_message(user.id, "?", reply_markup=keyboard("Так"))
    await user.press_data(user.last_message(), "admin:delete_everything")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "admin:delete_everything"
    await update.callback_query.answer()


async def test_pressing_a_deleted_message_fails(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "?", reply_markup=keyboard("Так"))
    shown = user.last_message()
    assert await bot.delete_message(user.id, sent.message_id)
    assert user.messages() == []
    with pytest.raises(AssertionError, match="not visible"):
        await user.press(shown, "Так")


# -- violations ------------------------------------------------------------------------------
async def test_too_long_text_is_a_violation(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await bot.send_message(user.id, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")
    with botapi.expect_violation("message text is too long"), pytest.raises(BadRequest):
        await bot.send_message(user.id, "я" * 4097)
    assert len(user.messages()) == 1


async def test_callback_data_is_limited_in_bytes(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ї" * 32)]])
    await bot.send_message(user.id, "64 bytes", reply_markup=ok)
    bad = InlineKeyboardMarkup([[InlineKeyboardButton("bad", callback_data="x" + "ї" * 32)]])
    with botapi.expect_violation("BUTTON_DATA_INVALID"), pytest.raises(BadRequest):
        await bot.send_message(user.id, "65 bytes", reply_markup=bad)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_unknown_and_missing_parameters_are_violations(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    with botapi.expect_violation('unknown parameter "colour"'), pytest.raises(BadRequest):
        await bot.send_message(user.id, "x", api_kwargs={"colour": "red"})
    with (
        botapi.expect_violation('required parameter "text" is missing'),
        pytest.raises(BadRequest),
    ):
        await bot.do_api_request("sendMessage", api_kwargs={"chat_id": user.id})
    with (
        botapi.expect_violation("disable_notification must be a Boolean"),
        pytest.raises(BadRequest),
    ):
        await bot.send_message(user.id, "x", api_kwargs={"disable_notification": "yes"})
    assert user.messages() == []


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a & b", 'Character "&" starts no valid HTML entity'),
        ("1 < 2", "Unsupported start tag"),
        ("<b><i>x</b></i>", 'Unmatched end tag, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("&nbsp;", "starts no valid HTML entity"),
    ],
)
async def test_broken_html_is_a_violation(
    bot: Bot, botapi: BotApiServer, html: str, reason: str
) -> None:
    user = botapi.user()
    with (
        botapi.expect_violation(reason),
        pytest.raises(BadRequest, match=tg_error("can't parse entities")),
    ):
        await bot.send_message(user.id, html, parse_mode="HTML")


async def test_markdown_is_not_supported(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    with botapi.expect_violation("not supported by the test server"), pytest.raises(BadRequest):
        await bot.send_message(user.id, "*x*", parse_mode="MarkdownV2")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_unknown_and_unimplemented_methods(bot: Bot, botapi: BotApiServer) -> None:
    with (
        botapi.expect_violation('unknown method "sendTelepathy"'),
        pytest.raises(EndPointNotFound),  # Telegram answers 404 Not Found
    ):
        await bot.do_api_request("sendTelepathy")
    with botapi.expect_violation("not implemented by test server"), pytest.raises(BadRequest):
        await bot.do_api_request("getMyName")


async def test_callback_answer_text_limit(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await bot.send_message(user.id, "?", reply_markup=keyboard("Так"))
    await user.press(user.last_message(), "Так")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    with botapi.expect_violation("callback answer text is too long"), pytest.raises(BadRequest):
        await update.callback_query.answer("x" * 201)
    await update.callback_query.answer("x" * 200)


async def test_validate_call_limits() -> None:
    assert validate_call("getMe", {}) == []
    commands = [{"command": "start", "description": "Почати"}]
    assert validate_call("setMyCommands", {"commands": commands, "language_code": "uk"}) == []
    bad = [{"command": "Start-Now", "description": ""}]
    problems = validate_call("setMyCommands", {"commands": bad, "language_code": "ukr"})
    assert any("BOT_COMMAND_INVALID" in p for p in problems)
    assert any("BOT_COMMAND_DESCRIPTION_INVALID" in p for p in problems)
    assert any("language_code" in p for p in problems)
    scope = {"type": "chat"}  # BotCommandScopeChat lacks chat_id
    problems = validate_call("setMyCommands", {"commands": commands, "scope": scope})
    assert problems == ['scope lacks required field "chat_id" of BotCommandScopeChat']
    assert validate_call("deleteMyCommands", {"scope": {"type": "chat", "chat_id": 5}}) == []
    many = [{"command": f"c{i}", "description": "d"} for i in range(101)]
    assert any("too many commands" in p for p in validate_call("setMyCommands", {"commands": many}))
    row = [{"text": str(i), "callback_data": str(i)} for i in range(101)]
    markup = {"inline_keyboard": [row]}
    problems = validate_call("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup})
    assert any("REPLY_MARKUP_TOO_LONG" in p for p in problems)
    markup = {"inline_keyboard": [[{"text": "", "callback_data": "x"}, {"text": "plain"}]]}
    problems = validate_call("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup})
    assert any("BUTTON_TEXT_EMPTY" in p for p in problems)
    assert any("text buttons are unallowed" in p for p in problems)
    problems = validate_call("sendPhoto", {"chat_id": 1, "photo": "id", "caption": "я" * 1025})
    assert problems == [
        "message caption is too long (1025 characters after entity parsing, max 1024)"
    ]
    assert validate_call("sendChatAction", {"chat_id": 1, "action": "dancing"}) != []


async def test_html_parser_entities_and_trimming() -> None:
    link = '<a href="https://x.ua/?a=1&amp;b=2">лінк</a>'
    parsed = parse_html(f' {link} <pre><code class="language-py">x</code></pre>\n')
    assert parsed.text == "лінк x"
    assert parsed.entities == [
        {"offset": 0, "length": 4, "type": "text_link", "url": "https://x.ua/?a=1&b=2"},
        {"offset": 5, "length": 1, "type": "pre", "language": "py"},
    ]
    assert parse_html("😀<b>x</b>").entities == [{"offset": 2, "length": 1, "type": "bold"}]
    assert parse_html("<B>a</B> > b &quot;&#x44;&quot;").text == 'a > b "D"'
    with pytest.raises(EntityParseError, match="byte offset 2"):
        parse_html("я<x>")


# -- editing and deleting --------------------------------------------------------------------
async def test_edit_not_modified_and_not_found_are_errors_not_violations(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "<b>Той самий</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=tg_error("message is not modified")):
        await bot.edit_message_text("<b>Той самий</b>", user.id, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match=tg_error("message to edit not found")):
        await bot.edit_message_text("новий", user.id, 999)
    other = botapi.user()
    with pytest.raises(BadRequest, match=tg_error("message to edit not found")):
        await bot.edit_message_text("новий", other.id, sent.message_id)
    with pytest.raises(BadRequest, match=tg_error("message to delete not found")):
        await bot.delete_message(user.id, 999)
    assert botapi.violations == []
    assert len(botapi.errors_returned) == 4
    edited = await bot.edit_message_text("Інший", user.id, sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    assert user.last_message().edited and user.last_message().text == "Інший"


async def test_editing_text_without_markup_removes_the_keyboard(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "?", reply_markup=keyboard("Так"))
    await bot.edit_message_text("!", user.id, sent.message_id)
    assert user.last_message().buttons == []


# -- waiting ---------------------------------------------------------------------------------
async def test_wait_for_sees_new_and_edited_messages(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    sent = await bot.send_message(user.id, "крок 1")
    waiter = asyncio.create_task(user.wait_for_text("крок 2"))
    await bot.send_message(user.id, "інше")
    await bot.edit_message_text("крок 2", user.id, sent.message_id)
    found = await asyncio.wait_for(waiter, 5)
    assert (found.message_id, found.edited) == (sent.message_id, True)
    async with user.expect_message(lambda m: m.text == "готово") as got:
        await bot.send_message(user.id, "готово")
    assert got.message.text == "готово"


async def test_wait_for_timeout_shows_history(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await user.send_text("алло")
    await bot.send_message(user.id, "старе", reply_markup=keyboard("Так"))
    with pytest.raises(AssertionError, match=r"(?s)#1 Олена: 'алло'.*#2 bot: 'старе'.*Так"):
        await user.wait_for(timeout=0.05)
    await bot.get_updates()


async def test_wait_for_call(bot: Bot, botapi: BotApiServer) -> None:
    waiter = asyncio.create_task(botapi.wait_for_call("setMyCommands"))
    await bot.set_my_commands([BotCommand("start", "Почати")])
    call = await asyncio.wait_for(waiter, 5)
    assert call.params["commands"] == [{"command": "start", "description": "Почати"}]


# -- updates ---------------------------------------------------------------------------------
async def test_get_updates_offset_semantics(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    ids = [await user.send_text(f"m{i}") for i in range(3)]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[0])] == ids[1:]  # forgotten
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[1:2]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    later = await user.send_text("later")
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [later]


async def test_long_poll_wakes_up_on_a_new_update(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await botapi.wait_for_call("getUpdates", answered=False)
    await user.send_text("прокинься")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["прокинься"]
    assert time.monotonic() - started < 5


async def test_long_poll_returns_empty_after_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_newer_get_updates_terminates_older_one(bot: Bot, botapi: BotApiServer) -> None:
    old = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await botapi.wait_for_call("getUpdates", answered=False)
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as second_instance:
        assert await second_instance.get_updates() == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(old, 5)


async def test_user_content_kinds_reach_the_bot(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user(username="olena_k")
    group = botapi.group("Громада")
    await user.send_command("/start@hromada_test_bot abc", chat=group)
    await user.send_photo(caption="фото")
    await user.send_document("звіт.pdf")
    await user.send_sticker()
    await user.send_contact()
    await user.send_location()
    await user.send_voice()
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    command = messages[0]
    assert command.chat.id == group.chat_id and command.chat.type == "supergroup"
    assert command.parse_entities(["bot_command"]).popitem()[1] == "/start@hromada_test_bot"
    assert messages[1].caption == "фото" and len(messages[1].photo) == 2
    assert messages[2].document is not None and messages[2].document.file_name == "звіт.pdf"
    photo_file = await bot.get_file(messages[1].photo[-1].file_id)
    assert bytes(await photo_file.download_as_bytearray()).startswith(b"\xff\xd8")
    assert messages[3].sticker and messages[4].contact and messages[5].location
    assert messages[6].voice is not None and messages[6].voice.to_dict()["duration"] == 3


# -- blocking and faults ---------------------------------------------------------------------
async def test_blocked_user_gives_forbidden(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    await user.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "ви тут?")
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    await user.unblock_bot()
    await bot.send_message(user.id, "знову разом")
    assert [m.text for m in user.messages()] == ["знову разом"]
    assert botapi.violations == []


async def test_bot_cannot_write_first_to_a_user_who_never_started_it(
    bot: Bot, botapi: BotApiServer
) -> None:
    user = botapi.user(started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(user.id, "привіт")
    await user.send_command("/start")
    await bot.send_message(user.id, "привіт")


async def test_fail_next_retry_after(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)  # PTB_TIMEDELTA (bot/__init__)
    assert user.messages() == []
    await bot.send_message(user.id, "x")
    assert len(user.messages()) == 1


async def test_fail_next_server_error_times(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(user.id, "x")
    await bot.send_message(user.id, "x")
    assert len(user.messages()) == 1
    assert botapi.errors_returned == [] and botapi.violations == []


async def test_fail_next_delay_times_out_the_client(bot: Bot, botapi: BotApiServer) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", delay=0.5, error_code=None)
    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "повільно", read_timeout=0.1)
    assert user.messages() == []
    late = await user.wait_for(timeout=5)  # the call was applied after the delay
    assert late.text == "повільно"


# -- commands, chats, files ------------------------------------------------------------------
async def test_commands_are_stored_per_scope_and_language(bot: Bot, botapi: BotApiServer) -> None:
    await bot.set_my_commands([BotCommand("start", "Почати")], language_code="uk")
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands([BotCommand("report", "Звіт")], scope=groups)
    assert [c.command for c in await bot.get_my_commands(language_code="uk")] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=groups)] == ["report"]
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(scope=groups)
    assert await bot.get_my_commands(scope=groups) == ()


async def test_files_chats_copy_and_forward(bot: Bot, botapi: BotApiServer) -> None:
    user, group = botapi.user(), botapi.group("Робоча група")
    doc = await bot.send_document(
        user.id, b"%PDF data", filename="plan.pdf", caption="<i>План</i>", parse_mode="HTML"
    )
    assert doc.document is not None and doc.caption == "План"
    again = await bot.send_document(group.chat_id, doc.document.file_id)
    assert again.document is not None and again.document.file_name == "plan.pdf"
    file = await bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF data"
    photo = await bot.send_photo(user.id, b"\x89PNG fake")
    assert len(photo.photo) == 2
    copied = await bot.copy_message(group.chat_id, user.id, doc.message_id, caption="Копія")
    assert group.messages()[-1].message_id == copied.message_id
    assert group.messages()[-1].caption == "Копія"
    forwarded = await bot.forward_message(group.chat_id, user.id, photo.message_id)
    assert forwarded.forward_origin is not None and forwarded.photo
    chat = await bot.get_chat(group.chat_id)
    assert (chat.title, chat.type) == ("Робоча група", "supergroup")
    assert await bot.send_chat_action(user.id, "typing")
    with pytest.raises(BadRequest, match=tg_error("chat not found")):
        await bot.send_message(424242, "x")


async def test_webhook_methods(bot: Bot, botapi: BotApiServer) -> None:
    await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


# -- a real Application polling --------------------------------------------------------------
async def test_application_polling_echo_and_buttons(botapi: BotApiServer) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"Ви написали: {update.effective_message.text}", reply_markup=keyboard("Ок")
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Натиснуто {query.data}")

    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(TEST_TOKEN)
        .base_url(botapi.base_url)
        .base_file_url(botapi.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    user = botapi.user()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        async with user.expect_message() as got:
            await user.send_text("привіт")
        assert got.message.text == "Ви написали: привіт"
        await user.press(got.message, "Ок")
        edited = await user.wait_for(lambda m: m.edited)
        assert edited.text == "Натиснуто cb:Ок" and edited.buttons == []
        assert len(botapi.calls_of("answerCallbackQuery")) == 1
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert botapi.unanswered_callbacks() == []


# -- standalone process ----------------------------------------------------------------------
async def test_cli_serves_until_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.botapi",
        "--port",
        "0",
        "--token",
        TEST_TOKEN,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        base_url = line.strip().rsplit(" ", 1)[-1]
        async with Bot(TEST_TOKEN, base_url=base_url) as client:
            assert (await client.get_me()).username == "hromada_test_bot"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_spec_location_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.botapi import spec

    assert spec.spec_path() == ROOT / "bot/botapi/data/api.json"
    assert spec.spec_path().is_relative_to(ROOT)
    custom = tmp_path / "api.json"
    custom.write_text(json.dumps({"methods": {}, "types": {}}))
    monkeypatch.setenv(spec.SPEC_ENV, str(custom))
    assert spec.spec_path() == custom
