"""`python -m bot export polls [--since DATE] [--output FILE]`: every poll's counts per
option and voters' language as one CSV for programme reporting (no identities; a poll
below its minimum, or not yet closed with results after closing, is a row that says so)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

from bot.settings import Settings
from bot.startup import open_database
from handlers.staff.polls_export import rows_for, to_csv
from storage.engine import session_factory
from storage.repositories import polls


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("export", help="write counts for reporting to a CSV file")
    what = cmd.add_subparsers(dest="export_command", required=True)
    poll = what.add_parser("polls", help="every poll's counts per option and language")
    poll.add_argument("--since", type=_day, default=None, help="polls created on or after")
    poll.add_argument("--output", type=Path, default=Path("polls.csv"), help="(polls.csv)")


def export_polls(settings: Settings, args: argparse.Namespace) -> str:
    """Write the file; the line to print."""
    count, rows = asyncio.run(_collect(settings, args.since))
    output: Path = args.output
    output.write_text(to_csv(rows), encoding="utf-8")
    return f"{count} polls, {len(rows)} rows written to {output}"


async def _collect(settings: Settings, day: date | None) -> tuple[int, list[tuple[object, ...]]]:
    since = datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None
    rows: list[tuple[object, ...]] = []
    async with open_database(settings) as engine, session_factory(engine)() as session:
        chosen = await polls.polls_since(session, since)
        for poll in chosen:
            rows += await rows_for(session, poll)
    return len(chosen), rows
