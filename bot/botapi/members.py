"""Who is in a group chat, as ChatMember JSON, and the rules Telegram applies to it.

A group's :attr:`~bot.botapi.state.ChatState.members` maps a user id (people and the bot)
to the ChatMember object Telegram would return for them: ``creator``, ``administrator``,
``member``, ``left`` or ``kicked`` (``restricted`` is not modelled).  A person or the bot is *in*
the chat when the status is one of :data:`PRESENT`.  Builders here return spec-complete
objects (``ChatMemberAdministrator`` carries every required right, ``False`` unless granted);
:func:`member_updated` builds the ``ChatMemberUpdated`` of ``my_chat_member`` and
``chat_member`` updates.

:func:`check_bot_in_chat` is the gate of every method acting in a group: a migrated group
answers ``400 group chat was upgraded to a supergroup chat`` with
``parameters.migrate_to_chat_id``; a group the bot was removed from answers ``403 bot was
kicked from the group chat`` (``... supergroup chat``); one it never joined or left, ``403 bot
is not a member of the group chat``.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from .spec import load_spec
from .state import ApiError, ApiState, ChatState

__all__ = [
    "PRESENT",
    "UPGRADED",
    "admin_rights",
    "administrator",
    "admit",
    "bot_present",
    "change_member",
    "check_bot_in_chat",
    "is_present",
    "member_updated",
    "simple_member",
]

JSON = dict[str, Any]
PRESENT = frozenset({"creator", "administrator", "member", "restricted"})
UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"


@functools.cache
def admin_rights() -> tuple[tuple[str, bool], ...]:
    """Every ``can_*`` field of ChatMemberAdministrator in the spec, with whether it is
    required (``can_be_edited`` is not a right and is left out)."""
    fields = load_spec().types["ChatMemberAdministrator"]["fields"]
    return tuple(
        (f["name"], bool(f["required"]))
        for f in fields
        if f["name"].startswith("can_") and f["name"] != "can_be_edited"
    )


def administrator(user: JSON, rights: dict[str, bool], *, custom_title: str | None = None) -> JSON:
    """A ChatMemberAdministrator for ``user``: the rights named in ``rights`` as given, the
    other required ones ``False``; ``can_manage_chat`` is implied by any admin (as on
    Telegram).  Unknown right names raise ValueError."""
    known = dict(admin_rights())
    unknown = sorted(set(rights) - set(known))
    if unknown:
        raise ValueError(f"unknown administrator rights: {unknown}; known: {sorted(known)}")
    member: JSON = {"status": "administrator", "user": dict(user), "can_be_edited": False}
    member["is_anonymous"] = False
    for name, required in known.items():
        if name in rights:
            member[name] = bool(rights[name])
        elif required:
            member[name] = False
    member["can_manage_chat"] = True
    if custom_title is not None:
        member["custom_title"] = custom_title
    return member


def simple_member(user: JSON, status: str, *, until_date: int = 0) -> JSON:
    """A ChatMemberOwner (``creator``), ChatMemberMember, ChatMemberLeft or ChatMemberBanned
    (``kicked``, with ``until_date``; 0 is forever)."""
    member: JSON = {"status": status, "user": dict(user)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = until_date
    elif status not in ("member", "left"):
        raise ValueError(f"use administrator() for status {status!r}")
    return member


def is_present(member: JSON | None) -> bool:
    """Whether the ChatMember is in the chat now."""
    return member is not None and member["status"] in PRESENT


def member_updated(chat: ChatState, actor: JSON, date: int, old: JSON, new: JSON) -> JSON:
    """A ChatMemberUpdated: ``actor`` changed a member of ``chat`` from ``old`` to ``new``."""
    return {
        "chat": dict(chat.info),
        "from": dict(actor),
        "date": date,
        "old_chat_member": copy.deepcopy(old),
        "new_chat_member": copy.deepcopy(new),
    }


def check_bot_in_chat(chat: ChatState, bot_id: int) -> None:
    """Raise the ApiError Telegram answers when the bot may not act in group ``chat``."""
    if chat.is_private:
        return
    if chat.migrated_to is not None:
        raise ApiError(400, UPGRADED, migrate_to_chat_id=chat.migrated_to)
    bot = chat.members.get(bot_id)
    if is_present(bot):
        return
    kind = "supergroup" if chat.info["type"] == "supergroup" else "group"
    if bot is not None and bot["status"] == "kicked":
        raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
    raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")


def change_member(state: ApiState, chat: ChatState, new: JSON, actor: JSON) -> list[int]:
    """Set ``new`` (a ChatMember) in ``chat`` as done by ``actor`` and queue what the bot is
    told: ``my_chat_member`` when the member is the bot, ``chat_member`` when it is someone
    else and the bot is an administrator (delivered only if the bot asked for
    ``chat_member`` in ``allowed_updates``, as on Telegram).  Returns the update ids."""
    user_id = int(new["user"]["id"])
    old = chat.members.get(user_id) or simple_member(new["user"], "left")
    chat.members[user_id] = new
    update = member_updated(chat, actor, state.now(), old, new)
    if user_id == state.bot_id:
        return [state.enqueue_update("my_chat_member", update)]
    bot = chat.members.get(state.bot_id)
    if bot is not None and bot["status"] == "administrator":
        return [state.enqueue_update("chat_member", update)]
    return []


def admit(chat: ChatState, user: JSON) -> None:
    """Let a person act (write, press) in group ``chat``: someone never seen there is taken
    as a member who was in it all along (silently); someone who left or was banned, or a
    group that became a supergroup, is a mistake in the test (AssertionError)."""
    if chat.migrated_to is not None:
        raise AssertionError(
            f"group {chat.chat_id} was upgraded to supergroup {chat.migrated_to}; act there"
        )
    member = chat.members.get(int(user["id"]))
    if member is None:
        chat.members[int(user["id"])] = simple_member(user, "member")
    elif not is_present(member):
        raise AssertionError(
            f"user {user['id']} is not in group {chat.chat_id} (status {member['status']!r});"
            " add_member() first"
        )


def bot_present(state: ApiState, chat: ChatState) -> bool:
    """Whether the bot is in ``chat`` now (always true for a private chat)."""
    return chat.is_private or is_present(chat.members.get(state.bot_id))
