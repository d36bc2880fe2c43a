"""A fresh, empty database for one benchmark run (the bot migrates and is seeded on it).

SQLite: a file in the run's temporary directory.  PostgreSQL: a scratch database created next
to the one named by ``HROMADA_BENCH_POSTGRES_URL`` (same server and credentials) and dropped
afterwards, so repeated runs never meet residents of an earlier run and the database named in
the URL is left untouched.  The role needs the CREATEDB privilege.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.processes import BenchError

__all__ = ["POSTGRES_ENV", "bench_database"]

POSTGRES_ENV = "HROMADA_BENCH_POSTGRES_URL"


@asynccontextmanager
async def bench_database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """Yield the URL of an empty database that exists for this run only."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_ENV, "")
    if not base.startswith("postgresql+asyncpg://"):
        raise BenchError(
            f"--database postgres needs {POSTGRES_ENV}=postgresql+asyncpg://... (got {base!r})"
        )
    url = make_url(base)
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    scratch = f"{url.database or 'hromada'}_run_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(admin_dsn)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"cannot connect to {POSTGRES_ENV}: {exc}") from exc
    try:
        await admin.execute(f'CREATE DATABASE "{scratch}"')
    except asyncpg.PostgresError as exc:
        raise BenchError(f"cannot create scratch database {scratch}: {exc}") from exc
    finally:
        await admin.close()
    try:
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        finally:
            await admin.close()
