"""`python -m bot copy-db`: a SQLite deployment moved to PostgreSQL keeps every row, and
the bot goes on there (new ids after the copied ones)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.botapi.server import BotApiServer
from bot.copy_db import copy_database
from bot.startup import StartupError
from storage.engine import create_engine, session_factory
from storage.models import Base, RequestMessage
from storage.repositories.communities import read_seed, seed_communities
from tests.databases import fresh_database, postgres_url, skip_reason
from tests.request_steps import ask, make_moderator
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
                for t in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


async def texts(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(select(RequestMessage).order_by(RequestMessage.id))
            return [r.text for r in rows]
    finally:
        await engine.dispose()


async def test_sqlite_to_postgresql(botapi: BotApiServer, tmp_path: Path) -> None:
    if not postgres_url():
        pytest.skip(skip_reason())
    async with (
        fresh_database("sqlite", tmp_path) as sqlite_url,
        fresh_database("postgres", tmp_path) as pg_url,
    ):
        engine = create_engine(sqlite_url)
        async with session_factory(engine)() as session, session.begin():
            await seed_communities(session, read_seed())
        async with running_bot(bot_settings(botapi, sqlite_url)) as app:
            assert app.lifecycle.engine is not None
            await make_moderator(botapi, app.lifecycle.engine)
            await ask(botapi.user(), "Світло на вулиці не горить — «лапки» і 'апостроф'")
        await engine.dispose()
        before = await counts(sqlite_url)
        assert before["service_requests"] == 1 and before["users"] == 2

        lines = await copy_database(sqlite_url, pg_url)
        assert "service_requests: 1" in lines
        assert await counts(pg_url) == before
        copied = await texts(pg_url)
        assert copied == await texts(sqlite_url)
        assert any("«лапки» і 'апостроф'" in t for t in copied), copied

        with pytest.raises(StartupError, match="is not empty"):
            await copy_database(sqlite_url, pg_url)

        async with running_bot(bot_settings(botapi, pg_url)):
            reference = await ask(botapi.user(), "Друге питання вже в PostgreSQL")
        assert reference == "DRU-0002"  # the community's counter came along
        after = await counts(pg_url)
        assert after["service_requests"] == 2 and after["users"] == 3


async def test_an_unmigrated_target_is_refused(tmp_path: Path) -> None:
    async with fresh_database("sqlite", tmp_path) as source:
        with pytest.raises(StartupError, match="python -m bot migrate"):
            await copy_database(source, f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}")
