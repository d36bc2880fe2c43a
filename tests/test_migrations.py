"""Migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import current_revision, head_revision, upgrade_to_head
from storage.models import Base


async def test_upgraded_schema_matches_the_models(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == head_revision()

    def diff(sync_conn: object) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    assert await current_revision(engine) == head_revision()
