"""The organiser's meetings: `/meetings`, a card per occurrence with the RSVP counts, and
its changes: move, new place, postpone 30 min / 1 hour (one press, everyone told), cancel;
"this one / all coming ones" for a series.

Buttons: `mo:<action>:<meeting>:<occurrence yyyymmdd>:<start stamp>`. The stamp is the
occurrence's start (minutes since the epoch) the card showed: a press on a card whose
start has changed since (a double press of "postpone") is stale and changes nothing.
Every press re-checks the presser's right (`meetings_access.organiser`).
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from telegram import Update

from flows.flow import Step
from flows.meetings_edit import EditEffects, EditProblem, MeetingEdit, MeetingEditFlow
from flows.meetings_texts import News, title_in
from flows.recurrence import Repeat, wall_time
from handlers.core.context import HromadaContext
from handlers.core.fallbacks import stale_notice
from handlers.core.router import Router
from handlers.core.steps import after_flow, cancel_flow, enter_flow, run_flow, send_back
from handlers.shared.keyboards import Button, data, keyboard
from handlers.shared.meetings_notices import tell_everyone
from handlers.staff import meetings as creation
from handlers.staff.meetings_access import organiser
from locales.dates import format_when
from storage.models import Meeting
from storage.repositories import meetings as repo
from storage.repositories.meetings import Occurrence
from storage.types import utcnow

router = Router()
PREFIX = "mo"
POSTPONES = {"p30": timedelta(minutes=30), "p60": timedelta(hours=1)}


def stamp(o: Occurrence) -> int:
    return int(o.start_at.timestamp() // 60)


def _button(label: str, action: str, o: Occurrence) -> Button:
    return (label, data(PREFIX, f"{action}:{o.meeting_id}:{o.occurrence:%Y%m%d}:{stamp(o)}"))


@router.command("meetings")
async def meetings_command(update: Update, ctx: HromadaContext) -> None:
    await show_list(ctx)


async def show_list(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    who = await organiser(ctx.db, ctx.user.id)
    if who is None:
        ctx.replies.send(_("Meetings are organised by moderators and facilitators."))
        await ctx.reprompt()
        return
    now = utcnow()
    rows: list[list[Button]] = []
    for meeting in await repo.organised_by(ctx.db, who.community_ids, who.group_ids):
        changes = await repo.changes_of(ctx.db, meeting.id)
        coming = repo.occurrences(meeting, changes, now, now + timedelta(days=62))
        if not coming:
            continue
        o = coming[0]
        when = format_when(o.start_at, ctx.i18n.language, meeting.zone, now=now)
        title = title_in(ctx.i18n.language, meeting.title_uk, meeting.title_ru)
        rows.append([_button(f"{when[:30]} · {title}"[:60], "open", o)])
    rows.append([(_("➕ New meeting"), data(PREFIX, "new"))])
    text = _("<b>Your meetings</b>") if len(rows) > 1 else _("No meetings are coming up.")
    ctx.replies.show(text, keyboard(rows))


async def show_card(ctx: HromadaContext, meeting: Meeting, o: Occurrence) -> None:
    _ = ctx.i18n.gettext
    going, not_going = await repo.rsvp_counts(ctx.db, meeting.id, o.occurrence)
    lines = [
        f"<b>{escape(title_in(ctx.i18n.language, meeting.title_uk, meeting.title_ru))}</b>",
        _("When: {when}").format(when=format_when(o.start_at, ctx.i18n.language, meeting.zone)),
        _("Place: {place}").format(place=escape(o.place)),
        _("Repeats: {repeat}").format(repeat=creation.repeat_label(ctx, Repeat(meeting.repeat))),
        _("Going: {going} · Can't come: {not_going}").format(going=going, not_going=not_going),
    ]
    if o.cancelled:
        lines.insert(1, _("❌ Cancelled"))
        ctx.replies.show("\n".join(lines), keyboard([[(_("Your meetings"), data(PREFIX, "list"))]]))
        return
    rows = [
        [_button(_("🕒 Move"), "move", o), _button(_("📍 Place"), "place", o)],
        [_button(_("⏳ +30 min"), "p30", o), _button(_("⏳ +1 hour"), "p60", o)],
        [_button(_("✏️ Title"), "title", o), _button(_("❌ Cancel the meeting"), "cancel", o)],
        [(_("Your meetings"), data(PREFIX, "list"))],
    ]
    ctx.replies.show("\n".join(lines), keyboard(rows))


def _scope_rows(ctx: HromadaContext, action: str, o: Occurrence) -> list[list[Button]]:
    _ = ctx.i18n.gettext
    return [
        [_button(_("This one"), f"{action}1", o), _button(_("All coming ones"), f"{action}A", o)],
        [_button(_("Back"), "open", o)],
    ]


async def _target(ctx: HromadaContext, tail: str) -> tuple[Meeting, Occurrence] | None:
    """The meeting and occurrence a press names, if the presser runs it and the card's
    start still holds; None (and a pop-up) otherwise."""
    parts = tail.split(":")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    meeting = await repo.get_meeting(ctx.db, int(parts[0]))
    who = await organiser(ctx.db, ctx.user.id)
    if meeting is None or who is None or not who.may_run(meeting):
        return None
    try:
        day = date(int(parts[1][:4]), int(parts[1][4:6]), int(parts[1][6:]))
    except ValueError:
        return None
    o = await repo.occurrence(ctx.db, meeting, day)
    if o is None or stamp(o) != int(parts[2]):
        return None
    return meeting, o


@router.callback(PREFIX)  # every state: "postpone" must work whatever the organiser was doing
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, _sep, tail = arg.partition(":")
    if action == "list":
        await show_list(ctx)
        return
    if action == "new":
        await creation.begin(ctx)
        return
    target = await _target(ctx, tail)
    if target is None:
        stale_notice(ctx)
        return
    meeting, o = target
    series = meeting.repeat != Repeat.NONE.value
    if action == "open":
        await show_card(ctx, meeting, o)
    elif o.cancelled or o.start_at <= utcnow():
        stale_notice(ctx)
    elif action in ("move", "place"):
        if series:
            ctx.replies.show(
                _("Change this one, or all coming ones?"), keyboard(_scope_rows(ctx, action, o))
            )
        else:
            await _edit(ctx, meeting, o, action, "one")
    elif action == "title":
        await _edit(ctx, meeting, o, "title", "all")
    elif action in ("move1", "moveA", "place1", "placeA"):
        await _edit(ctx, meeting, o, action[:-1], "one" if action.endswith("1") else "all")
    elif action == "cancel":
        rows = (
            _scope_rows(ctx, "cancel", o)
            if series
            else [
                [_button(_("Yes, cancel it"), "cancel1", o)],
                [_button(_("Back"), "open", o)],
            ]
        )
        ctx.replies.show(_("Cancel the meeting? Everyone will be told."), keyboard(rows))
    elif action in ("cancel1", "cancelA"):
        if action == "cancelA":
            await repo.cancel_series_from(ctx.db, meeting, o.start_at)
        else:
            await repo.change_occurrence(ctx.db, meeting, o.occurrence, cancelled=True)
        told = await tell_everyone(
            ctx.db,
            meeting,
            o,
            News.CANCELLED,
            ctx.services.translators,
            ctx.services.default_language,
        )
        ctx.replies.notice(_told(ctx, told))
        await show_card(ctx, meeting, _cancelled(o))
    elif action in POSTPONES:
        new_local = o.start_local + POSTPONES[action]
        await repo.change_occurrence(ctx.db, meeting, o.occurrence, start_local=new_local)
        moved = await repo.occurrence(ctx.db, meeting, o.occurrence)
        assert moved is not None
        told = await tell_everyone(
            ctx.db,
            meeting,
            moved,
            News.POSTPONED,
            ctx.services.translators,
            ctx.services.default_language,
            was=o.start_at,
        )
        ctx.replies.notice(_told(ctx, told))
        await show_card(ctx, meeting, moved)
    else:
        stale_notice(ctx)


def _cancelled(o: Occurrence) -> Occurrence:
    return Occurrence(o.meeting_id, o.occurrence, o.start_local, o.start_at, o.place, True)


def _told(ctx: HromadaContext, n: int) -> str:
    return ctx.i18n.ngettext("{n} person was told.", "{n} people were told.", n).format(n=n)


async def _edit(
    ctx: HromadaContext, meeting: Meeting, o: Occurrence, what: str, scope: str
) -> None:
    state = {"move": MeetingEdit.start, "place": MeetingEdit.place}.get(what, MeetingEdit.title_uk)
    await enter_flow(
        ctx,
        state,
        MeetingEditFlow.start_data(meeting.id, o.occurrence.isoformat(), scope, meeting.zone),
    )
    await ctx.reprompt()


@router.prompt(MeetingEdit.start)
async def ask_start(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Type the new date and time, like 25.12 18:00 or 25.12.2026 18:00."),
        keyboard([[(_("Cancel"), data(PREFIX + "e", "cancel"))]]),
    )


@router.prompt(MeetingEdit.place)
async def ask_place(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the new place."), keyboard([[(_("Cancel"), data(PREFIX + "e", "cancel"))]])
    )


@router.prompt(MeetingEdit.title_uk)
async def ask_title_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the new title in Ukrainian. Nobody is told of a new title."),
        keyboard([[(_("Cancel"), data(PREFIX + "e", "cancel"))]]),
    )


@router.prompt(MeetingEdit.title_ru)
async def ask_title_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the new title in Russian, or skip to keep the Russian one."),
        keyboard(
            [
                [(_("Skip"), data(PREFIX + "e", "skip"))],
                [(_("Cancel"), data(PREFIX + "e", "cancel"))],
            ]
        ),
    )


@router.callback(PREFIX + "e", MeetingEdit)
async def edit_pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    if arg == "skip":
        await run_flow(ctx, MeetingEditFlow, "skip", render_edit)
        return
    await cancel_flow(ctx, ctx.i18n.gettext("Cancelled."))


@router.message(MeetingEdit)
async def edit_typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    text = message.text if message is not None else None
    if text is None:
        ctx.replies.send(ctx.i18n.gettext("Please send text, or /cancel."))
        await ctx.reprompt()
        return
    stored = await ctx.fsm.get_data()
    today = wall_time(utcnow(), str(stored.get("zone", ctx.services.timezone))).date()
    await run_flow(
        ctx, MeetingEditFlow, "give_text", render_edit, text=text, today=today, now=utcnow()
    )


async def render_edit(ctx: HromadaContext, step: Step[EditEffects, EditProblem]) -> None:
    _ = ctx.i18n.gettext
    if step.problem is EditProblem.NOT_A_DATE:
        ctx.replies.send(
            _("I could not read that date. Type it like 25.12 18:00 or 25.12.2026 18:00.")
        )
    elif step.problem is EditProblem.IN_THE_PAST:
        ctx.replies.send(_("That time has already passed. Please choose one ahead."))
    elif step.problem is EditProblem.EMPTY:
        ctx.replies.send(_("The text is empty. Please write something, or /cancel."))
    elif step.problem is EditProblem.TOO_LONG:
        ctx.replies.send(_("That is too long. Please shorten it; here is your text to copy:"))
        send_back(ctx, str(step.data.get("draft", "")))
    if step.state is None:
        await _apply(ctx, step)


async def _apply(ctx: HromadaContext, step: Step[EditEffects, EditProblem]) -> None:
    """Carry out an accepted edit, the right checked again, and tell everyone."""
    _ = ctx.i18n.gettext
    data_ = step.effects
    day, scope = data_.occurrence, data_.scope
    meeting = await repo.get_meeting(ctx.db, data_.meeting_id)
    if day is None:
        return
    who = await organiser(ctx.db, ctx.user.id)
    if meeting is None or who is None or not who.may_run(meeting):
        ctx.replies.send(_("You cannot do this."))
        await after_flow(ctx)
        return
    before = await repo.occurrence(ctx.db, meeting, day)
    if before is None or before.cancelled:
        ctx.replies.send(_("This meeting is cancelled."))
        await after_flow(ctx)
        return
    if data_.title_uk is not None:  # a title alone is no news: nobody is told
        meeting.title_uk = data_.title_uk
        meeting.title_ru = data_.title_ru or meeting.title_ru
        ctx.replies.send(
            _("The title is changed. Nobody was told: only a new time or place is news.")
        )
        await show_card(ctx, meeting, before)
        return
    news = News.MOVED if data_.start is not None else News.PLACE
    if scope == "all":
        await repo.change_series_from(
            ctx.db, meeting, day, start_local=data_.start, place=data_.place
        )
        day = data_.start.date() if data_.start is not None else day
    else:
        await repo.change_occurrence(
            ctx.db, meeting, day, start_local=data_.start, place=data_.place
        )
    after = await repo.occurrence(ctx.db, meeting, day)
    if after is None:  # pragma: no cover - the change just made it
        raise RuntimeError("an edited occurrence vanished")
    told = await tell_everyone(
        ctx.db,
        meeting,
        after,
        news,
        ctx.services.translators,
        ctx.services.default_language,
        was=before.start_at if news is News.MOVED else None,
    )
    ctx.replies.send(_told(ctx, told))
    await show_card(ctx, meeting, after)
