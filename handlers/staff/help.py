"""The commands of each staff role, in one place: /help lists those of every role the
person holds (after what every resident reads) and the welcome of an invitation those of
the role just taken (`handlers/staff/invites.py`). Residents get nothing from here."""

from __future__ import annotations

from collections.abc import Callable

from handlers.core.context import HromadaContext
from locales import n_
from storage.repositories import staff

# role -> its block of /help and of the welcome, in the order /help shows them
ROLE_COMMANDS = {
    "moderator": n_(
        "<b>For moderators</b>\n"
        "/queue: your community's open requests\n"
        "/stats: statistics\n"
        "/link_staff_chat: run it in your staff group chat to receive new requests "
        "there\n"
        "/groups: self-help groups: create, edit, members, requests to join\n"
        "/meetings: working-group meetings: create, move, cancel\n"
        "/poll: a new poll\n"
        "/polls: your polls and their results"
    ),
    "provider": n_("<b>For providers</b>\n/inbox: the requests routed to your organisation"),
    "facilitator": n_(
        "<b>For facilitators</b>\n"
        "/groups: your group: members, requests to join, linking its chat\n"
        "/link CODE: run it in the group's chat with the code from /groups\n"
        "/meetings: your group's meetings: create, move, postpone, cancel\n"
        "/poll: a poll for your group\n"
        "/polls: your polls and their results"
    ),
}


def role_commands(role: str, _: Callable[[str], str]) -> str | None:
    """The block of commands of `role` (None for a role without commands, such as admin)."""
    block = ROLE_COMMANDS.get(role)
    return _(block) if block else None


async def staff_help(ctx: HromadaContext) -> str | None:
    """The staff blocks of /help for the person's active roles, or None for a resident."""
    held = {role.role for role in await staff.active_roles(ctx.db, ctx.user.id)}
    blocks = [role_commands(role, ctx.i18n.gettext) for role in ROLE_COMMANDS if role in held]
    found = [block for block in blocks if block]
    return "\n\n".join(found) if found else None
