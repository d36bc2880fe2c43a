"""What /help adds for staff: the commands of each role the person holds (a person may hold
several), after what every resident reads. Residents get nothing from here."""

from __future__ import annotations

from handlers.core.context import HromadaContext
from storage.repositories import staff


async def staff_help(ctx: HromadaContext) -> str | None:
    """The staff blocks of /help for the person's active roles, or None for a resident."""
    _ = ctx.i18n.gettext
    held = {role.role for role in await staff.active_roles(ctx.db, ctx.user.id)}
    blocks: list[str] = []
    if "moderator" in held:
        blocks.append(
            _(
                "<b>For moderators</b>\n"
                "/queue: your community's open requests\n"
                "/stats: statistics\n"
                "/link_staff_chat: run it in your staff group chat to receive new requests "
                "there\n"
                "/groups: self-help groups: create, edit, members, requests to join\n"
                "/meetings: working-group meetings: create, move, cancel\n"
                "/poll: a new poll\n"
                "/polls: your polls and their results"
            )
        )
    if "provider" in held:
        blocks.append(_("<b>For providers</b>\n/inbox: the requests routed to your organisation"))
    if "facilitator" in held:
        blocks.append(
            _(
                "<b>For facilitators</b>\n"
                "/groups: your group: members, requests to join, linking its chat\n"
                "/link CODE: run it in the group's chat with the code from /groups\n"
                "/meetings: your group's meetings: create, move, postpone, cancel\n"
                "/poll: a poll for your group\n"
                "/polls: your polls and their results"
            )
        )
    return "\n\n".join(blocks) if blocks else None
