"""`/poll` (create a poll, for moderators and facilitators) and `/polls` (the creator's
polls: close now, counts as CSV). Buttons: `pc:<event>[:<value>]` in the creation flow's
states; `pm:<action>:<poll>` on the creator's poll list.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from sqlalchemy import select
from telegram import Update

from flows.categories import CATEGORY_CODES, category_label
from flows.flow import Step
from flows.meetings_time import TIME_CHOICES
from flows.polls import MAX_OPTIONS, MAX_QUESTION_LENGTH, pick
from flows.polls_create import (
    MIN_VOTES_CHOICES,
    PollCreateFlow,
    PollEffects,
    PollForm,
    PollProblem,
    option_pairs,
)
from flows.recurrence import wall_time
from handlers.core.context import HromadaContext
from handlers.core.router import Router
from handlers.core.steps import after_flow, cancel_flow, enter_flow, run_flow, send_back
from handlers.shared.ids import parse_id
from handlers.shared.keyboards import Button, data, day_picker, keyboard
from handlers.staff.polls_export import csv_for
from handlers.staff.polls_publish import community_zone, prepare, publish, store
from locales import n_
from locales.dates import format_when, zone_words
from storage.models import Meeting, Poll, StaffRole
from storage.repositories import meetings, polls, staff
from storage.types import utcnow

router = Router()
PREFIX = "pc"


async def _creator_role(ctx: HromadaContext) -> StaffRole | None:
    roles = [
        r
        for r in await staff.active_roles(ctx.db, ctx.user.id)
        if r.role in ("moderator", "facilitator")
    ]
    roles.sort(key=lambda r: (r.role != "moderator", r.community_id != ctx.user.community_id))
    return roles[0] if roles else None


@router.command("poll")
async def begin(update: Update, ctx: HromadaContext) -> None:
    role = await _creator_role(ctx)
    if role is None:
        ctx.replies.send(ctx.i18n.gettext("Polls are created by moderators and facilitators."))
        return
    group_id = getattr(role, "group_id", None)
    audience = "group" if role.role == "facilitator" and group_id else "community"
    near = await _meetings_near(ctx, role.community_id, group_id if audience == "group" else None)
    start = PollCreateFlow.start_data(
        audience=audience, community_id=role.community_id, group_id=group_id, meetings=near
    )
    await enter_flow(ctx, PollForm.audience if near else PollForm.question_uk, start)
    await ctx.reprompt()


MEETINGS_NEAR = timedelta(days=14)
MAX_MEETING_CHOICES = 5


async def _meetings_near(
    ctx: HromadaContext, community_id: int, group_id: int | None
) -> list[list[Any]]:
    """The occurrences of the creator's meetings (the community's working group, or their
    group's) within two weeks either side, nearest first: `[meeting id, ISO date, label]`
    for the audience step ("those who said going")."""
    now = utcnow()
    query = select(Meeting).where(Meeting.community_id == community_id)
    query = query.where(
        Meeting.group_id.is_(None) if group_id is None else Meeting.group_id == group_id
    )
    found: list[tuple[timedelta, list[Any]]] = []
    for meeting in await ctx.db.scalars(query):
        changes = await meetings.changes_of(ctx.db, meeting.id)
        for o in meetings.occurrences(meeting, changes, now - MEETINGS_NEAR, now + MEETINGS_NEAR):
            title = pick(meeting.title_uk, meeting.title_ru, ctx.i18n.language)[:40]
            label = f"«{title}», {o.start_local:%d.%m}"
            found.append((abs(o.start_at - now), [meeting.id, o.occurrence.isoformat(), label]))
    found.sort(key=lambda pair: pair[0])
    return [choice for _distance, choice in found[:MAX_MEETING_CHOICES]]


def _cancel_row(ctx: HromadaContext) -> list[Button]:
    return [(ctx.i18n.gettext("Cancel"), data(PREFIX, "cancel"))]


def _skip_rows(ctx: HromadaContext) -> list[list[Button]]:
    return [
        [(ctx.i18n.gettext("Skip: use the Ukrainian text"), data(PREFIX, "skip"))],
        _cancel_row(ctx),
    ]


# -- prompts ------------------------------------------------------------------------------


@router.prompt(PollForm.audience)
async def ask_audience(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    draft = await ctx.fsm.get_data()
    everyone = (
        _("The group's members")
        if draft["audience"] == "group"
        else _("The community's residents who follow the working group")
    )
    rows: list[list[Button]] = [[(everyone, data(PREFIX, "choose:all"))]]
    for n, (_meeting, _day, label) in enumerate(draft.get("meeting_choices") or []):
        rows.append([(_("Going to {meeting}").format(meeting=label), data(PREFIX, f"choose:m{n}"))])
    rows.append(_cancel_row(ctx))
    ctx.replies.send(_("New poll. Who is it for?"), keyboard(rows))


@router.prompt(PollForm.question_uk)
async def ask_question_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("New poll. Write the question in Ukrainian (up to {n} characters).").format(
            n=MAX_QUESTION_LENGTH
        ),
        keyboard(
            [
                [(_("📋 Ready-made: which topics matter most"), data(PREFIX, "template"))],
                _cancel_row(ctx),
            ]
        ),
    )


@router.prompt(PollForm.question_ru)
async def ask_question_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _(
            "Now the same question in Russian, or skip: "
            "Russian readers then see the Ukrainian text."
        ),
        keyboard(_skip_rows(ctx)),
    )


@router.prompt(PollForm.options_uk)
async def ask_options_uk(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    ctx.replies.send(
        _("Write the answers in Ukrainian, one per line: from 2 to {n}.").format(n=MAX_OPTIONS),
        keyboard([_cancel_row(ctx)]),
    )


@router.prompt(PollForm.options_ru)
async def ask_options_ru(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    count = len((await ctx.fsm.get_data()).get("options_uk") or [])
    ctx.replies.send(
        _("Now the same {n} answers in Russian, one per line, in the same order, or skip.").format(
            n=count
        ),
        keyboard(_skip_rows(ctx)),
    )


@router.prompt(PollForm.kind)
async def ask_kind(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows = [
        [(_("One answer"), data(PREFIX, "choose:single"))],
        [(_("Several answers"), data(PREFIX, "choose:multiple"))],
        _cancel_row(ctx),
    ]
    ctx.replies.send(_("How many answers may a person choose?"), keyboard(rows))


@router.prompt(PollForm.results)
async def ask_results(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    rows = [
        [(_("Live, to those who voted"), data(PREFIX, "choose:live"))],
        [(_("Only after closing"), data(PREFIX, "choose:after"))],
        _cancel_row(ctx),
    ]
    ctx.replies.send(_("When may people see the results?"), keyboard(rows))


async def _zone(ctx: HromadaContext) -> str:
    """The time zone of the poll's community."""
    draft = await ctx.fsm.get_data()
    return await community_zone(ctx.db, int(draft["community_id"]), ctx.services.timezone)


async def _local_today(ctx: HromadaContext) -> date:
    return wall_time(utcnow(), await _zone(ctx)).date()


@router.prompt(PollForm.closes)
async def ask_closes(ctx: HromadaContext) -> None:
    """The meetings' eight-week picker (issue 6), or the date and time typed."""
    _ = ctx.i18n.gettext
    zone = await _zone(ctx)
    rows = [*day_picker(wall_time(utcnow(), zone).date(), PREFIX), _cancel_row(ctx)]
    ctx.replies.send(
        _(
            "When does the poll close? Choose the day ({zone}), "
            "or write the date and time, e.g. 25.12 18:00."
        ).format(zone=zone_words(ctx.i18n.language, zone)),
        keyboard(rows),
    )


@router.prompt(PollForm.closes_time)
async def ask_close_time(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    day = date.fromisoformat((await ctx.fsm.get_data())["close_day"])
    buttons = [(f"{t:%H:%M}", data(PREFIX, f"time:{t:%H%M}")) for t in TIME_CHOICES]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(_cancel_row(ctx))
    ctx.replies.send(
        _("{day}: at what time does it close? Choose, or type it, like 18:30.").format(
            day=f"{day:%d.%m.%Y}"
        ),
        keyboard(rows),
    )


@router.prompt(PollForm.preview)
async def ask_preview(ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    draft = await ctx.fsm.get_data()
    zone = await community_zone(ctx.db, int(draft["community_id"]), ctx.services.timezone)
    closes = datetime.fromisoformat(str(draft["closes_at"]))
    language = ctx.i18n.language
    lines = [
        _("<b>Preview</b>"),
        escape(pick(draft["question_uk"], draft["question_ru"], language)),
        "",
    ]
    lines += [
        f"{n}. {escape(pick(uk, ru, language))}"
        for n, (uk, ru) in enumerate(option_pairs(draft), 1)
    ]
    lines += [
        "",
        _("Several answers") if draft.get("multiple") else _("One answer"),
        _("Results live, to those who voted")
        if draft.get("results_live")
        else _("Results only after closing"),
        _("Open until {when}.").format(when=format_when(closes, language, zone, now=utcnow())),
        _("Results are shown from {n} votes; nobody sees who voted what.").format(
            n=draft["min_votes"]
        ),
        _audience_line(ctx, draft),
    ]
    chosen = int(draft["min_votes"])
    minimum = [
        (
            ("✅ " if n == chosen else "") + _("From {n} votes").format(n=n),
            data(PREFIX, f"minimum:{n}"),
        )
        for n in MIN_VOTES_CHOICES
    ]
    rows = [minimum, [(_("Publish"), data(PREFIX, "publish"))], _cancel_row(ctx)]
    ctx.replies.send("\n".join(lines), keyboard(rows))


def _audience_line(ctx: HromadaContext, draft: dict[str, Any]) -> str:
    _ = ctx.i18n.gettext
    if draft["audience"] == "meeting":
        label = next(
            (
                label
                for meeting, day, label in draft.get("meeting_choices") or []
                if meeting == draft.get("meeting_id") and day == draft.get("occurrence")
            ),
            "",
        )
        return _('Audience: those who said "going" to {meeting}').format(meeting=escape(label))
    if draft["audience"] == "group":
        return _("Audience: the group's members")
    return _("Audience: the community's residents")


# -- events -------------------------------------------------------------------------------


_PROBLEMS = {
    PollProblem.EMPTY: n_("The text is empty. Please write something, or /cancel."),
    PollProblem.TOO_LONG: n_("That is too long for a question (at most 300 characters)."),
    PollProblem.TOO_FEW_OPTIONS: n_("A poll needs at least 2 answers, one per line."),
    PollProblem.TOO_MANY_OPTIONS: n_("A poll has at most 10 answers."),
    PollProblem.OPTION_TOO_LONG: n_("Each answer may have at most 100 characters."),
    PollProblem.COUNT_DIFFERS: n_(
        "Please give as many answers as in Ukrainian, in the same order."
    ),
    PollProblem.UNKNOWN_CHOICE: n_("This button is no longer active."),
    PollProblem.WHEN_UNREADABLE: n_("I could not read that date. Write it like 25.12 18:00."),
    PollProblem.WHEN_PAST: n_("That time has already passed. Please give a later one."),
    PollProblem.WHEN_TOO_FAR: n_("A poll can run for at most 90 days."),
    PollProblem.DAY_UNKNOWN: n_("This button is no longer active."),
    PollProblem.TIME_UNREADABLE: n_("I could not read that time. Write it like 18:30."),
}


async def render(ctx: HromadaContext, step: Step[PollEffects, PollProblem]) -> None:
    _ = ctx.i18n.gettext
    if step.problem is not None:
        ctx.replies.send(_(_PROBLEMS[step.problem]))
    draft = step.effects.publish
    if draft is None:
        return
    zone = await community_zone(ctx.db, int(draft["community_id"]), ctx.services.timezone)
    poll = await polls.create_poll(
        ctx.db,
        community_id=int(draft["community_id"]),
        creator_id=ctx.user.id,
        question_uk=draft["question_uk"],
        question_ru=draft["question_ru"],
        options=option_pairs(draft),
        multiple=bool(draft.get("multiple")),
        audience=str(draft["audience"]),
        group_id=draft.get("group_id"),
        meeting_id=draft.get("meeting_id"),
        occurrence=date.fromisoformat(draft["occurrence"]) if draft.get("occurrence") else None,
        closes_at=datetime.fromisoformat(str(draft["closes_at"])),
        results_live=bool(draft.get("results_live")),
        min_votes=int(draft["min_votes"]),
        template=str(draft.get("template") or "custom"),
    )
    sent = await publish(ctx.db, poll, ctx.services.translators, zone)
    ctx.replies.send(
        ctx.i18n.ngettext(
            "The poll is published: it goes to {n} person.",
            "The poll is published: it goes to {n} people.",
            sent,
        ).format(n=sent)
    )
    await after_flow(ctx)


@router.message(
    PollForm.question_uk,
    PollForm.question_ru,
    PollForm.options_uk,
    PollForm.options_ru,
    PollForm.closes,
    PollForm.closes_time,
)
async def typed(update: Update, ctx: HromadaContext) -> None:
    message = update.effective_message
    text = message.text if message is not None else None
    if text is None:
        ctx.replies.send(ctx.i18n.gettext("Please write it as text."))
        await ctx.reprompt()
        return
    draft = await ctx.fsm.get_data()
    zone = await community_zone(ctx.db, int(draft["community_id"]), ctx.services.timezone)
    step = await run_flow(
        ctx, PollCreateFlow, "give_text", render, text=text, now=utcnow(), zone=zone
    )
    if step is not None and step.problem in (PollProblem.TOO_LONG, PollProblem.OPTION_TOO_LONG):
        send_back(ctx, text.strip())


@router.callback(PREFIX, PollForm)
async def pressed(update: Update, ctx: HromadaContext, arg: str) -> None:
    event, _sep, value = arg.partition(":")
    if event == "cancel":
        await cancel_flow(ctx, ctx.i18n.gettext("The poll is cancelled; nothing was sent."))
        return
    if event == "template":
        await run_flow(ctx, PollCreateFlow, "use_template", render, **_topics(ctx))
        return
    if event == "day":
        day = _parse_day(value)
        today = await _local_today(ctx)
        await run_flow(ctx, PollCreateFlow, "pick_day", render, day=day, today=today)
        return
    if event == "time" and len(value) == 4 and value.isascii() and value.isdigit():
        draft = await ctx.fsm.get_data()
        zone = await community_zone(ctx.db, int(draft["community_id"]), ctx.services.timezone)
        text = f"{value[:2]}:{value[2:]}"
        await run_flow(ctx, PollCreateFlow, "give_text", render, text=text, now=utcnow(), zone=zone)
        return
    if event == "none":  # an empty cell of the picker
        ctx.replies.notice()
        return
    if event not in ("skip", "choose", "publish", "minimum"):
        event = "unknown"
    await run_flow(ctx, PollCreateFlow, event, render, value=value)


def _parse_day(value: str) -> date | None:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


TOPICS_QUESTION = n_("Which topics matter most to you now?")


def _topics(ctx: HromadaContext) -> dict[str, object]:
    """The topics template: the request categories (all but "Other") as answers."""
    texts: dict[str, object] = {"template": "topics"}
    for language in ("uk", "ru"):
        t = ctx.services.translators[language]
        texts[f"question_{language}"] = t.gettext(TOPICS_QUESTION)
        texts[f"options_{language}"] = [
            t.gettext(category_label(code)) for code in CATEGORY_CODES if code != "other"
        ][:MAX_OPTIONS]
    return texts


# -- the creator's polls ------------------------------------------------------------------


@router.command("polls")
async def my_polls(update: Update, ctx: HromadaContext) -> None:
    _ = ctx.i18n.gettext
    mine = await polls.created_by(ctx.db, ctx.user.id)
    if not mine:
        ctx.replies.send(_("You have not created any polls yet. /poll creates one."))
        return
    rows: list[list[Button]] = []
    for poll in mine[:10]:
        title = pick(poll.question_uk, poll.question_ru, ctx.i18n.language)[:40]
        if poll.closed_at is None:
            rows.append(
                [(_("Close now: {title}").format(title=title), data("pm", f"close:{poll.id}"))]
            )
        rows.append([(_("CSV: {title}").format(title=title), data("pm", f"csv:{poll.id}"))])
    ctx.replies.send(_("Your polls:"), keyboard(rows))


@router.callback("pm")
async def manage(update: Update, ctx: HromadaContext, arg: str) -> None:
    _ = ctx.i18n.gettext
    action, _sep, raw = arg.partition(":")
    poll_id = parse_id(raw)
    poll = await ctx.db.get(Poll, poll_id) if poll_id is not None else None
    if poll is None or poll.creator_id != ctx.user.id or action not in ("close", "csv"):
        ctx.replies.notice(_("This button is not valid. Nothing was changed."))
        return
    if action == "csv":
        if poll.closed_at is None and not poll.results_live:
            ctx.replies.notice(_("Results will be shown when the poll closes."), alert=True)
            return
        ctx.replies.notice()
        ctx.replies.document_private(
            f"poll-{poll.id}.csv",
            (await csv_for(ctx.db, poll)).encode("utf-8"),
            _("Counts per answer and voters' language; no names."),
        )
        return
    if not await polls.close(ctx.db, poll.id, now=utcnow()):
        ctx.replies.notice(_("This poll is already closed."))
        return
    # Announced in this update's transaction (a rare, manual close may hold it for the
    # chart's rendering); the outbox is woken after the commit.
    await ctx.db.refresh(poll)
    prepared = await prepare(ctx.db, ctx.services.translators, poll.id)
    if prepared is not None:
        await store(ctx.db, prepared)
    ctx.replies.notice(_("The poll is closed. The results go to the voters and to you."))
