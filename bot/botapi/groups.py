"""Group chats on the fake Telegram: who is in them, the bot joining and leaving, upgrades.

Create one with ``server.group(title, kind="group"|"supergroup", members=[...], owner=...,
with_bot=True, bot_rights=None)``; that set-up is silent (as if it happened before the
test).  Everything done afterwards through a :class:`FakeGroup` is told to the bot as
Telegram tells it; each action returns the ids of the updates it queued:

* ``add_bot(by=person, rights=None)`` / ``remove_bot(by=person, status="kicked"|"left")``:
  a ``my_chat_member`` update (old and new ChatMember of the bot, ``from`` = ``by``) and the
  service message (``new_chat_members`` / ``left_chat_member``).
* ``promote_bot(by=person, **rights)`` / ``demote_bot(by=person)``: ``my_chat_member``
  ``member`` -> ``administrator`` (rights such as ``can_restrict_members=True``,
  ``can_delete_messages=True``; any ``can_*`` field of ChatMemberAdministrator) and back.
* ``add_member(person, by=None)`` / ``remove_member(person, by=None)``: the service message
  (``by=None``: the person joined or left on their own; removed by someone: ``kicked`` in a
  supergroup, ``left`` in a basic group), plus a ``chat_member`` update when the bot is an
  administrator and asked for it in ``allowed_updates``.  ``make_admin(person, **rights)``
  makes a person an administrator.
* ``migrate_to_supergroup(by=person)`` -> the new :class:`FakeGroup` (id ``-100...``, same
  members): the old group gets a message with ``migrate_to_chat_id``, the new one a message
  with ``migrate_from_chat_id`` (sent by GroupAnonymousBot on behalf of the supergroup, as
  Telegram does); from then on any call on the old id answers ``400 group chat was upgraded
  to a supergroup chat`` with ``parameters.migrate_to_chat_id``.

Reading: ``status(person)``, ``bot_status``, ``bot_member`` (the ChatMember JSON),
``member_ids()`` (people in the chat now, joining order), ``is_member(person)``.  People
write in a group with ``person.send_text(..., chat=group)`` and press buttons on its
messages with ``person.press(message, label)``; updates reach the bot only while it is in
the group.  A person never seen in the group who writes there is taken as a member; one who
left or was banned cannot write (AssertionError).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .members import (
    administrator,
    bot_present,
    change_member,
    is_present,
    simple_member,
)
from .views import ChatView

if TYPE_CHECKING:
    from .people import FakeUser

__all__ = ["GROUP_ANONYMOUS_BOT", "FakeGroup"]

JSON = dict[str, Any]
GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class FakeGroup(ChatView):
    """A group or supergroup; see the module docstring for what it can do."""

    # -- reading ----------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return str(self.chat.info["title"])

    @property
    def kind(self) -> str:
        """``"group"`` or ``"supergroup"``."""
        return str(self.chat.info["type"])

    @property
    def migrated_to(self) -> int | None:
        """The supergroup's id once this group was upgraded."""
        return self.chat.migrated_to

    def status(self, who: FakeUser | int) -> str:
        """The ChatMember status of a person (or user id): ``creator``, ``administrator``,
        ``member``, ``left`` (also for someone never in the group) or ``kicked``."""
        member = self.chat.members.get(who if isinstance(who, int) else who.id)
        return "left" if member is None else str(member["status"])

    def is_member(self, who: FakeUser | int) -> bool:
        """Whether the person is in the group now."""
        return is_present(self.chat.members.get(who if isinstance(who, int) else who.id))

    def member_ids(self) -> list[int]:
        """Ids of the people (not the bot) in the group now, in joining order."""
        bot_id = self.server.state.bot_id
        return [uid for uid, m in self.chat.members.items() if uid != bot_id and is_present(m)]

    @property
    def bot_member(self) -> JSON:
        """The bot's ChatMember JSON here (``left`` if it never was in the group)."""
        state = self.server.state
        found = self.chat.members.get(state.bot_id)
        return copy.deepcopy(found or simple_member(state.bot_user, "left"))

    @property
    def bot_status(self) -> str:
        return str(self.bot_member["status"])

    # -- the bot ----------------------------------------------------------------------------
    async def add_bot(self, *, by: FakeUser, rights: Mapping[str, bool] | None = None) -> list[int]:
        """``by`` adds the bot (as an administrator with ``rights`` when given)."""
        self._require_member(by)
        if bot_present(self.server.state, self.chat):
            raise AssertionError(f"the bot is already in group {self.chat_id}")
        bot = self.server.state.bot_user
        new = simple_member(bot, "member") if rights is None else administrator(bot, dict(rights))
        ids = change_member(self.server.state, self.chat, new, by.user)
        return ids + self._service(by, {"new_chat_members": [dict(bot)]})

    async def remove_bot(self, *, by: FakeUser, status: str = "kicked") -> list[int]:
        """``by`` (an administrator) removes the bot: ``kicked`` (default) or ``left``."""
        if status not in ("kicked", "left"):
            raise ValueError(f"status must be 'kicked' or 'left', not {status!r}")
        self._require_admin(by)
        self._require_bot()
        bot = self.server.state.bot_user
        ids = change_member(self.server.state, self.chat, simple_member(bot, status), by.user)
        return ids + self._service(by, {"left_chat_member": dict(bot)}, tell_bot=True)

    async def promote_bot(self, *, by: FakeUser, **rights: bool) -> list[int]:
        """``by`` makes the bot an administrator with ``rights`` (others False)."""
        self._require_admin(by)
        self._require_bot()
        new = administrator(self.server.state.bot_user, rights)
        return change_member(self.server.state, self.chat, new, by.user)

    async def demote_bot(self, *, by: FakeUser) -> list[int]:
        """``by`` takes the bot's administrator rights away (it stays a member)."""
        self._require_admin(by)
        if self.bot_status != "administrator":
            raise AssertionError(f"the bot is not an administrator of group {self.chat_id}")
        new = simple_member(self.server.state.bot_user, "member")
        return change_member(self.server.state, self.chat, new, by.user)

    # -- people -----------------------------------------------------------------------------
    async def add_member(self, person: FakeUser, *, by: FakeUser | None = None) -> list[int]:
        """``person`` joins (``by=None``) or is added by ``by``."""
        if self.is_member(person):
            raise AssertionError(f"user {person.id} is already in group {self.chat_id}")
        actor = person if by is None else by
        if by is not None:
            self._require_member(by)
        new = simple_member(person.user, "member")
        ids = change_member(self.server.state, self.chat, new, actor.user)
        return ids + self._service(actor, {"new_chat_members": [dict(person.user)]})

    async def remove_member(self, person: FakeUser, *, by: FakeUser | None = None) -> list[int]:
        """``person`` leaves (``by=None``) or is removed by the administrator ``by``."""
        self._require_member(person)
        if by is not None:
            self._require_admin(by)
        actor = person if by is None else by
        status = "kicked" if by is not None and self.kind == "supergroup" else "left"
        ids = change_member(
            self.server.state, self.chat, simple_member(person.user, status), actor.user
        )
        return ids + self._service(actor, {"left_chat_member": dict(person.user)})

    async def make_admin(self, person: FakeUser, **rights: bool) -> list[int]:
        """Make ``person`` (added if needed) an administrator with ``rights``."""
        new = administrator(person.user, rights)
        return change_member(self.server.state, self.chat, new, person.user)

    # -- upgrade ----------------------------------------------------------------------------
    async def migrate_to_supergroup(self, *, by: FakeUser) -> FakeGroup:
        """``by`` (an administrator) upgrades this basic group; returns the supergroup."""
        if self.kind != "group" or self.chat.migrated_to is not None:
            raise AssertionError(f"chat {self.chat_id} is not a basic group that can migrate")
        self._require_admin(by)
        state = self.server.state
        new_id = self.server.new_group_id("supergroup")
        info: JSON = {"id": new_id, "type": "supergroup", "title": self.title}
        supergroup = self.server.adopt_group(state.add_chat(info))
        supergroup.chat.members = copy.deepcopy(self.chat.members)
        self._service(by, {"migrate_to_chat_id": new_id})
        self.chat.migrated_to = new_id
        content = {"sender_chat": dict(info), "migrate_from_chat_id": self.chat_id}
        stored = state.add_message(supergroup.chat, GROUP_ANONYMOUS_BOT, content)
        if bot_present(state, supergroup.chat):
            state.enqueue_update("message", copy.deepcopy(stored.raw))
        return supergroup

    # -- helpers ----------------------------------------------------------------------------
    def _service(self, actor: FakeUser, content: JSON, *, tell_bot: bool = False) -> list[int]:
        """Store a service message from ``actor``; queue it if the bot is here (or told)."""
        state = self.server.state
        stored = state.add_message(self.chat, actor.user, content)
        if tell_bot or bot_present(state, self.chat):
            return [state.enqueue_update("message", copy.deepcopy(stored.raw))]
        return []

    def _require_member(self, person: FakeUser) -> None:
        if not self.is_member(person):
            raise AssertionError(f"user {person.id} is not in group {self.chat_id}")

    def _require_admin(self, person: FakeUser) -> None:
        if self.status(person) not in ("creator", "administrator"):
            raise AssertionError(f"user {person.id} is not an administrator of {self.chat_id}")

    def _require_bot(self) -> None:
        if not bot_present(self.server.state, self.chat):
            raise AssertionError(f"the bot is not in group {self.chat_id}")
