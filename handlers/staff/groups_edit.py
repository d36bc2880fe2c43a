"""Moderators create and edit their community's self-help groups in the bot: the steps of
`flows/groups_edit.py`, then a preview showing the group as Ukrainian and Russian readers
will see it, with a "Change ..." button per field, then Save.

Buttons: `gxs:new` and `gxs:edit:<group id>` (in any state: `/groups` shows them to
moderators) start the flow; `gx:<event>:<arg>` inside it. Who may: an active moderator of
the group's community, checked when the flow starts, when a community is chosen and again
when the group is saved (a role revoked meanwhile saves nothing).
"""

from __future__ import annotations

from html import escape

from telegram import Update

from flows.flow import Step
from flows.group_topics import TOPICS
from flows.groups_edit import (
    FIELDS,
    GroupDraft,
    GroupEditFlow,
    GroupEffects,
    GroupForm,
    GroupProblem,
)
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import after_flow, cancel_flow, enter_flow, run_flow, send_back
from handlers.shared.ids import parse_id
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.names import community_name
from locales import Translator
from storage.models import Community
from storage.repositories import group_moves, groups, staff
from storage.repositories.group_moves import GroupFields

router = Router()
START = "gxs"
PREFIX = "gx"


async def moderated(ctx: HromadaContext) -> list[int]:
    """The communities the person is an active moderator of."""
    roles = await staff.active_roles(ctx.db, ctx.user.id)
    return sorted({r.community_id for r in roles if r.role == "moderator"})


def new_group_row(ctx: HromadaContext) -> list[Button]:
    return [(ctx.i18n.gettext("➕ New group"), data(START, "new"))]


def edit_group_row(ctx: HromadaContext, group_id: int) -> list[Button]:
    return [(ctx.i18n.gettext("✏️ Edit the group"), data(START, f"edit:{group_id}"))]


def _cancel_row(ctx: HromadaContext) -> list[Button]:
    return [(ctx.i18n.gettext("Cancel"), data(PREFIX, "cancel"))]


async def begin_create(ctx: HromadaContext) -> None:
    communities = await moderated(ctx)
    if not communities:
        stale_notice(ctx)
        return
    await enter_flow(ctx, GroupForm.community, GroupEditFlow.start_data())
    if len(communities) == 1:  # nothing to choose
        await run_flow(
            ctx,
            GroupEditFlow,
            "choose_community",
            render,
            community=communities[0],
            allowed=communities,
        )
        return
    await ctx.reprompt()


async def begin_edit(ctx: HromadaContext, group_id: int | None) -> None:
    group = await groups.get_group(ctx.db, group_id or 0)
    if group is None or group.community_id not in await moderated(ctx):
        stale_notice(ctx)
        return
    draft = GroupDraft(
        community_id=group.community_id,
        group_id=group.id,
        title_uk=group.title_uk,
        title_ru="" if group.title_ru == group.title_uk else group.title_ru,
        description_uk=group.description_uk,
        description_ru="" if group.description_ru == group.description_uk else group.description_ru,
        topic=group.topic,
        join_policy=group.join_policy,
        sensitive=group.sensitive,
        is_active=group.is_active,
    )
    await enter_flow(ctx, GroupForm.preview, draft.data())
    await ctx.reprompt()


@router.callback(START)
async def start_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    if ctx.in_group:  # group conversations live in the person's private chat
        stale_notice(ctx)
        return
    action, _sep, rest = arg.partition(":")
    if action == "new":
        await begin_create(ctx)
    elif action == "edit":
        await begin_edit(ctx, parse_id(rest))
    else:
        stale_notice(ctx)


# prompts


@router.prompt(GroupForm.community)
async def ask_community(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows: list[list[Button]] = []
    for community_id in await moderated(ctx):
        community = await ctx.db.get(Community, community_id)
        if community is not None:
            name = community_name(community, ctx.i18n.language)
            rows.append([(name[:60], data(PREFIX, f"community:{community_id}"))])
    rows.append(_cancel_row(ctx))
    ctx.replies.show(_("<b>New self-help group.</b> In which community?"), keyboard(rows))


def _text_prompt(ctx: HromadaContext, text: str, *, skip: str | None = None) -> None:
    rows: list[list[Button]] = []
    if skip is not None:
        rows.append([(skip, data(PREFIX, "skip"))])
    rows.append(_cancel_row(ctx))
    ctx.replies.send(text, keyboard(rows))


@router.prompt(GroupForm.title_uk)
async def ask_title_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    _text_prompt(ctx, _("Write the group's name in Ukrainian (up to 120 characters)."))


@router.prompt(GroupForm.title_ru)
async def ask_title_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    _text_prompt(
        ctx,
        _("Write the name in Russian, or skip: Russian readers then see the Ukrainian one."),
        skip=_("Skip"),
    )


@router.prompt(GroupForm.description_uk)
async def ask_description_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    _text_prompt(
        ctx,
        _(
            "Write what the group is about in Ukrainian: who it is for, how it works "
            "(up to 1,500 characters), or skip."
        ),
        skip=_("Skip"),
    )


@router.prompt(GroupForm.description_ru)
async def ask_description_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    _text_prompt(
        ctx,
        _(
            "Write the description in Russian, or skip: Russian readers then see the "
            "Ukrainian one (and Ukrainian readers this one, if there is no Ukrainian one)."
        ),
        skip=_("Skip"),
    )


@router.prompt(GroupForm.topic)
async def ask_topic(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    buttons = [(_(label), data(PREFIX, f"topic:{code}")) for code, label in TOPICS.items()]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(_cancel_row(ctx))
    ctx.replies.send(_("What is the group's topic?"), keyboard(rows))


@router.prompt(GroupForm.policy)
async def ask_policy(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows = [
        [(_("A facilitator approves each request"), data(PREFIX, "policy:approval"))],
        [(_("Anyone from the community may join"), data(PREFIX, "policy:open"))],
        _cancel_row(ctx),
    ]
    ctx.replies.send(_("How do residents join?"), keyboard(rows))


@router.prompt(GroupForm.sensitive)
async def ask_sensitive(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    on = bool((await ctx.fsm.get_data()).get("sensitive", True))
    mark = {True: "• ", False: ""}
    rows = [
        [(mark[on] + _("Yes, sensitive"), data(PREFIX, "sensitive:1"))],
        [(mark[not on] + _("No"), data(PREFIX, "sensitive:0"))],
        _cancel_row(ctx),
    ]
    ctx.replies.send(
        _(
            "Could being seen as a member expose a person (disability, ethnicity, "
            "displacement, violence)? For a sensitive group, notices never name it in their "
            "first line, the one a phone's lock screen shows, and cannot be forwarded or "
            "saved. Suggested for this topic: {suggested}."
        ).format(suggested=_("yes") if on else _("no")),
        keyboard(rows),
    )


def reader_view(draft: GroupDraft, t: Translator) -> str:
    """The group as a resident reading `t`'s language will see it."""
    _ = t.gettext
    ru = t.language == "ru"
    title = (draft.title_ru if ru else draft.title_uk) or draft.title_uk or draft.title_ru
    text = (draft.description_ru if ru else draft.description_uk) or (
        draft.description_uk or draft.description_ru
    )
    lines = [f"<b>{escape(title)}</b>", escape(_(TOPICS.get(draft.topic, TOPICS["other"])))]
    if text:
        lines.append(escape(text))
    lines.append(
        _("Anyone from the community may join.")
        if draft.join_policy == "open"
        else _("A facilitator approves each request to join.")
    )
    return "\n".join(lines)


@router.prompt(GroupForm.preview)
async def ask_preview(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    draft = GroupDraft.from_data(await ctx.fsm.get_data())
    translators = ctx.services.translators
    head = (
        _("<b>Preview of the changes.</b> Residents will read the group like this:")
        if draft.group_id is not None
        else _("<b>Preview.</b> Residents will read the group like this:")
    )
    lines = [head, ""]
    for language in ("uk", "ru"):
        if language in translators:
            lines += [f"{language}:", reader_view(draft, translators[language]), ""]
    lines.append(
        _("🔒 Sensitive: notices do not name it on a lock screen and cannot be forwarded.")
        if draft.sensitive
        else _("Not sensitive: notices name the group in their first line.")
    )
    if draft.group_id is not None and not draft.is_active:
        lines.append(_("Hidden: residents do not see it and cannot join."))
    labels = {
        "title_uk": _("Name (uk)"),
        "title_ru": _("Name (ru)"),
        "description_uk": _("Description (uk)"),
        "description_ru": _("Description (ru)"),
        "topic": _("Topic"),
        "policy": _("Joining"),
        "sensitive": _("Sensitive"),
    }
    changes = [(f"✏️ {labels[f]}", data(PREFIX, f"fix:{f}")) for f in FIELDS]
    rows: list[list[Button]] = [changes[i : i + 2] for i in range(0, len(changes), 2)]
    if draft.group_id is not None:
        toggle = _("Show the group again") if not draft.is_active else _("Hide the group")
        rows.append([(toggle, data(PREFIX, "active"))])
    rows.append([(_("Save"), data(PREFIX, "save"))])
    rows.append(_cancel_row(ctx))
    ctx.replies.send("\n".join(lines), keyboard(rows))


# events


async def render(ctx: HromadaContext, step: Step[GroupEffects, GroupProblem]) -> None:
    _ = ctx.i18n.gettext
    problem = step.problem
    if problem is GroupProblem.TOO_LONG:
        ctx.replies.send(_("That is too long. Please shorten it; here is your text to copy:"))
        send_back(ctx, str(step.data.get("draft", "")))
    elif problem is GroupProblem.EMPTY:
        ctx.replies.send(_("The text is empty. Please write something, or /cancel."))
    elif problem is GroupProblem.NO_TITLE:
        ctx.replies.send(_("The group needs a name. Please write one."))
    elif problem is not None:
        ctx.replies.notice(_("This button is no longer active."))
    if step.effects.save is not None:
        await _save(ctx, step.effects.save)


def _fields(draft: GroupDraft) -> GroupFields:
    return GroupFields(
        title_uk=draft.title_uk,
        title_ru=draft.title_ru,
        description_uk=draft.description_uk,
        description_ru=draft.description_ru,
        topic=draft.topic,
        join_policy=draft.join_policy,
        sensitive=draft.sensitive,
    )


async def _save(ctx: HromadaContext, draft: GroupDraft) -> None:
    _ = ctx.i18n.gettext
    if draft.community_id not in await moderated(ctx):
        ctx.replies.send(_("You cannot do this."))
        await after_flow(ctx)
        return
    if draft.group_id is None:
        group = await group_moves.create_group(ctx.db, draft.community_id, _fields(draft))
        said = _("The group “{title}” is created. Residents find it under Self-help groups.")
    else:
        found = await groups.get_group(ctx.db, draft.group_id)
        if found is None or found.community_id != draft.community_id:
            ctx.replies.send(_("This group no longer exists; nothing was saved."))
            await after_flow(ctx)
            return
        group = found
        await group_moves.edit_group(ctx.db, group, _fields(draft))
        group.is_active = draft.is_active
        said = _("The group “{title}” is saved.")
    await ctx.db.flush()
    title = group.title_ru if ctx.i18n.language == "ru" else group.title_uk
    ctx.replies.send(
        said.format(title=escape(title))
        + "\n"
        + _(
            "Facilitators are invited with: python -m bot invite --role facilitator --group {id}"
        ).format(id=group.id)
        + "\n"
        + _("Your groups: /groups")
    )
    await after_flow(ctx)


@router.callback(PREFIX, GroupForm)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    event, _sep, value = arg.partition(":")
    if event == "cancel":
        await cancel_flow(ctx, ctx.i18n.gettext("Cancelled. Nothing was saved."))
    elif event == "community":
        allowed = await moderated(ctx)
        community = parse_id(value)
        await run_flow(
            ctx, GroupEditFlow, "choose_community", render, community=community, allowed=allowed
        )
    elif event == "skip":
        await run_flow(ctx, GroupEditFlow, "skip", render)
    elif event == "topic":
        await run_flow(ctx, GroupEditFlow, "pick_topic", render, topic=value)
    elif event == "policy":
        await run_flow(ctx, GroupEditFlow, "pick_policy", render, policy=value)
    elif event == "sensitive" and value in ("0", "1"):
        await run_flow(ctx, GroupEditFlow, "pick_sensitive", render, value=value == "1")
    elif event == "fix" and value in FIELDS:
        await run_flow(ctx, GroupEditFlow, f"fix_{value}", render)
    elif event == "active":
        await run_flow(ctx, GroupEditFlow, "toggle_active", render)
    elif event == "save":
        await run_flow(ctx, GroupEditFlow, "save", render)
    else:  # forged data
        stale_notice(ctx)


@router.message(GroupForm)
async def typed(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    message = update.effective_message
    text = message.text if message is not None else None
    wants_text = GroupEditFlow.expects(await ctx.fsm.get_state(), "give_text")
    if text is None or not wants_text:
        caption = message.caption if message is not None else None
        if wants_text:
            ctx.replies.send(_("Please send it as a text message; photos and files are not kept."))
        else:
            ctx.replies.send(_("Please use the buttons, or /cancel."))
        if caption or (text and not wants_text):
            ctx.replies.send(_("Here is what you wrote, to copy:"))
            send_back(ctx, caption or text or "")
        await ctx.reprompt()
        return
    await run_flow(ctx, GroupEditFlow, "give_text", render, text=text)
