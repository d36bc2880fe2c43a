"""Communities (hromadas) and their seed data."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "communities.json"


@dataclass(frozen=True)
class SeedResult:
    created: int
    updated: int


def read_seed(path: Path = SEED_FILE) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return rows


async def seed_communities(session: AsyncSession, rows: list[dict[str, str]]) -> SeedResult:
    """Insert or update communities (rows of `read_seed()`); matched by `code`."""
    existing = {c.code: c for c in (await session.execute(select(Community))).scalars()}
    created = updated = 0
    for row in rows:
        community = existing.get(row["code"])
        if community is None:
            session.add(Community(**row))
            created += 1
            continue
        for key, value in row.items():
            setattr(community, key, value)
        updated += 1
    await session.flush()
    return SeedResult(created=created, updated=updated)


@dataclass(frozen=True)
class CommunityInfo:
    id: int
    code: str
    name_uk: str
    name_ru: str
    timezone: str


class CommunityDirectory:
    """The active communities, read at most once a minute per process.

    They change only when an administrator seeds or edits them; onboarding reads them on
    every step, so a short cache saves several queries per step. A community added by
    `python -m bot seed` appears within `max_age` seconds.
    """

    def __init__(self, max_age: float = 60.0) -> None:
        self.max_age = max_age
        self._items: list[CommunityInfo] = []
        self._loaded_at = float("-inf")

    async def all(self, session: AsyncSession) -> list[CommunityInfo]:
        now = time.monotonic()
        if now - self._loaded_at > self.max_age:
            rows = await session.execute(select(Community).where(Community.is_active.is_(True)))
            self._items = [
                CommunityInfo(c.id, c.code, c.name_uk, c.name_ru, c.timezone)
                for c in rows.scalars()
            ]
            self._loaded_at = now
        return self._items

    async def sorted_for(self, session: AsyncSession, language: str) -> list[CommunityInfo]:
        items = await self.all(session)
        return sorted(items, key=lambda c: ((c.name_ru if language == "ru" else c.name_uk), c.id))

    async def get(self, session: AsyncSession, community_id: int) -> CommunityInfo | None:
        return next((c for c in await self.all(session) if c.id == community_id), None)
