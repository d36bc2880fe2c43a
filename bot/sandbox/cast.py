"""The people of the sandbox, one pane each, and the staff roles they are given.

Residents write in Ukrainian and in Russian; the moderator, the provider and the facilitator
get their roles through the real invite mechanism (``storage.repositories.staff.
create_invite``, then ``/start <code>`` typed in their pane, exactly as a person opens the
link), so their chats begin as a real one would.  Ids are fixed, so a sandbox restarted on
its existing database finds the same people (and their roles) again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.botapi.groups import FakeGroup
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.views import ChatView
from storage.engine import session_factory
from storage.repositories import staff

__all__ = ["COMMUNITY", "Pane", "add_resident", "cast", "give_roles"]

COMMUNITY = "dru"  # the demo community every staff pane works for (Дружківка)
FIRST_EXTRA_ID = 100100


@dataclass
class Pane:
    """One chat on the page: a person's private chat with the bot, or a group."""

    key: str
    title: str
    role: str  # resident, moderator, provider, facilitator, group
    language: str
    view: ChatView
    person: FakeUser | None = None  # whose private chat; None for a group
    members: list[FakeUser] = field(default_factory=list)  # who can write in a group

    def speaker(self, key: str | None) -> FakeUser:
        """Who writes: the pane's person, or the named member of a group."""
        if self.person is not None:
            return self.person
        for member in self.members:
            if key is None or str(member.id) == key:
                return member
        raise KeyError(key)


@dataclass(frozen=True)
class Person:
    key: str
    user_id: int
    name: str
    role: str
    language: str


PEOPLE = (  # the page names each pane by the person; the role is the page's own word
    Person("resident-uk", 100001, "Оксана", "resident", "uk"),
    Person("resident-ru", 100002, "Дмитрий", "resident", "ru"),
    Person("moderator", 100003, "Марина", "moderator", "uk"),
    Person("provider", 100004, "Іван", "provider", "uk"),
    Person("facilitator", 100005, "Галина", "facilitator", "uk"),
)
GROUP_TITLE = "Група підтримки · Дружківка"


def cast(server: BotApiServer) -> dict[str, Pane]:
    """The starting panes; the group holds the facilitator (its owner) and both residents."""
    panes: dict[str, Pane] = {}
    for who in PEOPLE:
        user = server.user(who.user_id, first_name=who.name, language_code=who.language)
        panes[who.key] = Pane(who.key, who.name, who.role, who.language, user, person=user)
    members = [panes[k].speaker(None) for k in ("facilitator", "resident-uk", "resident-ru")]
    group: FakeGroup = server.group(GROUP_TITLE, members=members, owner=members[0])
    panes["group"] = Pane("group", GROUP_TITLE, "group", "uk", group, members=members)
    return panes


def add_resident(server: BotApiServer, panes: dict[str, Pane], name: str, language: str) -> Pane:
    """Another resident (a new pane) writing in ``language``."""
    taken = {pane.person.id for pane in panes.values() if pane.person is not None}
    user_id = next(i for i in range(FIRST_EXTRA_ID, FIRST_EXTRA_ID + 10_000) if i not in taken)
    user = server.user(user_id, first_name=name, language_code=language)
    key = f"person-{user_id}"
    pane = Pane(key, name, "resident", language, user, person=user)
    panes[key] = pane
    return pane


async def _invite(engine: AsyncEngine, role: str, group_id: int) -> str:
    async with session_factory(engine)() as session, session.begin():
        community = await staff.community_by_slug(session, COMMUNITY)
        if community is None:
            raise RuntimeError(f"community {COMMUNITY!r} is not seeded")
        provider = role == "provider"
        return await staff.create_invite(
            session,
            role=role,
            community=community,
            category="police" if provider else None,
            org_name_uk="Відділ поліції Дружківки" if provider else None,
            org_name_ru="Отдел полиции Дружковки" if provider else None,
            label=None,
            group_id=group_id if role == "facilitator" else None,
            valid_for=timedelta(days=1),
        )


async def give_roles(engine: AsyncEngine, panes: dict[str, Pane], group_id: int) -> list[str]:
    """Invite each staff pane's person who holds no role yet and open the link in their
    chat (``/start <code>``), as a person would; the facilitator's invite names the demo
    group ``group_id``.  Returns the roles handed out."""
    async with session_factory(engine)() as session:
        holders = await staff.staff_telegram_ids(session)
    given = []
    for pane in panes.values():
        person = pane.person
        if person is None or pane.role not in staff.ROLES or person.id in holders:
            continue
        code = await _invite(engine, pane.role, group_id)
        async with person.expect_message(timeout=30):
            await person.send_command(f"/start {code}")
        given.append(pane.role)
    return given
