"""Handlers of the Bot API methods about the bot itself, updates, callbacks, commands, files.

``getUpdates`` behaves like Telegram's: updates with an id below ``offset`` are forgotten
(a negative offset keeps only the last ``-offset``), at most ``limit`` (1-100, default 100) are
returned, and with ``timeout`` the call waits until an update arrives (woken by the state's
:class:`~bot.botapi.state.ChangeFeed`, no polling).  A newer getUpdates call ends an older
waiting one with ``409 Conflict`` and an active webhook makes getUpdates fail with 409, as on
Telegram.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from .api_messages import resolve_chat
from .state import DEFAULT_UPDATES, ApiError, ApiState

__all__ = ["MISC_METHODS"]

JSON = dict[str, Any]
Handler = Callable[[ApiState, JSON], Awaitable[Any]]
TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance"
    " is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to"
    " delete the webhook first"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def get_me(state: ApiState, params: JSON) -> JSON:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def return_true(state: ApiState, params: JSON) -> bool:
    return True


async def get_updates(state: ApiState, params: JSON) -> list[JSON]:
    if state.webhook.get("url"):
        raise ApiError(409, WEBHOOK_ACTIVE)
    if "allowed_updates" in params:
        state.allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_UPDATES
    state.confirm_updates(params.get("offset"))
    limit = min(max(int(params.get("limit", 100)), 1), 100)
    state.poll_generation += 1
    generation = state.poll_generation
    state.feed.bump()  # wakes an older waiting getUpdates, which then answers 409

    def ready() -> list[JSON] | None:
        if generation != state.poll_generation:
            raise ApiError(409, TERMINATED)
        pending = state.pending_updates()
        return pending[:limit] if pending or state.closing else None

    result = await state.feed.wait_until(ready, float(params.get("timeout", 0)))
    if generation != state.poll_generation:
        raise ApiError(409, TERMINATED)
    return result or []


async def set_webhook(state: ApiState, params: JSON) -> bool:
    if params.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook = {k: v for k, v in params.items() if k != "certificate"} if params["url"] else {}
    state.webhook_error = None
    if "allowed_updates" in params:  # as with getUpdates: kept until given again
        state.allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_UPDATES
    state.poll_generation += 1  # a waiting getUpdates gets 409
    state.feed.bump()
    return True


async def delete_webhook(state: ApiState, params: JSON) -> bool:
    if params.get("drop_pending_updates"):
        state.updates.clear()
    state.webhook = {}
    return True


async def get_webhook_info(state: ApiState, params: JSON) -> JSON:
    info: JSON = {
        "url": state.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending_updates()),
    }
    for key in ("max_connections", "allowed_updates", "ip_address"):
        if key in state.webhook:
            info[key] = state.webhook[key]
    if state.webhook.get("url") and state.webhook_error is not None:
        info["last_error_date"], info["last_error_message"] = state.webhook_error
    return info


async def answer_callback_query(state: ApiState, params: JSON) -> bool:
    query_id = params["callback_query_id"]
    if query_id not in state.callback_queries or query_id in state.callback_answers:
        raise ApiError(400, QUERY_INVALID)
    state.callback_answers[query_id] = dict(params)
    return True


def _commands_key(params: JSON) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")


async def set_my_commands(state: ApiState, params: JSON) -> bool:
    if params["commands"]:
        state.commands[_commands_key(params)] = [dict(c) for c in params["commands"]]
    else:
        state.commands.pop(_commands_key(params), None)
    return True


async def get_my_commands(state: ApiState, params: JSON) -> list[JSON]:
    return [dict(c) for c in state.commands.get(_commands_key(params), [])]


async def delete_my_commands(state: ApiState, params: JSON) -> bool:
    state.commands.pop(_commands_key(params), None)
    return True


async def get_chat(state: ApiState, params: JSON) -> JSON:
    chat = resolve_chat(state, params["chat_id"])
    gifts = (
        "unlimited_gifts",
        "limited_gifts",
        "unique_gifts",
        "premium_subscription",
        "gifts_from_channels",
    )
    return {
        **chat.info,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(gifts, False),
    }


async def get_file(state: ApiState, params: JSON) -> JSON:
    stored = state.files.get(params["file_id"])
    if stored is None:
        raise ApiError(400, "Bad Request: invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


MISC_METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": return_true,
    "close": return_true,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getChat": get_chat,
    "getFile": get_file,
}
