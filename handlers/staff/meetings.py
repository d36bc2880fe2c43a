"""Creating a meeting: `/meetings` for organisers (moderators, facilitators), then the
steps of `flows/meetings.py` (the eight-week picker, time buttons, typed dates) and a
preview that shows the date as residents will read it. Publishing tells everyone.

Buttons: `mc:<event>:<arg>` in the flow's states; `mo:` (the organiser's meeting cards)
in `handlers/staff/meetings_manage.py`.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from telegram import Update

from flows.flow import Step
from flows.meetings import (
    DURATIONS,
    Draft,
    MeetingEffects,
    MeetingFlow,
    MeetingForm,
    MeetingProblem,
)
from flows.meetings_texts import News
from flows.meetings_time import TIME_CHOICES
from flows.recurrence import Repeat, instant, wall_time
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.core.steps import after_flow, cancel_flow, enter_flow, run_flow, send_back
from handlers.shared.keyboards import Button, data, day_picker, keyboard
from handlers.shared.meetings_notices import tell_everyone
from handlers.shared.names import community_name
from handlers.staff.meetings_access import organiser, owner_community
from locales.dates import format_day, format_when
from storage.models import Meeting
from storage.repositories import meetings as repo
from storage.repositories import meetings_groups
from storage.types import utcnow

router = Router()
PREFIX = "mc"


def _cancel_row(ctx: HromadaContext) -> list[Button]:
    return [(ctx.i18n.gettext("Cancel"), data(PREFIX, "cancel"))]


async def _zone(ctx: HromadaContext) -> str:
    return str((await ctx.fsm.get_data()).get("zone") or ctx.services.timezone)


async def _choose_owner(ctx: HromadaContext, owner: str, allowed: list[str]) -> None:
    community = await owner_community(ctx.db, owner) if owner in allowed else None
    zone = community.timezone if community else ctx.services.timezone
    await run_flow(
        ctx, MeetingFlow, "choose_owner", render, owner=owner, allowed=allowed, zone=zone
    )


async def _today(ctx: HromadaContext) -> date:
    return wall_time(utcnow(), await _zone(ctx)).date()


async def begin(ctx: HromadaContext) -> None:
    who = await organiser(ctx.db, ctx.user.id)
    if who is None:
        ctx.replies.send(ctx.i18n.gettext("Meetings are organised by moderators and facilitators."))
        await ctx.reprompt()
        return
    await enter_flow(ctx, MeetingForm.owner, MeetingFlow.start_data(ctx.services.timezone))
    if len(who.owners) == 1:  # nothing to choose
        await _choose_owner(ctx, who.owners[0], who.owners)
        return
    await ctx.reprompt()


# prompts


@router.prompt(MeetingForm.owner)
async def ask_owner(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    who = await organiser(ctx.db, ctx.user.id)
    rows: list[list[Button]] = []
    if who is not None:
        titles = await meetings_groups.group_titles(ctx.db, list(who.group_ids), ctx.i18n.language)
        for owner in who.owners:
            community = await owner_community(ctx.db, owner)
            if owner.startswith("c:") and community is not None:
                label = _("Working group of {community}").format(
                    community=community_name(community, ctx.i18n.language)
                )
            else:
                label = titles.get(int(owner[2:]), owner)
            rows.append([(label[:60], data(PREFIX, f"owner:{owner}"))])
    rows.append(_cancel_row(ctx))
    ctx.replies.show(_("<b>New meeting.</b> Whose meeting is it?"), keyboard(rows))


@router.prompt(MeetingForm.title_uk)
async def ask_title_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(_("Write the meeting's title in Ukrainian."), keyboard([_cancel_row(ctx)]))


@router.prompt(MeetingForm.title_ru)
async def ask_title_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the title in Russian, or skip: Russian readers then see the Ukrainian one."),
        keyboard([[(_("Skip"), data(PREFIX, "skip"))], _cancel_row(ctx)]),
    )


@router.prompt(MeetingForm.place)
async def ask_place(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Where is it? Write the place (address, room)."), keyboard([_cancel_row(ctx)])
    )


@router.prompt(MeetingForm.agenda)
async def ask_agenda(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the agenda, or skip it."),
        keyboard([[(_("Skip"), data(PREFIX, "skip"))], _cancel_row(ctx)]),
    )


@router.prompt(MeetingForm.day)
async def ask_day(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    today = await _today(ctx)
    rows = [*day_picker(today, PREFIX), _cancel_row(ctx)]
    ctx.replies.send(
        _(
            "Choose the day (the next eight weeks, Monday to Sunday), "
            "or type the date and time, like 25.12 18:00 or 25.12.2026 18:00."
        ),
        keyboard(rows),
    )


@router.prompt(MeetingForm.time)
async def ask_time(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    day = date.fromisoformat((await ctx.fsm.get_data())["day"])
    zone = await _zone(ctx)
    buttons = [(f"{t:%H:%M}", data(PREFIX, f"time:{t:%H%M}")) for t in TIME_CHOICES]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(_cancel_row(ctx))
    when = format_day(
        instant(datetime.combine(day, TIME_CHOICES[0]), zone), ctx.i18n.language, zone
    )
    ctx.replies.send(
        _("{day}. At what time? Choose, or type it, like 18:30.").format(day=when),
        keyboard(rows),
    )


@router.prompt(MeetingForm.duration)
async def ask_duration(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    labels = {60: _("1 hour"), 90: _("1.5 hours"), 120: _("2 hours"), 180: _("3 hours")}
    rows = [[(labels[m], data(PREFIX, f"duration:{m}")) for m in DURATIONS], _cancel_row(ctx)]
    ctx.replies.send(_("How long will it take?"), keyboard(rows))


def repeat_label(ctx: HromadaContext, kind: Repeat, first: datetime | None = None) -> str:
    _ = ctx.i18n.gettext
    if kind is Repeat.WEEKLY:
        return _("Every week")
    if kind is Repeat.MONTHLY:
        return _("Every month on the same weekday (like the first Tuesday)")
    return _("Once")


@router.prompt(MeetingForm.repeat)
async def ask_repeat(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows = [[(repeat_label(ctx, r), data(PREFIX, f"repeat:{r.value}"))] for r in Repeat]
    rows.append(_cancel_row(ctx))
    ctx.replies.send(_("Does it repeat?"), keyboard(rows))


@router.prompt(MeetingForm.offsets)
async def ask_offsets(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _(
            "Reminders go out 24 hours and 2 hours before the start. Keep that, or type "
            "up to three numbers of hours before (1 to 168), like 48, 3."
        ),
        keyboard([[(_("Keep 24 h and 2 h"), data(PREFIX, "offsets"))], _cancel_row(ctx)]),
    )


def _offsets_label(ctx: HromadaContext, minutes: tuple[int, ...]) -> str:
    _ = ctx.i18n.gettext
    return ", ".join(
        _("{hours} h").format(hours=m // 60)
        if m % 60 == 0
        else _("{minutes} min").format(minutes=m)
        for m in minutes
    )


@router.prompt(MeetingForm.preview)
async def ask_preview(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    draft = Draft.from_data(await ctx.fsm.get_data())
    start = instant(draft.start, draft.zone)
    lines = [
        _("<b>Preview.</b> Residents will read the date like this:"),
        "",
        f"uk: {format_when(start, 'uk', draft.zone, now=utcnow())}",
        f"ru: {format_when(start, 'ru', draft.zone, now=utcnow())}",
        "",
        _("Title (uk): {title}").format(title=escape(draft.title_uk)),
        _("Title (ru): {title}").format(title=escape(draft.title_ru)),
        _("Place: {place}").format(place=escape(draft.place)),
    ]
    if draft.agenda:
        lines.append(_("Agenda: {agenda}").format(agenda=escape(draft.agenda)))
    lines.append(_("Duration: {minutes} min").format(minutes=draft.duration))
    lines.append(_("Repeats: {repeat}").format(repeat=repeat_label(ctx, draft.repeat)))
    lines.append(
        _("Reminders before the start: {offsets}").format(
            offsets=_offsets_label(ctx, draft.offsets)
        )
    )
    ctx.replies.send(
        "\n".join(lines),
        keyboard([[(_("Publish"), data(PREFIX, "publish"))], _cancel_row(ctx)]),
    )


# events


async def render(ctx: HromadaContext, step: Step[MeetingEffects, MeetingProblem]) -> None:
    _ = ctx.i18n.gettext
    problem = step.problem
    if problem is MeetingProblem.TOO_LONG:
        ctx.replies.send(_("That is too long. Please shorten it; here is your text to copy:"))
        send_back(ctx, str(step.data.get("draft", "")))
    elif problem is MeetingProblem.EMPTY:
        ctx.replies.send(_("The text is empty. Please write something, or /cancel."))
    elif problem is MeetingProblem.NOT_A_DATE:
        ctx.replies.send(
            _("I could not read that date. Type it like 25.12 18:00 or 25.12.2026 18:00.")
        )
    elif problem is MeetingProblem.NOT_A_TIME:
        ctx.replies.send(_("I could not read that time. Type it like 18:30."))
    elif problem is MeetingProblem.IN_THE_PAST:
        ctx.replies.send(_("That time has already passed. Please choose one ahead."))
    elif problem is MeetingProblem.BAD_OFFSETS:
        ctx.replies.send(_("Type up to three whole numbers of hours from 1 to 168, like 48, 3."))
    elif problem is not None:
        ctx.replies.notice(_("This button is no longer active."))
    if step.effects.publish is not None:
        await _publish(ctx, step.effects.publish)


async def _publish(ctx: HromadaContext, draft: Draft) -> None:
    _ = ctx.i18n.gettext
    community = await owner_community(ctx.db, draft.owner)
    assert community is not None  # checked when the owner was chosen
    who = await organiser(ctx.db, ctx.user.id)
    if who is None or draft.owner not in who.owners:
        ctx.replies.send(_("You cannot do this."))
        await after_flow(ctx)
        return
    meeting = Meeting(
        community_id=community.id,
        group_id=int(draft.owner[2:]) if draft.owner.startswith("g:") else None,
        title_uk=draft.title_uk,
        title_ru=draft.title_ru,
        place=draft.place,
        agenda=draft.agenda,
        first_local=draft.start,
        zone=draft.zone,
        duration_minutes=draft.duration,
        repeat=draft.repeat.value,
        offsets=list(draft.offsets),
        created_by=ctx.user.id,
        created_at=utcnow(),
    )
    await repo.create_meeting(ctx.db, meeting)
    first = await repo.occurrence(ctx.db, meeting, draft.start.date())
    told = 0
    if first is not None:
        told = await tell_everyone(
            ctx.db,
            meeting,
            first,
            News.NEW,
            ctx.services.translators,
            ctx.services.default_language,
        )
    ctx.replies.send(
        ctx.i18n.ngettext(
            "Published. {n} person was told.", "Published. {n} people were told.", told
        ).format(n=told)
        + "\n"
        + _("Your meetings: /meetings")
    )
    await after_flow(ctx)


@router.callback(PREFIX, MeetingForm)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    event, _sep, value = arg.partition(":")
    if event == "cancel":
        await cancel_flow(ctx, ctx.i18n.gettext("Cancelled."))
        return
    if event == "owner":
        who = await organiser(ctx.db, ctx.user.id)
        await _choose_owner(ctx, value, who.owners if who else [])
        return
    now = utcnow()
    if event == "skip":
        await run_flow(ctx, MeetingFlow, "skip", render)
    elif event == "day":
        day = _parse_day(value)
        await run_flow(ctx, MeetingFlow, "pick_day", render, day=day, today=await _today(ctx))
    elif event == "time" and len(value) == 4 and value.isascii() and value.isdigit():
        await run_flow(
            ctx, MeetingFlow, "pick_time", render, value=f"{value[:2]}:{value[2:]}", now=now
        )
    elif event == "duration" and value.isascii() and value.isdigit():
        await run_flow(ctx, MeetingFlow, "pick_duration", render, minutes=int(value))
    elif event == "repeat":
        await run_flow(ctx, MeetingFlow, "pick_repeat", render, kind=value)
    elif event == "offsets":
        await run_flow(ctx, MeetingFlow, "keep_offsets", render)
    elif event == "publish":
        await run_flow(ctx, MeetingFlow, "publish", render, now=now)
    else:  # an empty picker cell or forged data
        ctx.replies.notice()


def _parse_day(value: str) -> date | None:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


@router.message(MeetingForm)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    text = message.text if message is not None else None
    if text is None or not MeetingFlow.expects(await ctx.fsm.get_state(), "give_text"):
        ctx.replies.send(ctx.i18n.gettext("Please use the buttons, or /cancel."))
        await ctx.reprompt()
        return
    await run_flow(
        ctx, MeetingFlow, "give_text", render, text=text, today=await _today(ctx), now=utcnow()
    )
