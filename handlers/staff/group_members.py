"""Self-help groups for their facilitators and the community's moderators: `/groups` lists
the groups one runs with member counts, the pending requests, a one-time code to link the
group's chat; Approve / Decline on a request to join (`gf:ok|no:<group>:<user>`).

Counts and requests are for a group's active facilitators and its community's moderators
only (`may_run`), checked when each press runs.
"""

from __future__ import annotations

from html import escape

from sqlalchemy import select
from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.shared import group_texts
from handlers.shared.ids import parse_id
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.notices import Notices
from handlers.staff.groups_edit import edit_group_row, moderated, new_group_row
from storage.models import GroupMembership, SelfHelpGroup, User
from storage.repositories import group_moves, groups, staff
from storage.repositories.groups import PENDING

router = Router()


async def runnable_groups(ctx: HromadaContext) -> list[SelfHelpGroup]:
    """The groups the person facilitates, and every group of the communities they moderate
    (hidden ones too, so that a moderator can show them again)."""
    roles = await staff.active_roles(ctx.db, ctx.user.id)
    group_ids = {r.group_id for r in roles if r.role == "facilitator" and r.group_id}
    communities = {r.community_id for r in roles if r.role == "moderator"}
    if not group_ids and not communities:
        return []
    rows = await ctx.db.scalars(
        select(SelfHelpGroup)
        .where(
            (SelfHelpGroup.is_active.is_(True) & SelfHelpGroup.id.in_(group_ids))
            | SelfHelpGroup.community_id.in_(communities),
        )
        .order_by(SelfHelpGroup.community_id, SelfHelpGroup.title_uk)
    )
    return list(rows)


async def may_run(ctx: HromadaContext, group: SelfHelpGroup) -> bool:
    for role in await staff.active_roles(ctx.db, ctx.user.id):
        if role.role == "facilitator" and role.group_id == group.id:
            return True
        if role.role == "moderator" and role.community_id == group.community_id:
            return True
    return False


@router.command("groups")
async def groups_command(update: Update, ctx: HromadaContext) -> None:
    if ctx.in_group:
        return
    _ = ctx.i18n.gettext
    mine = await runnable_groups(ctx)
    if not mine:
        held = await staff.active_roles(ctx.db, ctx.user.id)
        if await moderated(ctx):
            ctx.replies.send(_("You run no self-help group."), keyboard([new_group_row(ctx)]))
        elif held:
            ctx.replies.send(_("You run no self-help group."))
        else:
            ctx.replies.send(
                _(
                    "This command is for facilitators and moderators. "
                    "Self-help groups are in the menu."
                )
            )
        return
    lines = [_("<b>Your self-help groups</b>")]
    rows: list[list[Button]] = []
    for group in mine:
        counts = await groups.member_counts(ctx.db, group.id)
        title = group_texts.title(group, ctx.i18n.language)
        lines.append(
            _("{title}: {members} members, {pending} waiting").format(
                title=f"<b>{escape(title)}</b>", members=counts.accepted, pending=counts.pending
            )
            + (" · 🔒" if group.sensitive else "")
            + ("" if group.is_active else " · " + _("hidden"))
        )
        rows.append([(title[:40], data("gf", f"open:{group.id}"))])
    if any(g.sensitive for g in mine):
        lines.append(_("🔒 sensitive: its notices never name it on a lock screen"))
    if await moderated(ctx):
        rows.append(new_group_row(ctx))
    ctx.replies.send("\n".join(lines), keyboard(rows))


async def _show(ctx: HromadaContext, group: SelfHelpGroup) -> None:
    _ = ctx.i18n.gettext
    counts = await groups.member_counts(ctx.db, group.id)
    chat = await groups.linked_chat_id(ctx.db, group.id)
    lines = [
        f"<b>{escape(group_texts.title(group, ctx.i18n.language))}</b>",
        _("Members: {members} · waiting: {pending}").format(
            members=counts.accepted, pending=counts.pending
        ),
        _("The group's chat is linked: notices go there too.")
        if chat
        else _("The group's chat is not linked."),
    ]
    rows: list[list[Button]] = []
    if counts.pending:
        rows.append([(_("Requests to join"), data("gf", f"pending:{group.id}"))])
    rows.append([(_("Link the group's chat"), data("gf", f"code:{group.id}"))])
    if group.community_id in await moderated(ctx):
        rows.append(edit_group_row(ctx, group.id))
    ctx.replies.show("\n".join(lines), keyboard(rows))


@router.callback("gf")
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, _sep, rest = arg.partition(":")
    group_part, _sep, user_part = rest.partition(":")
    group = await groups.get_group(ctx.db, parse_id(group_part) or 0)
    if group is None or not await may_run(ctx, group):
        stale_notice(ctx)
        return
    if action == "open":
        await _show(ctx, group)
    elif action == "pending":
        await _pending(ctx, group)
    elif action == "code":
        code = await group_moves.new_link_code(ctx.db, group.id, await _role_id(ctx, group))
        ctx.replies.send(
            _(
                "Add the bot to the group's Telegram chat, then send this there within "
                "24 hours:\n<code>/link {code}</code>\nThe code works once. Messages people "
                "write in the chat are neither stored nor read by the bot."
            ).format(code=code)
        )
    elif action in ("ok", "no"):
        await _decide(ctx, group, parse_id(user_part), approve=action == "ok")
    else:
        stale_notice(ctx)


async def _role_id(ctx: HromadaContext, group: SelfHelpGroup) -> int:
    for role in await staff.active_roles(ctx.db, ctx.user.id):
        if role.group_id == group.id or role.community_id == group.community_id:
            return role.id
    raise LookupError("may_run() said yes")


async def _pending(ctx: HromadaContext, group: SelfHelpGroup) -> None:
    waiting = await ctx.db.scalars(
        select(GroupMembership.user_id)
        .where(GroupMembership.group_id == group.id, GroupMembership.status == PENDING)
        .order_by(GroupMembership.requested_at)
        .limit(20)
    )
    for user_id in waiting:
        ctx.replies.send(*group_texts.request_card(group, ctx.i18n, user_id))


async def _decide(
    ctx: HromadaContext, group: SelfHelpGroup, user_id: int | None, *, approve: bool
) -> None:
    _ = ctx.i18n.gettext
    asked = await groups.membership(ctx.db, group.id, user_id) if user_id else None
    if (
        user_id is None
        or asked is None
        or not await group_moves.decide(ctx.db, group.id, user_id, approve=approve)
    ):
        ctx.replies.notice(_("This request was already answered or withdrawn."), alert=True)
        ctx.replies.show(_("This request was already answered or withdrawn."))
        return
    ctx.replies.notice(_("Approved.") if approve else _("Declined."))
    ctx.replies.show(
        _("✅ Approved: they are a member now and were told.")
        if approve
        else _("Declined: they were told.")
    )
    resident = await ctx.db.get(User, user_id)
    if resident is None or not resident.is_reachable:
        return
    n = Notices.of(ctx)
    t = n.translator_for(resident)
    if approve:
        first = escape(t.gettext("Your request to join was accepted. Welcome!"))
        rest = escape(t.gettext("Its meetings and notices will come to you here."))
    else:
        first = escape(t.gettext("Your request to join was declined."))
        rest = escape(
            t.gettext("You can ask the facilitator or a moderator why, or join another group.")
        )
    await n.enqueue(
        resident.telegram_id,
        group_texts.notice_payload(group, group_texts.notice_text(group, t, first, rest)),
        key=f"grp:{group.id}:decided:{user_id}:{int(asked.requested_at.timestamp())}",
    )
