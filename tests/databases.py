"""Test databases: a fresh SQLite file, or a fresh PostgreSQL database cloned from a
migrated template (set HROMADA_TEST_POSTGRES_URL to a server URL to enable those)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage.engine import create_engine
from storage.migrate import upgrade_to_head

POSTGRES_ENV = "HROMADA_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgres")
_template_ready: set[str] = set()


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def skip_reason() -> str:
    return (
        f"PostgreSQL tests skipped: {POSTGRES_ENV} is not set "
        "(`.ci/run` starts PostgreSQL and sets it)"
    )


def _dsn(url: str, database: str) -> str:
    """asyncpg's DSN for the same server, another database."""
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(_dsn(url, "postgres"))


async def _ensure_template(url: str) -> str:
    """A database migrated to head once per test run; each test clones it."""
    name = f"hromada_tpl_{os.getpid()}"
    if name in _template_ready:
        return name
    admin = await _admin(url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    engine = create_engine(make_url(url).set(database=name).render_as_string(False))
    await upgrade_to_head(engine)
    await engine.dispose()
    _template_ready.add(name)
    return name


@asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """Yield the URL of an empty, migrated database that exists for one test only."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hromada.sqlite3'}"
        engine = create_engine(url)
        await upgrade_to_head(engine)
        await engine.dispose()
        yield url
        return
    base = postgres_url()
    assert base, skip_reason()
    template = await _ensure_template(base)
    name = f"hromada_t_{uuid.uuid4().hex[:12]}"
    admin = await _admin(base)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await _admin(base)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
