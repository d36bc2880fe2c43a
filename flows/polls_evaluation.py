"""The meetings' evaluation, from the working groups' practice ("Evaluation of Working
Groups Meetings: agree / disagree"): after a meeting ends, those who said "going" get three
statements, each a single-choice poll with Agree / Disagree. Pure: the statements, the
options, when an evaluation is made and how long it stays open.

One poll per statement and occurrence (`polls.template` eval1..eval3, `meeting_id`,
`occurrence`; a unique index makes it once, also with several workers). Results come after
closing and follow the hiding rule like every poll (`flows.polls.visibility`).
"""

from __future__ import annotations

from datetime import date, timedelta

from locales import n_

STATEMENTS: tuple[tuple[str, str], ...] = (
    ("eval1", n_("The meeting was useful")),
    ("eval2", n_("I could say what I wanted")),
    ("eval3", n_("I will come again")),
)
TEMPLATES = tuple(template for template, _ in STATEMENTS)
AGREE = n_("Agree")
DISAGREE = n_("Disagree")
OPEN_FOR = timedelta(days=7)  # the evaluation closes a week after the meeting ended
LOOKBACK = timedelta(days=7)  # meetings that ended longer ago are not evaluated any more
QUESTION = n_("Meeting «{title}», {day}: {statement}")


def statement_of(template: str) -> str | None:
    return dict(STATEMENTS).get(template)


def day_label(day: date) -> str:
    return f"{day:%d.%m.%Y}"
