"""Migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
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


async def test_upgrading_an_old_sqlite_database_keeps_rows_that_point_at_rebuilt_tables(
    tmp_path: Path,
) -> None:
    """0009 rebuilds `staff_roles` (SQLite alters a table by copying it): a request claimed
    by a role, and the outbox row about it, keep that role afterwards (with foreign keys on
    during the rebuild, `ON DELETE SET NULL` emptied the claim)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0008"))
            for statement in OLD_ROWS:
                await conn.exec_driver_sql(statement)
        await upgrade_to_head(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            claim = await conn.exec_driver_sql(
                "SELECT claimed_by_role_id, routed_role_id FROM service_requests"
            )
            assert [tuple(row) for row in claim] == [(1, 1)]
            roles = await conn.exec_driver_sql("SELECT id, role FROM staff_roles")
            assert [tuple(row) for row in roles] == [(1, "moderator")]
            on = await conn.exec_driver_sql("PRAGMA foreign_keys")
            assert on.scalar() == 1  # switched back on for the connection's next user
    finally:
        await engine.dispose()


NOW = "'2026-12-01 10:00:00.000000'"
OLD_ROWS = [
    "INSERT INTO communities (id, code, slug, name_uk, name_ru, oblast, timezone, is_active,"
    f" created_at) VALUES (1, 'DRU', 'dru', 'Дружківка', 'Дружковка', 'donetsk',"
    f" 'Europe/Kyiv', 1, {NOW})",
    "INSERT INTO users (id, telegram_id, language, community_id, is_reachable, created_at,"
    f" last_seen_at) VALUES (1, 100, 'uk', 1, 1, {NOW}, {NOW})",
    "INSERT INTO staff_roles (id, user_id, community_id, role, created_at)"
    f" VALUES (1, 1, 1, 'moderator', {NOW})",
    "INSERT INTO service_requests (id, community_id, number, category, status, urgent,"
    " claimed_by_role_id, routed_role_id, created_at, updated_at)"
    f" VALUES (1, 1, 1, 'police', 'claimed', 0, 1, 1, {NOW}, {NOW})",
]


async def _indexes(engine: AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {str(ix["name"]) for ix in inspect(sync).get_indexes(table)}
        )


async def test_0014_request_query_indexes_down_and_up(engine: AsyncEngine) -> None:
    """0014 (issue 11) adds the /queue and /stats indexes; its downgrade drops exactly
    them (0013's schema is back) and upgrading again restores them, on both backends."""
    added = {"ix_service_requests_open", "ix_service_requests_stats_groups"}
    before = await _indexes(engine, "service_requests")
    assert added <= before

    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0013"))
    assert await current_revision(engine) == "0013"
    assert await _indexes(engine, "service_requests") == before - added

    await upgrade_to_head(engine)
    assert await current_revision(engine) == head_revision()
    assert await _indexes(engine, "service_requests") == before
