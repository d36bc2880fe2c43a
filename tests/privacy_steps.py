"""Acting out the privacy scenarios: the keyed bot, /mydata's file, clocks moved together."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import BigInteger, Integer, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import Base
from storage.types import set_clock, system_clock
from tests.running_bot import bot_settings, running_bot

KEY = "test-erasure-key-not-for-production"


def id_hash(telegram_id: int) -> str:
    return hmac.new(KEY.encode(), str(telegram_id).encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return tmp_path / "erasures.log"


@pytest.fixture
async def keyed_bot(
    botapi: BotApiServer, database_url: str, ledger: Path
) -> AsyncIterator[HromadaApp]:
    """The bot with an erasure key and a ledger file of the test's own."""
    settings = bot_settings(
        botapi, database_url, erasure_hmac_key=KEY, erasure_ledger_file=str(ledger)
    )
    async with running_bot(settings) as app:
        yield app


def downloaded_json(botapi: BotApiServer, user: FakeUser) -> tuple[bytes, dict[str, Any]]:
    """The newest document the bot sent `user`, as bytes and parsed."""
    documents = [m for m in user.messages() if m.raw.get("document")]
    assert documents, user.history()
    document = documents[-1].raw["document"]
    assert document["file_name"].endswith(".json")
    data = botapi.state.files[document["file_id"]].data
    return data, json.loads(data)


class TwoClocks:
    """The bot's clock and the fake Telegram's, moved together."""

    def __init__(self, botapi: BotApiServer) -> None:
        self.ahead = timedelta(0)
        botapi.clock.follow(lambda: self().timestamp())

    def __call__(self) -> datetime:
        return system_clock() + self.ahead

    def advance(self, delta: timedelta) -> None:
        self.ahead += delta


@pytest.fixture
def clocks(botapi: BotApiServer) -> Iterator[TwoClocks]:
    moved = TwoClocks(botapi)
    set_clock(moved)
    try:
        yield moved
    finally:
        set_clock(None)


async def traces(engine: AsyncEngine, telegram_id: int, user_id: int) -> list[str]:
    """Every row of every table that still holds the person: their Telegram id in any
    integer column, or their `users.id` in any column that refers to `users`."""
    found = []
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                refers = any(fk.column.table.name == "users" for fk in column.foreign_keys)
                checks = []
                if isinstance(column.type, BigInteger | Integer) and not column.primary_key:
                    checks.append(telegram_id)
                if isinstance(column.type, BigInteger) and column.primary_key:
                    checks.append(telegram_id)
                if refers or (table.name == "users" and column.name == "id"):
                    checks.append(user_id)
                for value in checks:
                    n = await conn.scalar(
                        select(func.count()).select_from(table).where(column == value)
                    )
                    if n:
                        found.append(f"{table.name}.{column.name} = {value} ({n} rows)")
    return found
