"""A self-help group's linked chat when Telegram upgrades it to a supergroup: the link
follows, whether the bot hears of it from the service messages (through the real bot) or
first from the outbox's 400 with migrate_to_chat_id; the moved chat can then be unlinked
by removing the bot from the supergroup. What members write in the linked chat is neither
stored nor logged."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from scheduler.outcomes import Outcome, write_outcome
from scheduler.sending import Migrated
from storage.engine import session_factory
from storage.models import GroupChat, ProcessedUpdate
from storage.repositories import group_moves, groups, staff
from storage.repositories.group_moves import GroupFields
from tests.onboarding_steps import has
from tests.request_steps import outbox_drained


async def new_group(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        group = await group_moves.create_group(
            session,
            dru.id,
            GroupFields("Ромська ініціатива", "", "", "", "ethnicity", "approval"),
        )
        return group.id


async def linked(engine: AsyncEngine, group_id: int) -> int | None:
    async with session_factory(engine)() as session:
        return await groups.linked_chat_id(session, group_id)


async def test_the_outbox_learning_of_an_upgrade_moves_the_link(engine: AsyncEngine) -> None:
    group_id = await new_group(engine)
    async with session_factory(engine)() as session, session.begin():
        await group_moves.link_chat(session, group_id, -4001)
    async with session_factory(engine)() as session, session.begin():
        outcome = Outcome(0, -4001, Migrated(-1004001), 0, False, None)
        await write_outcome(session, outcome)
    assert await linked(engine, group_id) == -1004001
    async with session_factory(engine)() as session, session.begin():  # told twice: harmless
        await write_outcome(session, outcome)
    assert await linked(engine, group_id) == -1004001


async def facilitator_of(botapi: BotApiServer, engine: AsyncEngine, group_id: int) -> FakeUser:
    person = botapi.user(language_code="uk")
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        code = await staff.create_invite(
            session, role="facilitator", community=dru, group_id=group_id
        )
    async with person.expect_message(has("Головне меню")):
        await person.send_command(f"/start {code}")
    return person


@pytest.mark.e2e
async def test_an_upgraded_group_chat_keeps_its_link_then_is_unlinked(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    group_id = await new_group(engine)
    facilitator = await facilitator_of(botapi, engine, group_id)
    async with facilitator.expect_message(has("Ваші групи самодопомоги")) as mine:
        await facilitator.send_command("/groups")
    async with facilitator.expect_message(has("Учасників: 0")) as card:
        await facilitator.press(mine.message, "Ромська ініціатива")
    async with facilitator.expect_message(has("/link")) as given:
        await facilitator.press(card.message, "Прив'язати чат групи")
    code = re.search(r"/link (grp_\S+)", given.message.text or "")
    assert code is not None
    chat = botapi.group("Роми Дружківки", kind="group", members=[facilitator], owner=facilitator)
    async with chat.expect_message(has("Ромська ініціатива")):
        await facilitator.send_command(f"/link {code.group(1)}", chat=chat)
    assert await linked(engine, group_id) == chat.chat_id
    # a member's ordinary message there: no processed update, no log line, no answer
    caplog.set_level(logging.INFO)  # libraries' debug logs are capped by bot/logging_setup
    for ours in ("bot", "handlers", "flows", "scheduler", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    member = botapi.user()
    await chat.add_member(member, by=facilitator)
    async with engine.connect() as conn:
        seen = await conn.scalar(select(func.count()).select_from(ProcessedUpdate))
    said = len(chat.messages())
    update_id = await member.send_text("Я з табору, мій номер 0501234567", chat=chat)
    async with member.expect_message(has("оберіть мову")):
        await member.send_command("/start")  # one person's updates in order: a barrier
    async with engine.connect() as conn:
        ids = (await conn.execute(select(ProcessedUpdate.update_id))).scalars().all()
    assert update_id not in ids and len(ids) == (seen or 0) + 1
    logging.getLogger("handlers.core.pipeline").debug("sentinel")
    assert any(r.getMessage() == "sentinel" for r in caplog.records)  # the capture works
    assert all("0501234567" not in r.getMessage() for r in caplog.records)
    assert len(chat.messages()) == said  # the bot said nothing to it

    supergroup = await chat.migrate_to_supergroup(by=facilitator)
    # both service messages reach the bot; a command in the new chat is a barrier after them
    async with supergroup.expect_message(has("Цей код не діє")):
        await facilitator.send_command(f"/link {code.group(1)}", chat=supergroup)
    assert await linked(engine, group_id) == supergroup.chat_id

    await supergroup.remove_bot(by=facilitator)
    async with facilitator.expect_message(has("Бота видалили з «Роми Дружківки»")):
        await outbox_drained(bot)
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(GroupChat)) == 0
