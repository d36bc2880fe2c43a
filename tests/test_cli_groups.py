"""`python -m bot groups add|list|edit` and `invite --role facilitator --group N`, run as real
processes: one language falls back to the other, the sensitive flag follows the topic, an
edit changes only what it names, and a facilitator's link gives a role scoped to its group."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.engine import session_factory
from storage.models import SelfHelpGroup, StaffRole
from tests.onboarding_steps import has
from tests.test_cli_staff import cli

pytestmark = pytest.mark.e2e


async def the_group(engine: AsyncEngine, group_id: int) -> SelfHelpGroup:
    async with session_factory(engine)() as session:
        group = await session.get(SelfHelpGroup, group_id)
        assert group is not None
        return group


async def test_groups_add_list_edit_and_a_facilitators_invite(
    botapi: BotApiServer, bot: HromadaApp, database_url: str, engine: AsyncEngine
) -> None:
    args = ["groups", "add", "--community", "dru", "--title-uk", "Батьки дітей з інвалідністю"]
    code, out, err = await cli(botapi, database_url, *args, "--topic", "disability")
    assert code == 0, err
    group_id = int(out.split()[1])  # "group 1 added"
    group = await the_group(engine, group_id)
    assert group.title_ru == group.title_uk == "Батьки дітей з інвалідністю"  # ru falls back
    assert group.sensitive and group.join_policy == "approval" and group.is_active

    code, out, err = await cli(botapi, database_url, "groups", "list", "--community", "dru")
    assert code == 0, err
    assert f"{group_id}\t" in out and "sensitive" in out and "members=0 waiting=0" in out

    edit = ["groups", "edit", str(group_id), "--title-ru", "Родители детей с инвалидностью"]
    code, out, err = await cli(botapi, database_url, *edit, "--not-sensitive", "--join", "open")
    assert code == 0, err
    group = await the_group(engine, group_id)
    assert group.title_uk == "Батьки дітей з інвалідністю"  # not named: unchanged
    assert group.title_ru == "Родители детей с инвалидностью"
    assert not group.sensitive and group.join_policy == "open" and group.is_active

    invite = ["invite", "--role", "facilitator", "--community", "dru", "--group", str(group_id)]
    code, out, err = await cli(botapi, database_url, *invite)
    assert code == 0, err
    payload = out.strip().splitlines()[-1].split("start=", 1)[1]
    facilitator = botapi.user()
    async with facilitator.expect_message(has("Головне меню")):
        await facilitator.send_command(f"/start {payload}")
    async with engine.connect() as conn:
        roles = (await conn.execute(select(StaffRole.role, StaffRole.group_id))).all()
    assert [tuple(r) for r in roles] == [("facilitator", group_id)]
    async with facilitator.expect_message(has("Батьки дітей з інвалідністю: учасників 0")):
        await facilitator.send_command("/groups")  # their one group, with its counts

    code, out, err = await cli(botapi, database_url, "groups", "edit", str(group_id), "--close")
    assert code == 0, err
    assert not (await the_group(engine, group_id)).is_active


async def test_refusals_say_why_and_change_nothing(
    botapi: BotApiServer, bot: HromadaApp, database_url: str, engine: AsyncEngine
) -> None:
    code, _out, err = await cli(
        botapi, database_url, "groups", "add", "--community", "dru", "--topic", "parents"
    )
    assert code == 2 and "title" in err  # a group needs a title in one language at least
    args = ["groups", "add", "--community", "kos", "--title-ru", "Молодёжь", "--topic", "youth"]
    code, out, err = await cli(botapi, database_url, *args)
    assert code == 0, err
    group_id = int(out.split()[1])
    assert (await the_group(engine, group_id)).title_uk == "Молодёжь"  # uk falls back to ru
    assert not (await the_group(engine, group_id)).sensitive  # youth exposes nobody
    # a facilitator of another community's group is refused; no invite is made
    invite = ["invite", "--role", "facilitator", "--community", "dru", "--group", str(group_id)]
    code, out, err = await cli(botapi, database_url, *invite)
    assert code != 0 and "--group" in err and "start=" not in out
    code, _out, err = await cli(
        botapi, database_url, "invite", "--role", "facilitator", "--community", "dru"
    )
    assert code != 0 and "--group" in err
    async with session_factory(engine)() as session:
        assert list(await session.scalars(select(SelfHelpGroup.id))) == [group_id]
