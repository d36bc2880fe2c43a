"""The one pattern every part of the product follows for residents' data.

A part (requests, groups, meetings, polls, ...) describes what it holds about a person as a
`Section`: `export` returns it as JSON-able data (nothing about anyone else: no staff names,
no internal notes, no other people), `erase` removes or unlinks it, and `fields` explains
each exported field (msgids marked with `n_`, translated when the file is written).
`storage/privacy/sections.py` lists the sections; `/mydata` exports them in that order and
`/forget` erases them in the reverse order (the profile, first, goes last).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

JSONValue = Any


@dataclass(frozen=True)
class Person:
    """Whom a section exports or erases: the `users` row and the Telegram id."""

    user_id: int
    telegram_id: int
    language: str


Export = Callable[[AsyncSession, Person], Awaitable[JSONValue]]
Erase = Callable[[AsyncSession, Person], Awaitable[None]]


@dataclass(frozen=True)
class Section:
    key: str  # the section's name in the exported file
    about: str  # msgid: what this part of the bot keeps and why
    fields: Mapping[str, str]  # exported field (dotted for nested ones) -> msgid explaining it
    export: Export
    erase: Erase


def instant(moment: datetime | None) -> str | None:
    """An instant in the exported file: ISO 8601 in UTC."""
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None
