"""The session-wide privacy check: after every test that ran the bot against the local Bot
API server on a test database, no message the bot sent to staff (a staff member's private
chat, a staff chat) carries a Telegram id, username or name of a resident who did not
share their contact. Wired in `tests/conftest.py` (`pytest_runtest_call`), so it covers
every end-to-end test, requests, groups, meetings and polls alike.

Who is staff comes from the test's database (`staff_roles`, `staff_chats`,
`staff_chat_cards`, and `group_chats`: a self-help group's own chat, which its facilitator
reads); who shared contact from its requests (`contact_name`,
`contact_username`), or from `shared_contact(user)` for a test that shares and then erases
it (/forget).
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import (
    GroupChat,
    ServiceRequest,
    StaffChat,
    StaffChatCard,
    StaffRole,
    User,
)

# Methods that put something in a chat; each param that can carry visible text.
SENDING = {
    "sendMessage": ("text", "reply_markup"),
    "editMessageText": ("text", "reply_markup"),
    "editMessageCaption": ("caption", "reply_markup"),
    "editMessageReplyMarkup": ("reply_markup",),
    "sendPhoto": ("caption", "reply_markup"),
    "sendDocument": ("caption", "reply_markup"),
    "sendMediaGroup": ("media",),
    "copyMessage": ("caption", "reply_markup"),
    "sendPoll": ("question", "options", "explanation"),
    "sendLocation": ("reply_markup",),
    "sendContact": ("first_name", "last_name", "phone_number"),
}
# Forwarding a resident's message would show them as its sender.
FORWARDS = {"forwardMessage", "forwardMessages"}

_shared: set[int] = set()


def shared_contact(user: FakeUser) -> None:
    """Mark `user` as having shared their contact in this test (their name may be shown)."""
    _shared.add(user.id)


@dataclass(frozen=True)
class Staff:
    people: frozenset[int]
    chats: frozenset[int]
    shared_names: frozenset[str]
    shared_usernames: frozenset[str]


async def _read(database_url: str) -> Staff:
    # A plain engine, not the bot's (whose SQLite transactions BEGIN IMMEDIATE): the test's
    # loop may have stopped while the bot held a write transaction; a WAL reader still reads.
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            people = set(
                (
                    await conn.execute(
                        select(User.telegram_id).join(StaffRole, StaffRole.user_id == User.id)
                    )
                ).scalars()
            )
            chats = set((await conn.execute(select(StaffChat.chat_id))).scalars())
            chats |= set((await conn.execute(select(StaffChatCard.chat_id))).scalars())
            chats |= set((await conn.execute(select(GroupChat.chat_id))).scalars())
            contacts = (
                await conn.execute(
                    select(ServiceRequest.contact_name, ServiceRequest.contact_username)
                )
            ).all()
    finally:
        await engine.dispose()
    return Staff(
        frozenset(int(p) for p in people),
        frozenset(int(c) for c in chats),
        frozenset(name for name, _u in contacts if name),
        frozenset(user for _n, user in contacts if user),
    )


def read_staff(database_url: str) -> Staff:
    """The database read in a thread of its own (its own event loop: the test's is done)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _read(database_url)).result()


def _words(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)


def _secrets(user: FakeUser, staff: Staff) -> list[tuple[str, re.Pattern[str]]]:
    raw = user.user
    full = " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if p)
    if user.id in _shared or full in staff.shared_names:
        return []
    if raw.get("username") and raw["username"] in staff.shared_usernames:
        return []
    found = [("telegram id", re.compile(rf"(?<!\d){user.id}(?!\d)"))]
    for kind, value in (
        ("first name", raw.get("first_name")),
        ("last name", raw.get("last_name")),
        ("username", raw.get("username")),
    ):
        if value:
            found.append((kind, _words(str(value))))
    return found


def _visible(params: dict[str, Any], keys: tuple[str, ...]) -> str:
    parts = []
    for key in keys:
        value = params.get(key)
        if value is None:
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return "\n".join(parts)


def leaks(botapi: BotApiServer, database_url: str) -> list[str]:
    """Every message to staff that names a resident who did not share contact."""
    staff = read_staff(database_url)
    audience = staff.people | staff.chats
    if not audience:
        return []
    residents = [u for uid, u in botapi.users.items() if uid not in staff.people]
    secrets = [(u, kind, pattern) for u in residents for kind, pattern in _secrets(u, staff)]
    found: list[str] = []
    for call in botapi.calls:
        try:
            chat = int(call.params.get("chat_id", 0))
        except (TypeError, ValueError):
            continue
        if chat not in audience:
            continue
        if call.method in FORWARDS:
            source = int(call.params.get("from_chat_id", 0))
            if any(source == u.id for u in residents if _secrets(u, staff)):
                found.append(f"{call.method} of resident {source}'s message to staff {chat}")
            continue
        keys = SENDING.get(call.method)
        if keys is None:
            continue
        text = _visible(call.params, keys)
        for user, kind, pattern in secrets:
            if pattern.search(text):
                found.append(
                    f"{call.method} to staff {chat} shows resident {user.id}'s {kind}: "
                    f"{text[:160]!r}"
                )
    return found


def reset() -> None:
    _shared.clear()
