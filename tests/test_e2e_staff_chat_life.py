"""A staff chat's life cycle through the real bot: the bot removed from the group, the
group upgraded to a supergroup (told by the update, or learned by the outbox first), a
revoked moderator taken out of it by `python -m bot staff revoke`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import ALLOWED_UPDATES, HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import OutboxMessage, StaffChat, StaffRole, User
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, outbox_drained
from tests.test_cli_staff import cli
from tests.test_e2e_staff_chat import linked_staff_chat, texts_sent_to
from tests.test_e2e_staff_words import russian_moderator

pytestmark = pytest.mark.e2e


async def test_the_bot_removed_from_the_staff_chat(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    first = await make_moderator(botapi, engine)
    second = await russian_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, first, second)
    async with group.expect_message(has("DRU-0001")):
        await ask(botapi.user(), "Перше питання")
    # While the outbox stands still, a second card waits for the group ...
    dispatcher = bot.lifecycle.dispatcher
    assert dispatcher is not None
    await dispatcher.stop()
    await ask(botapi.user(), "Друге питання")
    # ... and the bot is removed from it.
    await group.remove_bot(by=first)
    async with first.expect_message(has("/language")):
        await first.send_command("/help")  # the remover's updates in order: a barrier
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(StaffChat)) == 0
    await dispatcher.start()
    async with (
        first.expect_message(has("Бота видалили з «Робоча група Дружківки»")) as told,
        second.expect_message(has("Бота удалили из «Робоча група Дружківки»")),
        first.expect_message(has("DRU-0002")) as lost_card,
    ):
        await outbox_drained(bot)
    assert "/queue" in (told.message.text or "") and "/link_staff_chat" in (told.message.text or "")
    assert "Друге питання" in (lost_card.message.text or "")  # not lost with the group
    # New requests now come to each moderator privately; nothing goes to the group.
    async with first.expect_message(has("DRU-0003")), second.expect_message(has("DRU-0003")):
        await ask(botapi.user(), "Третє питання")
    await outbox_drained(bot)
    assert not any("DRU-0002" in t or "DRU-0003" in t for t in texts_sent_to(botapi, group.chat_id))
    async with engine.connect() as conn:
        pending = await conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == group.chat_id, OutboxMessage.status == "pending")
        )
    assert pending == 0


async def test_the_staff_chat_becomes_a_supergroup(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, moderator, kind="group")
    async with group.expect_message(has("DRU-0001")):
        await ask(botapi.user(), "Перше питання")
    supergroup = await group.migrate_to_supergroup(by=moderator)
    # The link moves, and the open request's card is sent again where it can be acted on.
    moved = await supergroup.wait_for(has("DRU-0001"))
    async with supergroup.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await moderator.press(moved, "Взяти в роботу")
    async with supergroup.expect_message(has("DRU-0002")):
        await ask(botapi.user(), "Друге питання")
    async with engine.connect() as conn:
        linked = (await conn.execute(select(StaffChat.chat_id))).scalars().all()
    assert linked == [supergroup.chat_id]
    await outbox_drained(bot)
    assert len([m for m in supergroup.messages() if "DRU-0001" in (m.text or "")]) == 1


async def test_the_outbox_learns_of_the_upgrade_first(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, moderator, kind="group")
    dispatcher, updater = bot.lifecycle.dispatcher, bot.updater
    assert dispatcher is not None and updater is not None
    await dispatcher.stop()
    await ask(botapi.user(), "Питання")  # its card waits for the group ...
    await updater.stop()
    supergroup = await group.migrate_to_supergroup(by=moderator)  # ... which is upgraded
    # The bot has not read the upgrade yet: the card's send answers 400 migrate_to_chat_id,
    # and the card goes to the supergroup instead of being lost.
    async with supergroup.expect_message(has("DRU-0001")) as card:
        await dispatcher.start()
    await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=1, poll_interval=0)
    async with moderator.expect_message(has("/language")):
        await moderator.send_command("/help")  # the upgrade (from them) is read by now
    await outbox_drained(bot)
    assert len([m for m in supergroup.messages() if "DRU-0001" in (m.text or "")]) == 1
    async with supergroup.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await moderator.press(card.message, "Взяти в роботу")


async def role_of(engine: AsyncEngine, person: FakeUser) -> int:
    async with engine.connect() as conn:
        role_id = await conn.scalar(
            select(StaffRole.id)
            .join(User, User.id == StaffRole.user_id)
            .where(User.telegram_id == person.id)
        )
    assert role_id is not None
    return int(role_id)


@pytest.mark.parametrize("bot_may_ban", [True, False], ids=["bot-admin", "bot-member"])
async def test_a_revoked_moderator_leaves_the_staff_chat(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, database_url: str, bot_may_ban: bool
) -> None:
    first = await make_moderator(botapi, engine)
    second = await make_moderator(botapi, engine)
    rights = {"can_restrict_members": True} if bot_may_ban else None
    group = botapi.group("Робоча група", members=[first, second], bot_rights=rights)
    async with group.expect_message(has("нові звернення")):
        await first.send_command("/link_staff_chat", chat=group)
    role_id = await role_of(engine, second)
    async with first.expect_message(has("більше не має ролі")) as told:
        code, out, err = await cli(botapi, database_url, "staff", "revoke", str(role_id))
        assert code == 0, err
    text = told.message.text or ""
    assert f"Модератор {role_id}" in text, text
    if bot_may_ban:
        assert "staff chat: removed; 1 moderator(s) told" in out, out
        assert "Бот видалив цю людину з чату працівників" in text, text
        assert group.status(second) == "left"  # out, and free to be invited again
    else:
        assert "staff chat: cannot; 1 moderator(s) told" in out, out
        assert "Будь ласка, видаліть цю людину з чату працівників" in text, text
        assert group.is_member(second)
    assert not any("більше не має ролі" in (m.text or "") for m in second.messages())
