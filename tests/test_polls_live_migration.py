"""Migration 0015 (issue 9, live results): poll_recipients gets `message_id` and `shown`;
down to 0014 drops exactly them and keeps the recipients, up again restores them; both
backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import alembic_config, current_revision, head_revision, upgrade_to_head


async def _columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("poll_recipients")}
        )


async def test_0015_poll_live_columns_down_and_up(engine: AsyncEngine) -> None:
    added = {"message_id", "shown"}
    before = await _columns(engine)
    assert added <= before
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, telegram_id, is_reachable, created_at, last_seen_at)"
                " VALUES (1, 101, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        community = (await conn.execute(text("SELECT min(id) FROM communities"))).scalar()
        await conn.execute(
            text(
                "INSERT INTO polls (id, community_id, template, question_uk, question_ru,"
                " multiple, audience, results_live, min_votes, closes_at, created_at)"
                " VALUES (1, :c, 'custom', 'П', '', false, 'community', true, 1,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"c": community},
        )
        await conn.execute(
            text(
                "INSERT INTO poll_recipients (poll_id, user_id, language, message_id, shown)"
                " VALUES (1, 1, 'uk', 55, '1:1,0')"
            )
        )
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0014"))
    assert await current_revision(engine) == "0014"
    assert await _columns(engine) == before - added
    async with engine.connect() as conn:
        kept = (await conn.execute(text("SELECT count(*) FROM poll_recipients"))).scalar()
    assert kept == 1

    await upgrade_to_head(engine)
    assert await current_revision(engine) == head_revision()
    assert await _columns(engine) == before
