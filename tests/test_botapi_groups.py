"""Group chats on the local Bot API server, driven by python-telegram-bot over real HTTP.

Members and administrators, the bot being added, promoted, demoted and removed
(``my_chat_member``), a group becoming a supergroup, people writing and pressing in groups,
bans.  Every update the server queues is checked against the spec's ``Update`` type.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Literal

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden

from bot.botapi import TEST_TOKEN, BotApiServer, FakeGroup, validate_object

pytestmark = pytest.mark.asyncio

BOT_ID = 7000001


def tg_error(text: str) -> re.Pattern[str]:
    """A Telegram error text as PTB shows it (without "Bad Request: ", capitalized)."""
    return re.compile(re.escape(text), re.IGNORECASE)


@pytest_asyncio.fixture
async def client(botapi: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(TEST_TOKEN, base_url=botapi.base_url) as bot:
        yield bot


async def drain(client: Bot, botapi: BotApiServer, **kwargs: object) -> list[Update]:
    """All pending updates, after checking each one's JSON against the spec."""
    for raw in botapi.state.pending_updates():
        assert validate_object(raw, "Update") == [], raw
    updates = list(await client.get_updates(**kwargs))  # type: ignore[arg-type]
    if updates:
        await client.get_updates(offset=updates[-1].update_id + 1)
    return updates


# -- set-up and the bot's membership -----------------------------------------------------------
async def test_a_group_with_members_owner_and_administrators(
    client: Bot, botapi: BotApiServer
) -> None:
    olena, petro = botapi.user(), botapi.user(first_name="Петро")
    group = botapi.group(
        "Батьки", members=[olena, petro], bot_rights={"can_restrict_members": True}
    )
    assert group.chat_id < -1000000000000 and str(group.chat_id).startswith("-100")
    assert botapi.groups[group.chat_id] is group and botapi.state.updates == []
    assert (group.status(olena), group.status(petro), group.bot_status) == (
        "creator",
        "member",
        "administrator",
    )
    assert group.member_ids() == [olena.id, petro.id]
    owner = await client.get_chat_member(group.chat_id, olena.id)
    assert isinstance(owner, ChatMemberOwner) and owner.user.id == olena.id
    admins = await client.get_chat_administrators(group.chat_id)
    assert [(a.user.id, a.status) for a in admins] == [
        (olena.id, "creator"),
        (BOT_ID, "administrator"),
    ]
    me = admins[1]
    assert isinstance(me, ChatMemberAdministrator) and me.can_restrict_members
    assert not me.can_delete_messages and me.can_manage_chat
    assert await client.get_chat_member_count(group.chat_id) == 3
    stranger = botapi.user()
    assert isinstance(await client.get_chat_member(group.chat_id, stranger.id), ChatMemberLeft)
    with pytest.raises(BadRequest, match=tg_error("user not found")):
        await client.get_chat_member(group.chat_id, 99)
    raw = group.chat.members
    assert all(validate_object(m, "ChatMember") == [] for m in raw.values())
    incomplete = {"status": "administrator", "user": olena.user}  # the check can fail
    assert 'lacks required field "can_be_edited"' in " ".join(
        validate_object(incomplete, "ChatMember")
    )
    with pytest.raises(ValueError, match="unknown administrator rights"):
        await group.promote_bot(by=olena, can_fly=True)


@pytest.mark.parametrize(("kind", "word"), [("supergroup", "supergroup"), ("group", "group")])
async def test_the_bot_added_promoted_demoted_and_removed(
    client: Bot, botapi: BotApiServer, kind: Literal["group", "supergroup"], word: str
) -> None:
    olena, petro = botapi.user(), botapi.user(first_name="Петро")
    group = botapi.group("Громада", kind=kind, members=[olena, petro], with_bot=False)
    assert group.bot_status == "left"
    with pytest.raises(Forbidden, match=f"bot is not a member of the {word} chat"):
        await client.send_message(group.chat_id, "привіт")

    await group.add_bot(by=petro)
    added, service = await drain(client, botapi)
    change = added.my_chat_member
    assert change is not None and change.from_user.id == petro.id
    assert change.chat.id == group.chat_id and change.chat.type == kind
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert change.new_chat_member.user.id == BOT_ID
    assert service.message is not None and service.message.from_user is not None
    assert [u.id for u in service.message.new_chat_members] == [BOT_ID]
    assert service.message.from_user.id == petro.id
    await client.send_message(group.chat_id, "Дякую, що додали")

    with pytest.raises(AssertionError, match="not an administrator"):
        await group.promote_bot(by=petro, can_restrict_members=True)
    await group.promote_bot(by=olena, can_restrict_members=True, can_delete_messages=True)
    [promoted] = await drain(client, botapi)
    assert promoted.my_chat_member is not None
    new = promoted.my_chat_member.new_chat_member
    assert promoted.my_chat_member.old_chat_member.status == "member"
    assert isinstance(new, ChatMemberAdministrator)
    assert new.can_restrict_members and new.can_delete_messages and not new.can_promote_members

    await group.demote_bot(by=olena)
    [demoted] = await drain(client, botapi)
    assert demoted.my_chat_member is not None
    assert demoted.my_chat_member.old_chat_member.status == "administrator"
    assert demoted.my_chat_member.new_chat_member.status == "member"

    await group.promote_bot(by=olena, can_delete_messages=True)
    await group.remove_bot(by=olena)
    _, removed, left = await drain(client, botapi)
    assert removed.my_chat_member is not None and removed.my_chat_member.from_user.id == olena.id
    assert removed.my_chat_member.old_chat_member.status == "administrator"
    assert isinstance(removed.my_chat_member.new_chat_member, ChatMemberBanned)
    assert left.message is not None and left.message.left_chat_member is not None
    assert left.message.left_chat_member.id == BOT_ID
    with pytest.raises(Forbidden, match=f"bot was kicked from the {word} chat"):
        await client.send_message(group.chat_id, "ви тут?")
    assert [m.text for m in group.messages()] == ["Дякую, що додали"]
    assert botapi.violations == []


async def test_the_bot_leaving_and_being_removed_as_left(client: Bot, botapi: BotApiServer) -> None:
    olena = botapi.user()
    group = botapi.group("Сусіди", members=[olena])
    assert await client.leave_chat(group.chat_id)
    [left] = await drain(client, botapi)
    assert left.my_chat_member is not None and left.my_chat_member.from_user.id == BOT_ID
    assert left.my_chat_member.new_chat_member.status == "left"
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await client.send_message(group.chat_id, "x")
    with pytest.raises(Forbidden, match="bot is not a member"):
        await client.get_chat_administrators(group.chat_id)
    await group.add_bot(by=olena, rights={"can_delete_messages": True})
    added, _ = await drain(client, botapi)
    assert added.my_chat_member is not None
    assert added.my_chat_member.new_chat_member.status == "administrator"
    await group.remove_bot(by=olena, status="left")
    removed, _ = await drain(client, botapi)
    assert removed.my_chat_member is not None
    assert removed.my_chat_member.new_chat_member.status == "left"
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await client.send_message(group.chat_id, "x")


# -- a group becoming a supergroup -----------------------------------------------------------
async def test_a_group_migrates_to_a_supergroup(client: Bot, botapi: BotApiServer) -> None:
    olena, petro = botapi.user(), botapi.user(first_name="Петро")
    group = botapi.group("Ініціатива", kind="group", members=[olena, petro])
    assert -(10**10) < group.chat_id < 0
    before = await client.send_message(group.chat_id, "До оновлення")
    supergroup = await group.migrate_to_supergroup(by=olena)
    assert isinstance(supergroup, FakeGroup) and botapi.groups[supergroup.chat_id] is supergroup
    assert str(supergroup.chat_id).startswith("-100") and supergroup.kind == "supergroup"
    assert group.migrated_to == supergroup.chat_id
    assert supergroup.member_ids() == [olena.id, petro.id] and supergroup.bot_status == "member"

    moved_to, moved_from = await drain(client, botapi)
    assert moved_to.message is not None and moved_to.message.chat.id == group.chat_id
    assert moved_to.message.migrate_to_chat_id == supergroup.chat_id
    assert moved_to.message.from_user is not None and moved_to.message.from_user.id == olena.id
    assert moved_from.message is not None and moved_from.message.chat.id == supergroup.chat_id
    assert moved_from.message.migrate_from_chat_id == group.chat_id
    assert moved_from.message.chat.type == "supergroup" and moved_from.message.message_id == 1

    with pytest.raises(ChatMigrated) as caught:
        await client.send_message(group.chat_id, "На старий id")
    assert caught.value.new_chat_id == supergroup.chat_id
    assert botapi.errors_returned == [
        "sendMessage: Bad Request: group chat was upgraded to a supergroup chat"
    ]
    with pytest.raises(ChatMigrated):
        await client.edit_message_text("Змінено", group.chat_id, before.message_id)
    after = await client.send_message(supergroup.chat_id, "Після оновлення")
    assert after.message_id == 2 and after.chat.type == "supergroup"
    assert [m.text for m in group.messages()] == ["До оновлення"]
    assert [m.text for m in supergroup.messages()] == ["Після оновлення"]
    with pytest.raises(AssertionError, match="upgraded"):
        await petro.send_text("куди писати?", chat=group)
    with pytest.raises(AssertionError, match="not a basic group"):
        await supergroup.migrate_to_supergroup(by=olena)
    assert botapi.violations == []


# -- people in groups ------------------------------------------------------------------------
async def test_people_write_press_join_and_leave(client: Bot, botapi: BotApiServer) -> None:
    olena, petro, ivan = botapi.user(), botapi.user(first_name="Петро"), botapi.user()
    group = botapi.group("Робоча група", kind="group", members=[olena, petro])
    await olena.send_text("Добрий день", chat=group)
    await petro.send_command("/link@hromada_test_bot", chat=group)
    text, command = await drain(client, botapi)
    assert text.message is not None and text.message.chat.type == "group"
    assert text.message.from_user is not None and text.message.from_user.id == olena.id
    assert command.message is not None and command.message.chat.id == group.chat_id
    assert command.message.parse_entities(["bot_command"]).popitem()[1] == "/link@hromada_test_bot"

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Йду", callback_data="rsvp:yes")]])
    await client.send_message(group.chat_id, "Зустріч у вівторок", reply_markup=markup)
    await petro.press(group.last_message(), "Йду")
    [pressed] = await drain(client, botapi)
    query = pressed.callback_query
    assert query is not None and query.from_user.id == petro.id and query.data == "rsvp:yes"
    assert query.message is not None and query.message.chat.id == group.chat_id
    await query.answer("Записано")

    await group.add_member(ivan, by=olena)
    [joined] = await drain(client, botapi)
    assert joined.message is not None and [u.id for u in joined.message.new_chat_members] == [
        ivan.id
    ]
    await group.remove_member(petro)
    [left] = await drain(client, botapi)
    assert left.message is not None and left.message.left_chat_member is not None
    assert left.message.left_chat_member.id == petro.id
    assert left.message.from_user is not None and left.message.from_user.id == petro.id
    assert group.member_ids() == [olena.id, ivan.id] and group.status(petro) == "left"
    with pytest.raises(AssertionError, match="add_member"):
        await petro.send_text("я ще тут?", chat=group)
    with pytest.raises(AssertionError, match="add_member"):
        await petro.press(group.last_message(), "Йду")
    await group.remove_member(ivan, by=olena)  # basic group: removed is "left"
    assert group.status(ivan) == "left"
    [_] = await drain(client, botapi)


async def test_chat_member_updates_reach_an_administrator_bot_that_asks(
    client: Bot, botapi: BotApiServer
) -> None:
    olena, petro = botapi.user(), botapi.user()
    quiet = botapi.group("Без прав", members=[olena])
    await quiet.add_member(petro)
    assert [u.message is not None for u in await drain(client, botapi)] == [True]
    group = botapi.group("З правами", members=[olena], bot_rights={"can_restrict_members": True})
    allowed = ["message", "chat_member", "my_chat_member"]
    assert await drain(client, botapi, allowed_updates=allowed) == []  # as on Telegram: first ask
    await group.add_member(petro)
    await group.make_admin(petro, can_delete_messages=True)
    joined, service, promoted = await drain(client, botapi)
    assert joined.chat_member is not None and joined.chat_member.new_chat_member.status == "member"
    assert service.message is not None
    assert promoted.chat_member is not None
    assert promoted.chat_member.new_chat_member.status == "administrator"


async def test_people_in_a_group_without_the_bot_are_not_heard(
    client: Bot, botapi: BotApiServer
) -> None:
    olena = botapi.user()
    group = botapi.group("Приватна", members=[olena], with_bot=False)
    assert await olena.send_text("між собою", chat=group) == 0
    assert await drain(client, botapi) == []
    assert "між собою" in group.history()


# -- bans ------------------------------------------------------------------------------------
async def test_ban_needs_can_restrict_members(client: Bot, botapi: BotApiServer) -> None:
    olena, petro = botapi.user(), botapi.user(first_name="Петро")
    group = botapi.group("Громада", members=[olena, petro])
    rights = tg_error("not enough rights to restrict/ban chat member")
    with pytest.raises(BadRequest, match=rights):
        await client.ban_chat_member(group.chat_id, petro.id)
    await group.promote_bot(by=olena, can_delete_messages=True)
    with pytest.raises(BadRequest, match=rights):
        await client.ban_chat_member(group.chat_id, petro.id)
    assert group.member_ids() == [olena.id, petro.id]

    await group.promote_bot(by=olena, can_restrict_members=True)
    assert await client.ban_chat_member(group.chat_id, petro.id)
    assert group.member_ids() == [olena.id] and group.status(petro) == "kicked"
    banned = await client.get_chat_member(group.chat_id, petro.id)
    assert isinstance(banned, ChatMemberBanned)
    with pytest.raises(AssertionError, match="kicked"):
        await petro.send_text("пустіть", chat=group)
    with pytest.raises(BadRequest, match=tg_error("can't remove chat owner")):
        await client.ban_chat_member(group.chat_id, olena.id)

    assert await client.unban_chat_member(group.chat_id, petro.id)
    assert group.status(petro) == "left" and group.member_ids() == [olena.id]
    await group.add_member(petro)
    assert await client.unban_chat_member(group.chat_id, petro.id, only_if_banned=True)
    assert group.is_member(petro)
    assert await client.unban_chat_member(group.chat_id, petro.id)  # removes a member
    assert not group.is_member(petro)
    assert botapi.violations == []
    await drain(client, botapi)


async def test_ban_in_a_basic_group_and_unban_is_supergroup_only(
    client: Bot, botapi: BotApiServer
) -> None:
    olena, petro = botapi.user(), botapi.user()
    group = botapi.group(
        "Мала", kind="group", members=[olena, petro], bot_rights={"can_restrict_members": True}
    )
    assert await client.ban_chat_member(group.chat_id, petro.id, until_date=2_000_000_000)
    assert group.member_ids() == [olena.id]
    with pytest.raises(BadRequest, match=tg_error("supergroup and channel chats only")):
        await client.unban_chat_member(group.chat_id, petro.id)
    private = olena
    with pytest.raises(BadRequest, match=tg_error("can't be changed in private chats")):
        await client.ban_chat_member(private.id, petro.id)
