"""Schema upgrades with Alembic, configured in code (no alembic.ini to keep in step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class ForeignKeyProblem(RuntimeError):
    """An upgrade on SQLite would leave rows pointing at nothing; it was rolled back."""


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already."""
    if engine.dialect.name == "sqlite":
        async with engine.connect() as conn:
            await conn.run_sync(_upgrade_sqlite)
        return
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))


def _upgrade_sqlite(sync: Connection) -> None:
    """**Decision:** on SQLite the upgrade runs with foreign keys off. Altering a table there
    means rebuilding it (copy, DROP, rename: Alembic's batch mode), and with foreign keys on
    the DROP acts on every row that points at the old table: `ON DELETE SET NULL` emptied
    each request's claim when 0009 rebuilt `staff_roles`, `CASCADE` would delete rows. The
    PRAGMA only takes effect outside a transaction, so it is set on the raw connection
    before the upgrade's transaction begins; `PRAGMA foreign_key_check` then runs inside it,
    and any row left pointing at nothing rolls the whole upgrade back."""
    raw = sync.connection.dbapi_connection
    assert raw is not None
    _pragma(raw, "PRAGMA foreign_keys=OFF")
    try:
        with sync.begin():
            command.upgrade(alembic_config(sync), "head")
            broken = sync.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                tables = sorted({str(row[0]) for row in broken})
                raise ForeignKeyProblem(f"rows point at nothing in: {', '.join(tables)}")
    finally:
        _pragma(raw, "PRAGMA foreign_keys=ON")


def _pragma(raw: Any, statement: str) -> None:
    cursor = raw.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
