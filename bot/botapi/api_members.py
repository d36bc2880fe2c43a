"""Handlers of the Bot API methods about the members of a group chat.

banChatMember, unbanChatMember, getChatMember, getChatAdministrators, getChatMemberCount and
leaveChat, over :attr:`~bot.botapi.state.ChatState.members`.  Each first passes
:func:`~bot.botapi.members.check_bot_in_chat` (a migrated group answers 400 with
``migrate_to_chat_id``, a group without the bot 403).  Banning and unbanning need the bot to
be an administrator with ``can_restrict_members``, else ``400 not enough rights to
restrict/ban chat member``; the owner and administrators cannot be banned.  A banned person
has status ``kicked`` and is no longer among the members; an unbanned one is ``left`` (may
join again).  unbanChatMember works in supergroups only, as documented.  leaveChat makes the
bot ``left`` and tells it with a ``my_chat_member`` update.
"""

from __future__ import annotations

from typing import Any

from .api_messages import Handler, resolve_chat
from .members import change_member, check_bot_in_chat, is_present, simple_member
from .state import ApiError, ApiState, ChatState

__all__ = ["MEMBER_METHODS"]

JSON = dict[str, Any]
NOT_ENOUGH_RIGHTS = "Bad Request: not enough rights to restrict/ban chat member"
SUPERGROUP_ONLY = "Bad Request: method is available for supergroup and channel chats only"
PRIVATE = "Bad Request: chat member status can't be changed in private chats"


def _group(state: ApiState, chat_id: Any) -> ChatState:
    chat = resolve_chat(state, chat_id)
    if chat.is_private:
        raise ApiError(400, PRIVATE)
    check_bot_in_chat(chat, state.bot_id)
    return chat


def _user(state: ApiState, chat: ChatState, user_id: int) -> JSON:
    known = chat.members.get(user_id)
    if known is not None:
        return dict(known["user"])
    if user_id in state.users:
        return dict(state.users[user_id])
    raise ApiError(400, "Bad Request: user not found")


def _can_restrict(state: ApiState, chat: ChatState) -> None:
    bot = chat.members.get(state.bot_id, {})
    if bot.get("status") != "administrator" or not bot.get("can_restrict_members"):
        raise ApiError(400, NOT_ENOUGH_RIGHTS)


def _removable(chat: ChatState, user_id: int) -> None:
    status = chat.members.get(user_id, {}).get("status")
    if status == "creator":
        raise ApiError(400, "Bad Request: can't remove chat owner")
    if status == "administrator":
        raise ApiError(400, "Bad Request: user is an administrator of the chat")


async def ban_chat_member(state: ApiState, params: JSON) -> bool:
    chat = _group(state, params["chat_id"])
    user = _user(state, chat, params["user_id"])
    _can_restrict(state, chat)
    if user["id"] == state.bot_id:
        raise ApiError(400, "Bad Request: can't restrict self")
    _removable(chat, user["id"])
    banned = simple_member(user, "kicked", until_date=int(params.get("until_date", 0)))
    change_member(state, chat, banned, state.bot_user)
    return True


async def unban_chat_member(state: ApiState, params: JSON) -> bool:
    chat = _group(state, params["chat_id"])
    if chat.info["type"] != "supergroup":
        raise ApiError(400, SUPERGROUP_ONLY)
    user = _user(state, chat, params["user_id"])
    _can_restrict(state, chat)
    current = chat.members.get(user["id"])
    banned = current is not None and current["status"] == "kicked"
    if banned or (is_present(current) and not params.get("only_if_banned")):
        _removable(chat, user["id"])
        change_member(state, chat, simple_member(user, "left"), state.bot_user)
    return True


async def get_chat_member(state: ApiState, params: JSON) -> JSON:
    chat = _group(state, params["chat_id"])
    user = _user(state, chat, params["user_id"])
    return dict(chat.members.get(user["id"]) or simple_member(user, "left"))


async def get_chat_administrators(state: ApiState, params: JSON) -> list[JSON]:
    chat = _group(state, params["chat_id"])
    admins = [m for m in chat.members.values() if m["status"] in ("creator", "administrator")]
    if not params.get("return_bots"):
        admins = [m for m in admins if not m["user"]["is_bot"] or m["user"]["id"] == state.bot_id]
    return [dict(m) for m in admins]


async def get_chat_member_count(state: ApiState, params: JSON) -> int:
    chat = _group(state, params["chat_id"])
    return sum(1 for m in chat.members.values() if is_present(m))


async def leave_chat(state: ApiState, params: JSON) -> bool:
    chat = _group(state, params["chat_id"])
    change_member(state, chat, simple_member(state.bot_user, "left"), state.bot_user)
    return True


MEMBER_METHODS: dict[str, Handler] = {
    "banChatMember": ban_chat_member,
    "unbanChatMember": unban_chat_member,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "leaveChat": leave_chat,
}
