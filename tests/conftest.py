"""Shared fixtures: databases on both backends, the local Bot API server, the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.engine import create_engine, session_factory
from storage.repositories.communities import read_seed, seed_communities
from tests import privacy_scan
from tests.botapi.fixtures import botapi
from tests.databases import BACKENDS, fresh_database, postgres_url, skip_reason
from tests.running_bot import bot_settings, running_bot

__all__ = ["botapi"]  # the local Bot API server fixture, shared by every test


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After every test that ran the bot on a test database against the local Bot API
    server: nothing sent to staff names a resident who did not share contact
    (`tests/privacy_scan.py`)."""
    try:
        yield
        funcargs = getattr(item, "funcargs", {})
        server, url = funcargs.get("botapi"), funcargs.get("database_url")
        if isinstance(server, BotApiServer) and isinstance(url, str):
            found = privacy_scan.leaks(server, url)
            if found:
                pytest.fail("Staff saw who a resident is:\n  " + "\n  ".join(found), False)
    finally:
        privacy_scan.reset()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres" and not postgres_url():
        pytest.skip(skip_reason())
    return name


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated, empty database of the test's backend, seeded with communities."""
    async with fresh_database(backend, tmp_path) as url:
        engine = create_engine(url)
        async with session_factory(engine)() as session, session.begin():
            await seed_communities(session, read_seed())
        await engine.dispose()
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test."""
    async with engine.connect() as conn:
        await conn.begin()
        session = AsyncSession(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            await session.close()
            await conn.rollback()


@pytest.fixture
async def bot(botapi: BotApiServer, database_url: str) -> AsyncIterator[HromadaApp]:
    """The real bot, long-polling the local Bot API server, on the test's database."""
    async with running_bot(bot_settings(botapi, database_url)) as app:
        yield app
