"""`python -m bot copy-db --to URL`: copy everything from DATABASE_URL (say SQLite) into an
empty, migrated database (say PostgreSQL), for moving a deployment (docs/DEPLOY.md §10).

Both schemas must be at the newest revision; the target must hold no rows (the seeded
communities count: seed the target after, not before). Tables are copied in dependency
order through the models' own column types (so instants stay aware UTC, JSON stays JSON),
in batches, in one transaction on the target; then PostgreSQL's id sequences are moved
past the copied ids. The bot must be stopped meanwhile: nothing may write to the source.
"""

from __future__ import annotations

from sqlalchemy import Integer, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.startup import StartupError, safe_database_url
from storage.engine import create_engine
from storage.migrate import current_revision, head_revision
from storage.models import Base

BATCH = 1000


async def copy_database(source_url: str, target_url: str) -> list[str]:
    """Copy every table; one line per table with its row count."""
    if source_url == target_url:
        raise StartupError("copy-db: --to names the database DATABASE_URL already names")
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        for engine, url in ((source, source_url), (target, target_url)):
            await _require_current(engine, url)
        async with target.connect() as conn:
            busy = [t.name for t in Base.metadata.sorted_tables if await _count(conn, t.name)]
        if busy:
            raise StartupError(
                f"copy-db: the target {safe_database_url(target_url)} is not empty "
                f"({', '.join(busy)}): use a new, migrated, unseeded database"
            )
        lines = []
        async with source.connect() as read, target.begin() as write:
            for table in Base.metadata.sorted_tables:
                copied = 0
                result = await read.stream(select(table))
                async for rows in result.mappings().partitions(BATCH):
                    await write.execute(insert(table), [dict(row) for row in rows])
                    copied += len(rows)
                lines.append(f"{table.name}: {copied}")
            if target.dialect.name == "postgresql":
                await _move_sequences(write)
        return [*lines, f"copied into {safe_database_url(target_url)}"]
    finally:
        await source.dispose()
        await target.dispose()


async def _require_current(engine: AsyncEngine, url: str) -> None:
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise StartupError(
            f"copy-db: {safe_database_url(url)} is at schema {current or 'nothing'}, not "
            f"{head}: run `python -m bot migrate` against it first"
        )


async def _count(conn: AsyncConnection, table: str) -> int:
    return int((await conn.execute(select(func.count()).select_from(text(table)))).scalar_one())


async def _move_sequences(conn: AsyncConnection) -> None:
    """Serial ids continue after the highest copied one (next id = max + 1)."""
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer) or column.autoincrement is False:
                continue
            sequence = await conn.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            await conn.execute(
                text(
                    f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"sequence": sequence},
            )
