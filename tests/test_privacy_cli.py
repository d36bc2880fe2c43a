"""`python -m bot forget --telegram-id N` and, after a restore, `forget --reapply`, run as
real processes on both backends."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import session_factory
from storage.models import Community, Erasure, RequestMessage, ServiceRequest, User
from storage.repositories import requests
from tests.privacy_steps import KEY, id_hash

ROOT = Path(__file__).resolve().parent.parent
PERSON = 424242


async def forget_cli(
    database_url: str, ledger: Path, *args: str, key: str = KEY
) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "ERASURE_HMAC_KEY": key,
        "ERASURE_LEDGER_FILE": str(ledger),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "forget",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def a_resident_with_a_request(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.code == "DRU"))
        assert community is not None
        user = User(telegram_id=PERSON, language="uk", community_id=community.id)
        session.add(user)
        await session.flush()
        await requests.create_request(
            session,
            author_id=user.id,
            community_id=community.id,
            category="police",
            text="Моє питання",
            photos=["photo-1"],
            urgent=False,
            contact_name="Олена",
        )


async def person_left(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        found = await conn.scalar(select(func.count()).where(User.telegram_id == PERSON))
    return bool(found)


async def test_forget_then_reapply_after_a_restore(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    ledger = tmp_path / "erasures.log"
    await a_resident_with_a_request(engine)
    code, out, err = await forget_cli(database_url, ledger, "--telegram-id", str(PERSON))
    assert code == 0, err
    assert "erased" in out and str(PERSON) not in out + err
    assert not await person_left(engine)
    async with engine.connect() as conn:
        assert (await conn.execute(select(Erasure.id_hash))).scalars().all() == [id_hash(PERSON)]
        texts = (await conn.execute(select(RequestMessage.text))).scalars().all()
        assert texts == [""]
        assert (await conn.execute(select(ServiceRequest.author_id))).scalars().all() == [None]

    # A backup from before the erasure comes back: the person, and no `erasures` row.
    await a_resident_with_a_request(engine)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(Erasure))
    code, out, err = await forget_cli(database_url, ledger, "--reapply")
    assert code == 0, err
    assert "erased again: 1" in out
    assert not await person_left(engine)
    # Nothing to do a second time.
    code, out, _err = await forget_cli(database_url, ledger, "--reapply")
    assert code == 0 and "erased again: 0" in out


async def test_reapply_needs_the_key_and_an_unknown_id_is_said(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    ledger = tmp_path / "erasures.log"
    code, _out, err = await forget_cli(database_url, ledger, "--reapply", key="")
    assert code == 1 and "ERASURE_HMAC_KEY" in err
    code, out, _err = await forget_cli(database_url, ledger, "--telegram-id", "777")
    assert code == 0 and "no such person" in out
    assert ledger.read_text().startswith(id_hash(777))


@pytest.mark.parametrize("args", [[], ["--telegram-id", "x"]])
async def test_forget_refuses_bad_arguments(
    database_url: str, tmp_path: Path, args: list[str]
) -> None:
    code, _out, err = await forget_cli(database_url, tmp_path / "l", *args)
    assert code == 2 and "usage" in err
