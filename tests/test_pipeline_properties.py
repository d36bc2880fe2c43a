"""Property-based: generated updates through the real pipeline (hypothesis).

Every update type the bot may meet (messages, edited messages, channel posts and their
edits, button presses with random data on present or missing messages, my_chat_member,
chat_member, and types the bot never asks for), with optional fields left out, huge and
odd strings, in private chats, a known group, unknown groups and channels, from people and
from bots. Each update goes through `Application.process_update` (the pipeline, the router,
every handler) against the local Bot API server and a real SQLite database. Properties:

- nothing fails: no ERROR logged, no "something went wrong" sent, no call Telegram would
  reject (the server's violations);
- every private message from a person is answered in their chat, every press a person made
  is answered;
- the database stays consistent (on SQLite its integrity and foreign-key checks; every stored
  conversation state one the flows declare, every request with its first message).

Hypothesis runs in a worker thread; each example is run on the test's event loop.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from telegram import Update

import flows
from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from flows.fsm import StatesGroup
from storage.models import ConversationState
from tests.running_bot import bot_settings, quiet_bot

pytestmark = pytest.mark.e2e

JSON = dict[str, Any]
PEOPLE = 4
WENT_WRONG = ("щось пішло не так", "что-то пошло не так")
ODD = st.sampled_from(
    [
        "",
        " ",
        "\n\n",
        "\u200b",
        "\u202e",
        "🏳️‍🌈" * 50,
        "<b>",
        "&amp;",
        "/",
        "//",
        "/start@other_bot",
        "/start inv_",
        "/start inv_" + "x" * 60,
        "a" * 4097,
        "я" * 10_000,
        "\x00",
        "\t/help",
    ]
)
TEXT = st.one_of(ODD, st.text(max_size=300), st.text(min_size=3000, max_size=5000))
DATA = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda p, tail: f"{p}{tail}"[:64],
        st.sampled_from(
            [
                "menu:",
                "my:",
                "start:",
                "st:",
                "st:claim:",
                "st:route:",
                "rs:",
                "qp:",
                "ip:",
                "lang:",
                "comm:",
                "ask:",
                "rcat:",
                "mt:",
                "gr:",
                "poll:",
                "vote:",
            ]
        ),
        st.one_of(st.integers(-5, 10**12).map(str), st.text(max_size=20)),
    ),
)


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
async def quiet(botapi: BotApiServer, database_url: str) -> AsyncIterator[HromadaApp]:
    async with quiet_bot(bot_settings(botapi, database_url)) as app:
        yield app


def declared_states() -> set[str]:
    """Every state of every StatesGroup in flows/ (new flows are found without a change)."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(flows.__path__, "flows."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            is_group = isinstance(value, type) and issubclass(value, StatesGroup)
            if is_group and value is not StatesGroup:
                names.update(value.__all_states_names__)
    return names


class World:
    """The people and chats generated updates refer to."""

    def __init__(self, botapi: BotApiServer) -> None:
        self.botapi = botapi
        self.people: list[FakeUser] = [
            botapi.user(language_code=code, username=f"p{i}" if i % 2 else None)
            for i, code in enumerate(["uk", "ru", None, "en"][:PEOPLE])
        ]
        self.group = botapi.group("Робоча група", members=self.people)
        self.next_id = 1

    def update_id(self) -> int:
        self.next_id += 1
        return 10_000_000 + self.next_id


@st.composite
def updates(draw: st.DrawFn, world: World) -> JSON:
    botapi = world.botapi
    kind = draw(
        st.sampled_from(
            ["message"] * 6
            + [
                "edited_message",
                "channel_post",
                "edited_channel_post",
                "callback_query",
                "callback_query",
                "my_chat_member",
                "chat_member",
                "message_reaction",
                "poll_answer",
            ]
        )
    )
    person = draw(st.sampled_from(world.people))
    sender: JSON = dict(person.user)
    if draw(st.integers(0, 9)) == 0:
        sender = {"id": draw(st.integers(1, 2**40)), "is_bot": True, "first_name": "Other bot"}
    if draw(st.booleans()):
        sender.pop("language_code", None)
    where = draw(st.sampled_from(["private"] * 4 + ["group", "unknown group", "channel"]))
    if where == "private":
        chat: JSON = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
    elif where == "group":
        chat = dict(world.group.chat.info)
    elif where == "unknown group":
        chat = {
            "id": -draw(st.integers(10**12, 2 * 10**12)),
            "type": "supergroup",
            "title": draw(TEXT)[:128] or "G",
        }
    else:
        chat = {"id": -draw(st.integers(10**12, 2 * 10**12)), "type": "channel", "title": "C"}
    date = botapi.state.now()
    message: JSON = {"message_id": draw(st.integers(1, 10**6)), "date": date, "chat": chat}
    if kind not in ("channel_post", "edited_channel_post") and draw(st.integers(0, 9)):
        message["from"] = sender
    content = draw(
        st.sampled_from(
            ["text", "command", "sticker", "photo", "contact", "location", "nothing", "caption"]
        )
    )
    if content == "text":
        message["text"] = draw(TEXT) or "x"
    elif content == "command":
        body = "/" + draw(
            st.sampled_from(
                [
                    "start",
                    "help",
                    "language",
                    "community",
                    "cancel",
                    "queue",
                    "inbox",
                    "stats",
                    "link_staff_chat",
                    "privacy",
                    "mydata",
                    "forget",
                    "clear",
                    "x",
                ]
            )
        )
        message["text"] = body + draw(st.sampled_from(["", " ", " " + draw(TEXT)[:100]]))
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body)}]
    elif content == "sticker":
        message["sticker"] = {
            "file_id": "stk1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    elif content in ("photo", "caption"):
        message["photo"] = [
            {
                "file_id": "ph" + draw(st.text("abc123", min_size=1, max_size=8)),
                "file_unique_id": "pu",
                "width": 90,
                "height": 90,
            }
        ]
        if content == "caption":
            message["caption"] = draw(TEXT) or "c"
    elif content == "contact":
        message["contact"] = {
            "phone_number": draw(st.text("+0123456789", max_size=20)) or "+1",
            "first_name": draw(TEXT)[:64] or "N",
        }
    elif content == "location":
        message["location"] = {"latitude": 48.6, "longitude": 37.5}
    if kind in ("edited_message", "edited_channel_post"):
        message["edit_date"] = date
    if kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        return {"update_id": world.update_id(), kind: message}
    if kind == "callback_query":
        query: JSON = {"id": botapi.state.new_id("9900"), "from": sender, "chat_instance": "1"}
        if draw(st.booleans()):
            query["data"] = draw(DATA)
        if draw(st.integers(0, 4)):
            query["message"] = {**message, "from": botapi.bot_user}
        return {"update_id": world.update_id(), "callback_query": query}
    if kind in ("my_chat_member", "chat_member"):
        old, new = draw(st.permutations(["member", "kicked", "left", "administrator"]))[:2]
        target = botapi.bot_user if kind == "my_chat_member" else sender

        def member(status: str) -> JSON:
            value: JSON = {"status": status, "user": target}
            if status == "kicked":
                value["until_date"] = 0
            if status == "administrator":
                value.update(
                    can_be_edited=False,
                    is_anonymous=False,
                    can_manage_chat=True,
                    can_delete_messages=False,
                    can_manage_video_chats=False,
                    can_restrict_members=draw(st.booleans()),
                    can_promote_members=False,
                    can_change_info=False,
                    can_invite_users=False,
                    can_post_stories=False,
                    can_edit_stories=False,
                    can_delete_stories=False,
                )
            return value

        change = {
            "chat": chat,
            "from": sender,
            "date": date,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return {"update_id": world.update_id(), kind: change}
    if kind == "message_reaction":
        reaction = {
            "chat": chat,
            "message_id": 1,
            "date": date,
            "user": sender,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return {"update_id": world.update_id(), "message_reaction": reaction}
    return {
        "update_id": world.update_id(),
        "poll_answer": {
            "poll_id": "p1",
            "user": sender,
            "option_ids": [0],
            "option_persistent_ids": ["0"],
        },
    }


def answered_in(botapi: BotApiServer, since: int, chat_id: int) -> bool:
    return any(
        str(call.params.get("chat_id")) == str(chat_id)
        for call in botapi.calls[since:]
        if call.method.startswith(("send", "edit", "copy", "forward"))
    )


async def run_one(app: HromadaApp, botapi: BotApiServer, raw: JSON, errors: Errors) -> None:
    before_calls, before_violations = len(botapi.calls), len(botapi.violations)
    query = raw.get("callback_query")
    if query is not None and not query["from"]["is_bot"]:
        botapi.state.callback_queries[query["id"]] = query  # a press the server knows of
    update = Update.de_json(raw, app.bot)
    assert update is not None
    await app.process_update(update)
    assert errors.records == [], (raw, errors.records)
    assert botapi.violations[before_violations:] == [], raw
    sent = [c.params.get("text") or "" for c in botapi.calls[before_calls:]]
    assert not any(w in t for t in sent for w in WENT_WRONG), (raw, sent)
    message = raw.get("message")
    sender = (message or {}).get("from") or {}
    if (
        message is not None
        and message["chat"]["type"] == "private"
        and not sender.get("is_bot", True)
    ):
        assert answered_in(botapi, before_calls, message["chat"]["id"]), raw
    if query is not None and not query["from"]["is_bot"]:
        assert query["id"] in botapi.callback_answers, raw


async def check_database(app: HromadaApp) -> None:
    engine = app.lifecycle.engine
    assert engine is not None
    known = declared_states()
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # PostgreSQL enforces its keys on every write
            assert (await conn.execute(text("PRAGMA integrity_check"))).scalar_one() == "ok"
            assert (await conn.execute(text("PRAGMA foreign_key_check"))).all() == []
        states = (await conn.execute(select(ConversationState.state))).scalars().all()
        assert {s for s in states if s} <= known, set(states) - known
        orphans = await conn.execute(
            text(
                "SELECT id FROM service_requests r WHERE NOT EXISTS "
                "(SELECT 1 FROM request_messages m WHERE m.request_id = r.id)"
            )
        )
        assert orphans.all() == []


async def test_generated_updates_through_the_pipeline(
    botapi: BotApiServer, quiet: HromadaApp, errors: Errors
) -> None:
    loop = asyncio.get_running_loop()
    world = World(botapi)
    runs = 0

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def property_holds(data: st.DataObject) -> None:
        nonlocal runs
        batch = data.draw(st.lists(updates(world), min_size=4, max_size=12))
        for raw in batch:
            asyncio.run_coroutine_threadsafe(run_one(quiet, botapi, raw, errors), loop).result(60)
        runs += len(batch)

    await asyncio.to_thread(property_holds)
    await check_database(quiet)
    assert runs >= 1000, runs  # thousands of updates in all
