"""/help for staff (tester finding): besides what residents read, a moderator, a provider and
a facilitator each see the commands of their role, in their language; a resident sees no
staff command."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.engine import session_factory
from storage.repositories import staff
from tests.onboarding_steps import has
from tests.request_steps import invite, join_staff, make_moderator, make_provider, onboard
from tests.test_e2e_groups import new_group

pytestmark = pytest.mark.e2e
STAFF_COMMANDS = ("/queue", "/inbox", "/stats", "/link_staff_chat", "/meetings", "/poll", "/link")


async def help_text(person: FakeUser) -> str:
    async with person.expect_message(has("/language")) as got:
        await person.send_command("/help")
    return got.message.text or ""


def commands_in(text: str) -> set[str]:
    words = {w.rstrip(":,.") for w in text.split()}
    return {c for c in STAFF_COMMANDS if c in words}


async def test_staff_see_their_roles_commands_residents_none(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    await onboard(resident, "uk")
    text = await help_text(resident)
    assert "/community" in text and commands_in(text) == set()

    moderator = await make_moderator(botapi, engine)
    text = await help_text(moderator)
    assert "Для модераторів" in text
    assert {"/queue", "/stats", "/link_staff_chat", "/meetings", "/poll"} <= commands_in(text)
    assert "/inbox" not in commands_in(text) and "/groups" in text

    provider = await make_provider(botapi, engine)
    text = await help_text(provider)
    assert "/inbox" in commands_in(text) and "/queue" not in commands_in(text)

    group_id = await new_group(engine)
    facilitator = botapi.user(first_name="Галина", language_code="ru")
    async with session_factory(engine)() as session, session.begin():
        dru = await staff.community_by_slug(session, "dru")
        assert dru is not None
        code = await staff.create_invite(
            session, role="facilitator", community=dru, group_id=group_id
        )
    async with facilitator.expect_message(has("Главное меню")):
        await facilitator.send_command(f"/start {code}")
    text = await help_text(facilitator)
    assert "Для фасилитаторов" in text and "Бот «Громада»" in text
    assert {"/meetings", "/poll", "/link"} <= commands_in(text)
    assert "/queue" not in commands_in(text) and "/groups" in text

    # someone holding two roles reads both blocks
    both = botapi.user(first_name="Оксана")
    await join_staff(both, await invite(engine, "moderator"))
    await join_staff(
        both, await invite(engine, "provider", category="police", org=("Поліція", "Полиция"))
    )
    text = await help_text(both)
    assert {"/queue", "/inbox"} <= commands_in(text)
