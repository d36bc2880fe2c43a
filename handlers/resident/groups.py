"""Self-help groups for residents: the community's groups (paginated), a group's card
(description, how joining works, the next meeting), joining or asking to join, leaving.

Buttons are `grp:<action>:<group id>`; every action reads the group and the person's
membership when it runs, so a forged or stale button changes nothing it should not. Member
lists and counts are never shown here (only to facilitators and moderators).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from sqlalchemy import select
from telegram import Update

from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.resident.menu import show_main_menu
from handlers.shared import group_texts
from handlers.shared.ids import parse_button
from handlers.shared.keyboards import Button, data, keyboard, pager
from handlers.shared.names import community_name
from handlers.shared.notices import Notices
from locales.dates import format_when
from storage.models import Community, Meeting, SelfHelpGroup
from storage.repositories import group_moves, groups, meetings, staff
from storage.repositories.group_moves import Joined
from storage.repositories.users import users_by_id
from storage.types import utcnow

router = Router()
PER_PAGE = 6


async def show_list(ctx: HromadaContext, page: int = 0) -> None:
    _ = ctx.i18n.gettext
    community = await ctx.db.get(Community, ctx.user.community_id or 0)
    if community is None:
        await show_main_menu(ctx)
        return
    items, total = await groups.list_groups(
        ctx.db, community.id, offset=page * PER_PAGE, limit=PER_PAGE
    )
    name = escape(community_name(community, ctx.i18n.language))
    if total == 0:
        ctx.replies.show(
            _("{community} has no self-help groups in the bot yet.").format(community=name),
            keyboard([[(_("Main menu"), data("grp", "menu"))]]),
        )
        return
    mine = {m.group_id: m.status for m in await groups.memberships_of(ctx.db, ctx.user.id)}
    rows: list[list[Button]] = []
    for group in items:
        mark = {"accepted": "✓ ", "pending": "⏳ "}.get(mine.get(group.id, ""), "")
        label = mark + group_texts.title(group, ctx.i18n.language)
        rows.append([(label[:60], data("grp", f"open:{group.id}"))])
    nav = pager(page, (page + 1) * PER_PAGE < total, lambda n: data("grp", f"list:{n}"), _)
    if nav:
        rows.append(nav)
    rows.append([(_("Main menu"), data("grp", "menu"))])
    pages = -(-total // PER_PAGE)
    counter = ctx.i18n.ngettext("{n} group", "{n} groups", total).format(n=total)
    if pages > 1:
        counter += " · " + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    head = _("<b>Self-help groups of {community}</b>").format(community=name)
    hint = _("✓ you are a member · ⏳ waiting for the facilitator")
    ctx.replies.show(f"{head}\n{counter}\n{hint}" if mine else f"{head}\n{counter}", keyboard(rows))


async def next_meeting(ctx: HromadaContext, group: SelfHelpGroup) -> str | None:
    """The group's next meeting as the reader reads it, if one is planned."""
    now = utcnow()
    found = await ctx.db.scalars(select(Meeting).where(Meeting.group_id == group.id))
    soonest = None
    for meeting in found:
        changes = await meetings.changes_of(ctx.db, meeting.id)
        for occurrence in meetings.occurrences(meeting, changes, now, now + timedelta(days=62)):
            if not occurrence.cancelled and (soonest is None or occurrence.start_at < soonest):
                soonest = occurrence.start_at
                break
    if soonest is None:
        return None
    community = await ctx.db.get(Community, group.community_id)
    zone = community.timezone if community is not None else "Europe/Kyiv"
    return format_when(soonest, ctx.i18n.language, zone, now=now)


async def show_group(ctx: HromadaContext, group: SelfHelpGroup) -> None:
    _ = ctx.i18n.gettext
    language = ctx.i18n.language
    membership = await groups.membership(ctx.db, group.id, ctx.user.id)
    lines = [
        f"<b>{escape(group_texts.title(group, language))}</b>",
        escape(group_texts.topic(group, ctx.i18n)),
    ]
    if group_texts.description(group, language):
        lines += ["", escape(group_texts.description(group, language))]
    lines.append("")
    if group.join_policy == "open":
        lines.append(_("Anyone from the community may join."))
    else:
        lines.append(_("A facilitator approves each request to join."))
    lines.append(
        _("Only the group's facilitators and the community's moderators see who is in it.")
    )
    when = await next_meeting(ctx, group)
    if when:
        lines.append(_("Next meeting: {when}").format(when=when))
    rows: list[list[Button]] = []
    gid = group.id
    if membership is None:
        label = _("Join") if group.join_policy == "open" else _("Ask to join")
        rows.append([(label, data("grp", f"join:{gid}"))])
    elif membership.status == "accepted":
        lines.append(_("✓ You are a member."))
        rows.append([(_("Leave the group"), data("grp", f"leave:{gid}"))])
    else:
        lines.append(_("⏳ Your request is waiting for the facilitator."))
        rows.append([(_("Withdraw my request"), data("grp", f"leave:{gid}"))])
    rows.append([(_("◀ Groups"), data("grp", "list:0")), (_("Main menu"), data("grp", "menu"))])
    ctx.replies.show("\n".join(lines), keyboard(rows))


async def _group_here(ctx: HromadaContext, group_id: int | None) -> SelfHelpGroup | None:
    """The group, if it is an active group of the person's community; else a stale notice."""
    group = await groups.get_group(ctx.db, group_id or 0)
    if group is None or not group.is_active or group.community_id != ctx.user.community_id:
        stale_notice(ctx)
        return None
    return group


@router.callback("grp")
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, number, _tail = parse_button(arg)
    if action == "menu":
        await show_main_menu(ctx)
        return
    if action == "list":
        await show_list(ctx, number or 0)
        return
    group = await _group_here(ctx, number)
    if group is None:
        return
    if action == "open":
        await show_group(ctx, group)
    elif action == "join":
        await _join(ctx, group)
    elif action == "leave":
        left = await group_moves.leave(ctx.db, group.id, ctx.user.id)
        ctx.replies.notice(_("You left the group.") if left else _("You are not in this group."))
        await show_group(ctx, group)
    else:
        stale_notice(ctx)


async def _join(ctx: HromadaContext, group: SelfHelpGroup) -> None:
    _ = ctx.i18n.gettext
    result = await group_moves.join(ctx.db, group, ctx.user.id)
    if result is Joined.JOINED:
        ctx.replies.notice(_("Welcome! You are now a member."))
    elif result is Joined.REQUESTED:
        ctx.replies.notice(
            _("Your request was sent to the facilitator. I will tell you the answer here."),
            alert=True,
        )
        await tell_facilitators_of_request(Notices.of(ctx), group, ctx.user.id)
    elif result is Joined.ALREADY_MEMBER:
        ctx.replies.notice(_("You are already a member."))
    elif result is Joined.ALREADY_PENDING:
        ctx.replies.notice(_("Your request is already waiting for the facilitator."))
    else:
        stale_notice(ctx)
        return
    await show_group(ctx, group)


async def tell_facilitators_of_request(n: Notices, group: SelfHelpGroup, user_id: int) -> None:
    """Each facilitator (or, with none, each moderator of the community) privately, with
    Approve / Decline. **Decision:** the request carries no name, username or id of the
    resident: the bot tells staff nobody's identity, and joining must not cost a person that."""
    membership = await groups.membership(n.db, group.id, user_id)
    assert membership is not None
    roles = await groups.facilitators(n.db, group.id)
    if not roles:
        roles = await staff.moderators(n.db, group.community_id)
    people = await users_by_id(n.db, {role.user_id for role in roles})
    stamp = int(membership.requested_at.timestamp())
    for person in people.values():
        if not person.is_reachable:
            continue
        t = n.translator_for(person)
        text, markup = group_texts.request_card(group, t, user_id)
        await n.enqueue(
            person.telegram_id,
            group_texts.notice_payload(group, text, markup),
            key=f"grp:{group.id}:ask:{user_id}:{stamp}:{person.id}",
        )
