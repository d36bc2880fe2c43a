"""Migration 0007: the English labels the bot used to make up ("Moderator 7") are
forgotten, so staff read a role's name in their own language; labels an administrator
gave are kept."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.test_fsm_migration import _alembic, empty_engine

__all__ = ["empty_engine"]


async def test_made_up_labels_are_forgotten_given_ones_kept(empty_engine: AsyncEngine) -> None:
    await _alembic(empty_engine, command.upgrade, "0006")
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO communities (id, code, slug, name_uk, name_ru, oblast, timezone,"
                " is_active, request_seq, created_at) VALUES (1, 'DRU', 'dru', 'Д', 'Д', '',"
                " 'Europe/Kyiv', true, 0, CURRENT_TIMESTAMP)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO users (id, telegram_id, is_reachable, created_at, last_seen_at)"
                " VALUES (1, 100, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for role_id, role, label in [
            (7, "moderator", "Moderator 7"),
            (8, "provider", "Provider 8"),
            (9, "moderator", "Olha, NGO Vilni"),
            (10, "moderator", "Moderator 3"),  # not made up for this role: someone typed it
        ]:
            await conn.execute(
                text(
                    "INSERT INTO staff_roles (id, user_id, community_id, role, category, label,"
                    " created_at) VALUES (:id, 1, 1, :role, :category, :label,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"id": role_id, "role": role, "category": str(role_id), "label": label},
            )
    await _alembic(empty_engine, command.upgrade, "0007")
    async with empty_engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, label FROM staff_roles ORDER BY id"))).all()
    assert [tuple(row) for row in rows] == [
        (7, None),
        (8, None),
        (9, "Olha, NGO Vilni"),
        (10, "Moderator 3"),
    ]
