"""Staff commands: /queue (moderators), /inbox (providers), /stats, /link_staff_chat.

All four work in a staff chat too: /link_staff_chat there, the lists and figures go to the
person's private chat (only staff get an answer in a group)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.shared import labels
from handlers.shared.ids import parse_id
from handlers.shared.keyboards import Button, data, keyboard, pager
from handlers.shared.names import community_name, organisation
from handlers.staff.polls_evaluation import evaluation_lines
from storage.models import Community, ServiceRequest, StaffRole
from storage.repositories import requests, staff

router = Router()
PER_PAGE = 8
STATS_PERIODS = (7, 30, 90)


async def _role(ctx: HromadaContext, kind: str) -> StaffRole | None:
    """The person's role of `kind`, preferring their own community's."""
    roles = [r for r in await staff.active_roles(ctx.db, ctx.user.id) if r.role == kind]
    roles.sort(key=lambda r: r.community_id != ctx.user.community_id)
    return roles[0] if roles else None


def _refuse(ctx: HromadaContext) -> None:
    ctx.replies.send(ctx.i18n.gettext("This command is for working group staff."))


async def _refuse_as(ctx: HromadaContext, kind: str) -> None:
    """A staff command of `kind` refused: staff of the other kind are told which command
    is theirs. In a group chat nothing is said (the command may be another bot's)."""
    if ctx.in_group:
        return
    _ = ctx.i18n.gettext
    held = {role.role for role in await staff.active_roles(ctx.db, ctx.user.id)}
    if kind == "moderator" and "provider" in held:
        ctx.replies.send(
            _(
                "This command is for moderators. "
                "The requests routed to your organisation are in /inbox."
            )
        )
    elif kind == "provider" and "moderator" in held:
        ctx.replies.send(
            _("This command is for providers. Your community's requests are in /queue.")
        )
    else:
        _refuse(ctx)
    if await ctx.fsm.get_state() is not None:
        await ctx.reprompt()  # refused in the middle of a flow: its step again


def _screen(ctx: HromadaContext, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A staff list or figures: in place in a private chat; from a staff chat, to the
    person's private chat (what one person asked for is not the group's), said in one line."""
    if not ctx.in_group:
        ctx.replies.show(text, markup)
        return
    ctx.replies.send_private(text, markup)
    t = ctx.services.translators[ctx.services.default_language]
    ctx.replies.send(t.gettext("Sent to your private chat with the bot."))


async def _acting_as(ctx: HromadaContext, kind: str) -> tuple[StaffRole, Community] | None:
    """The role of `kind` a staff command runs in, and its community; refused otherwise."""
    role = await _role(ctx, kind)
    if role is None:
        await _refuse_as(ctx, kind)
        return None
    community = await ctx.db.get(Community, role.community_id)
    assert community is not None
    return role, community


async def _list(
    ctx: HromadaContext,
    items: list[ServiceRequest],
    total: int,
    page: int,
    community: Community,
    title: str,
    prefix: str,
) -> None:
    _ = ctx.i18n.gettext
    if total == 0:
        _screen(ctx, title + "\n\n" + _("Nothing waiting. Well done."))
        return
    rows: list[list[Button]] = []
    for item in items:
        ref = requests.reference(community.code, item.number)
        label = "{urgent}{ref} · {category} · {age}".format(
            urgent="⚠️ " if item.urgent else "",
            ref=ref,
            category=labels.category(item.category, _),
            age=labels.ago(item.created_at, ctx.i18n.language),
        )
        rows.append([(label[:60], data("st", f"open:{item.id}"))])
    nav = pager(page, (page + 1) * PER_PAGE < total, lambda n: data(prefix, n), _)
    if nav:
        rows.append(nav)
    counter = ctx.i18n.ngettext("{n} open request", "{n} open requests", total).format(n=total)
    _screen(ctx, f"{title}\n{counter}", keyboard(rows))


async def show_queue(ctx: HromadaContext, page: int = 0) -> None:
    acting = await _acting_as(ctx, "moderator")
    if acting is None:
        return
    role, community = acting
    items, total = await requests.queue(ctx.db, role.community_id, page=page, per_page=PER_PAGE)
    title = ctx.i18n.gettext("<b>Queue of {community}</b>").format(
        community=escape(community_name(community, ctx.i18n.language))
    )
    await _list(ctx, items, total, page, community, title, "qp")


async def show_inbox(ctx: HromadaContext, page: int = 0) -> None:
    acting = await _acting_as(ctx, "provider")
    if acting is None:
        return
    role, community = acting
    items, total = await requests.inbox(ctx.db, role, page=page, per_page=PER_PAGE)
    org = organisation(role, ctx.i18n.language) or ""
    title = ctx.i18n.gettext("<b>Inbox of {org}</b>").format(org=escape(org))
    await _list(ctx, items, total, page, community, title, "ip")


@router.command("queue")
async def queue(update: Update, ctx: HromadaContext) -> None:
    await show_queue(ctx)


@router.command("inbox")
async def inbox(update: Update, ctx: HromadaContext) -> None:
    await show_inbox(ctx)


@router.callback("qp")
async def queue_page(update: Update, ctx: HromadaContext, arg: str) -> None:
    await show_queue(ctx, parse_id(arg) or 0)


@router.callback("ip")
async def inbox_page(update: Update, ctx: HromadaContext, arg: str) -> None:
    await show_inbox(ctx, parse_id(arg) or 0)


@router.command("stats")
async def stats(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    acting = await _acting_as(ctx, "moderator")
    if acting is None:
        return
    role, community = acting
    blocks = [
        _("<b>Statistics of {community}</b>").format(
            community=escape(community_name(community, ctx.i18n.language))
        )
    ]
    for result in await requests.stats_by_period(ctx.db, role.community_id, STATS_PERIODS):
        days = result.days
        lines = [
            "",
            ctx.i18n.ngettext("<b>Last {n} day</b>", "<b>Last {n} days</b>", days).format(n=days),
            ctx.i18n.ngettext("{n} request", "{n} requests", result.total).format(n=result.total),
        ]
        if result.by_category:
            lines.append(_("By topic:"))
        for code, count in sorted(result.by_category.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {escape(labels.category(code, _))}: {count}")
        if result.by_status:
            lines.append(_("By status now:"))
        for code, count in sorted(result.by_status.items()):
            lines.append(f"  {escape(labels.status(code, _, staff=True))}: {count}")
        if result.median_first_answer is not None:
            lines.append(
                _("Median time to first answer: {time}").format(
                    time=labels.duration(result.median_first_answer, ctx.i18n.language)
                )
            )
        if result.rated:
            share = round(100 * result.helped / result.rated)
            lines.append(
                _("It helped: {share}% of {rated} rated").format(share=share, rated=result.rated)
            )
        blocks.append("\n".join(lines))
    blocks.extend(await evaluation_lines(ctx.db, role.community_id, ctx.i18n))  # issue 9
    _screen(ctx, "\n".join(blocks))


@router.command("link_staff_chat")
async def link_staff_chat(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    chat = update.effective_chat
    role = await _role(ctx, "moderator")
    if role is None:
        if not ctx.in_group:
            _refuse(ctx)
        return  # in a group, a non-moderator's command is ignored
    if chat is None or not ctx.in_group:
        ctx.replies.send(_("Run this command in your working group's staff group chat."))
        return
    linked = await staff.community_of_staff_chat(ctx.db, chat.id)
    if linked is not None and linked != role.community_id:
        ctx.replies.send(_("This chat is already the staff chat of another community."))
        return
    await staff.link_staff_chat(ctx.db, role.community_id, chat.id)
    community = await ctx.db.get(Community, role.community_id)
    assert community is not None
    t = ctx.services.translators[ctx.services.default_language]
    ctx.replies.send(
        t.gettext("This chat now receives new requests of {community}.").format(
            community=escape(community_name(community, t.language))
        )
    )
