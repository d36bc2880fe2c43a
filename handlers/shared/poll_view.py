"""A poll as a recipient sees it in their private chat, and its results as text: rendered
in the reader's language, counts only where `flows.polls.visibility` allows them.

Button data: `pv:<poll>:<position>:<1|0>` (choose / take back; a single-choice button is
always 1) and `pr:<poll>` (show fresh live counts). Never trusted: the vote handler checks
the poll, the audience, the option and the deadline.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from html import escape

from telegram import InlineKeyboardMarkup

from flows.polls import Results, pick, results_text, shown_key
from handlers.shared.keyboards import Button, data, keyboard
from locales import Translator
from locales.dates import format_when
from storage.models import Poll, PollOption
from storage.repositories.polls import Tally

MAX_LABEL = 60


def results_of(
    poll: Poll, options: Sequence[PollOption], tally: Tally, language: str, *, closed: bool
) -> Results:
    return Results(
        question=pick(poll.question_uk, poll.question_ru, language),
        labels=[pick(o.text_uk, o.text_ru, language) for o in options],
        counts=[tally.counts.get(o.position, 0) for o in options],
        voters=tally.voters,
        closed=closed,
        live=poll.results_live,
        min_votes=poll.min_votes,
    )


def live_key(poll: Poll, options: Sequence[PollOption], tally: Tally, *, closed: bool) -> str:
    """What a voter's poll message shows of these results (`flows.polls.shown_key`): the
    same in every language."""
    return shown_key(results_of(poll, options, tally, "uk", closed=closed))


def results_message(results: Results, t: Translator) -> str:
    """The closing announcement: the numbers as text first (the chart follows)."""
    _ = t.gettext
    return "{title}\n<b>{question}</b>\n\n{body}".format(
        title=_("📊 Poll results"),
        question=escape(results.question),
        body=escape(results_text(results, _, t.ngettext)),
    )


def poll_message(
    poll: Poll,
    options: Sequence[PollOption],
    t: Translator,
    zone: str,
    *,
    chosen: Collection[int] = (),
    tally: Tally | None = None,
    now: datetime | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The poll: question, how to answer, the deadline, the reader's current choice, live
    results when the poll has them (and the reader has voted), and the option buttons."""
    _ = t.gettext
    language = t.language
    closed = poll.closed_at is not None or (now is not None and now >= poll.closes_at)
    labels = {o.position: pick(o.text_uk, o.text_ru, language) for o in options}
    lines = [
        _("📊 Poll"),
        f"<b>{escape(pick(poll.question_uk, poll.question_ru, language))}</b>",
    ]
    lines.append("")
    if closed:
        lines.append(_("This poll is closed."))
    else:
        lines.append(_("Choose one or more answers.") if poll.multiple else _("Choose one answer."))
        lines.append(
            _("Open until {when}.").format(
                when=format_when(poll.closes_at, language, zone, now=now)
            )
        )
    if chosen:
        picked = ", ".join(labels[p] for p in sorted(chosen) if p in labels)
        lines.append(_("Your choice: {choice}").format(choice=escape(picked)))
        if not closed:
            lines.append(_("You can change it until the poll closes."))
    if poll.results_live and tally is not None and chosen:
        results = results_of(poll, options, tally, language, closed=closed)
        lines.append("")
        lines.append(escape(results_text(results, _, t.ngettext)))
    if closed:
        return "\n".join(lines), None
    rows: list[list[Button]] = []
    for option in options:
        mark = option.position in chosen
        label = ("✅ " if mark else "") + labels[option.position][:MAX_LABEL]
        choose = 0 if (poll.multiple and mark) else 1
        rows.append([(label, data("pv", f"{poll.id}:{option.position}:{choose}"))])
    if poll.results_live and chosen:
        rows.append([(_("🔄 Show current results"), data("pr", poll.id))])
    return "\n".join(lines), keyboard(rows)
