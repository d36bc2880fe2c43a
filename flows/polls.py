"""Quick polls without Telegram or a database: what a reader may see of the results, the
results as text (numbers first), and the pieces a creator types (options, closing time).

**The hiding rule** (`visibility`): below the poll's minimum number of voters nobody, staff
included, sees a count ("fewer than 5 votes so far"); a poll whose results come after
closing shows nobody a count before it is closed. Rendering asks this one function, so
there is no second path to a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPTION_LENGTH = 100
MAX_QUESTION_LENGTH = 300
DEFAULT_MIN_VOTES = 5
BAR_WIDTH = 10

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


class Visibility(StrEnum):
    SHOWN = "shown"
    TOO_FEW = "too_few"  # fewer voters than the minimum
    AFTER_CLOSE = "after_close"  # results only once the poll is closed


def visibility(*, closed: bool, live: bool, voters: int, min_votes: int) -> Visibility:
    """What anyone (resident or staff) may see of a poll's results now."""
    if not closed and not live:
        return Visibility.AFTER_CLOSE
    if voters < min_votes:
        return Visibility.TOO_FEW
    return Visibility.SHOWN


def pick(uk: str, ru: str, language: str) -> str:
    """A text in the reader's language; an empty one falls back to the other."""
    first, other = (ru, uk) if language == "ru" else (uk, ru)
    return first.strip() or other.strip()


def percent(count: int, voters: int) -> int:
    """Share of voters (multiple choice: each option's share, they may add up past 100)."""
    return round(100 * count / voters) if voters else 0


def bar(count: int, voters: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * count / voters) if voters else 0
    return "█" * filled + "░" * (width - filled)


@dataclass(frozen=True)
class Results:
    """A poll's counts in one reader's language."""

    question: str
    labels: Sequence[str]
    counts: Sequence[int]
    voters: int
    closed: bool
    live: bool
    min_votes: int

    @property
    def visibility(self) -> Visibility:
        return visibility(
            closed=self.closed, live=self.live, voters=self.voters, min_votes=self.min_votes
        )


def hidden_line(results: Results, _: Gettext, ngettext: Ngettext) -> str:
    """The one sentence shown instead of numbers (never a count)."""
    if results.visibility is Visibility.AFTER_CLOSE:
        return _("Results will be shown when the poll closes.")
    if results.closed:  # no "so far": no more votes will come
        return ngettext(
            "The poll is closed. Fewer than {n} person voted, so the results are not shown.",
            "The poll is closed. Fewer than {n} people voted, so the results are not shown.",
            results.min_votes,
        ).format(n=results.min_votes)
    return ngettext(
        "Fewer than {n} vote so far: results are shown from {n} votes.",
        "Fewer than {n} votes so far: results are shown from {n} votes.",
        results.min_votes,
    ).format(n=results.min_votes)


def results_text(results: Results, _: Gettext, ngettext: Ngettext) -> str:
    """The numbers first (readable on a weak connection): one line per option with count
    and percentage, the number of voters last. Plain text; the caller escapes it."""
    if results.visibility is not Visibility.SHOWN:
        return hidden_line(results, _, ngettext)
    lines = [
        f"{count} · {percent(count, results.voters)}% · {label}\n{bar(count, results.voters)}"
        for label, count in zip(results.labels, results.counts, strict=True)
    ]
    voters = ngettext("{n} person voted", "{n} people voted", results.voters).format(
        n=results.voters
    )
    return "\n".join(lines) + "\n\n" + voters


def shown_key(results: Results) -> str:
    """What a poll message shows of the results, as a short key: the live refresh edits a
    message only when its key differs from the current one. Hidden results have one key
    whatever the counts (below the minimum the sentence does not change, so nothing is
    edited and no count can leak)."""
    if results.visibility is not Visibility.SHOWN:
        return str(results.visibility.value)
    return f"{results.voters}:" + ",".join(str(n) for n in results.counts)


# -- what a creator types ---------------------------------------------------------------


class OptionsProblem(StrEnum):
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    TOO_LONG = "too_long"
    COUNT_DIFFERS = "count_differs"


def parse_options(text: str, *, expected: int | None = None) -> list[str] | OptionsProblem:
    """One option per line, 2 to 10, each at most 100 characters; with `expected` (the
    other language's list), exactly as many."""
    options = [line.strip() for line in text.splitlines() if line.strip()]
    if any(len(option) > MAX_OPTION_LENGTH for option in options):
        return OptionsProblem.TOO_LONG
    if expected is not None and len(options) != expected:
        return OptionsProblem.COUNT_DIFFERS
    if len(options) < MIN_OPTIONS:
        return OptionsProblem.TOO_FEW
    if len(options) > MAX_OPTIONS:
        return OptionsProblem.TOO_MANY
    return options


class WhenProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too_far"


_WHEN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+(\d{1,2})[:.](\d{2})\s*$")
MAX_AHEAD = timedelta(days=90)


def parse_closing(text: str, *, now: datetime, zone: str) -> datetime | WhenProblem:
    """ "25.12 18:00" (or "25.12.2026 18:00") in the community's local time, as a UTC
    instant. Without a year, the next such date (this year, else next year)."""
    match = _WHEN.match(text)
    if match is None:
        return WhenProblem.UNREADABLE
    day, month, year, hour, minute = (int(g) if g else 0 for g in match.groups())
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    years = [year] if year else [local_now.year, local_now.year + 1]
    for candidate in years:
        try:
            moment = datetime(candidate, month, day, hour, minute, tzinfo=tz)
        except ValueError:
            return WhenProblem.UNREADABLE
        if moment > local_now or year:
            break
    if moment <= local_now:
        return WhenProblem.PAST
    if moment - local_now > MAX_AHEAD:
        return WhenProblem.TOO_FAR
    return moment.astimezone(ZoneInfo("UTC"))
