"""Browsing a community's self-help groups (issue 8): six a page with Previous / Next and
"page N of M", in Russian here; a member's own group marked; another community's groups
never listed; a member's card says who sees the members and shows no count."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.engine import session_factory
from storage.models import SelfHelpGroup
from storage.repositories import group_moves, staff
from storage.repositories.group_moves import GroupFields
from tests.onboarding_steps import has
from tests.request_steps import make_moderator, onboard

pytestmark = pytest.mark.e2e


async def add_groups(engine: AsyncEngine, community: str, n: int, prefix: str) -> None:
    async with session_factory(engine)() as session, session.begin():
        target = await staff.community_by_slug(session, community)
        assert target is not None
        for i in range(1, n + 1):
            await group_moves.create_group(
                session,
                target.id,
                GroupFields(
                    title_uk=f"{prefix} {i:02d}",
                    title_ru=f"{prefix} {i:02d} (ru)",
                    description_uk="",
                    description_ru="",
                    topic="parents",
                    join_policy="open",
                ),
            )


async def test_pages_of_six_marks_and_no_counts_for_members(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    await add_groups(engine, "dru", 8, "Група")
    await add_groups(engine, "kos", 2, "Чужа")
    resident = botapi.user(language_code="ru")
    await onboard(resident, "ru")
    async with resident.expect_message(has("Главное меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Страница 1 из 2")) as first:
        await resident.press(menu.message, "Группы самопомощи")
    names = [b for b in first.message.button_texts() if b.startswith("Група")]
    assert len(names) == 6 and "Далее ▶" in first.message.button_texts()
    assert "◀ Назад" not in first.message.button_texts()
    assert not any("Чужа" in b for b in first.message.button_texts())
    async with resident.expect_message(has("Страница 2 из 2")) as second:
        await resident.press(first.message, "Далее ▶")
    rest = [b for b in second.message.button_texts() if b.startswith("Група")]
    assert len(rest) == 2 and not set(rest) & set(names)
    assert "Далее ▶" not in second.message.button_texts()

    # join one: marked in the list; the card shows no member count
    async with resident.expect_message(lambda m: "Вступить" in m.button_texts()) as card:
        await resident.press(second.message, rest[0])
    async with resident.expect_message(lambda m: "Выйти из группы" in m.button_texts()) as c:
        await resident.press(card.message, "Вступить")
    text = c.message.text or ""
    assert "Участников" not in text and "фасилитаторы" in text
    async with resident.expect_message(has("Страница 1 из 2")) as back:
        await resident.press(c.message, "◀ Группы")
    async with resident.expect_message(has("Страница 2 из 2")) as again:
        await resident.press(back.message, "Далее ▶")
    assert f"✓ {rest[0]}" in again.message.button_texts()


async def test_counts_are_for_facilitators_and_moderators_only(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    await add_groups(engine, "dru", 1, "Група")
    member = botapi.user()
    await onboard(member, "uk")
    async with member.expect_message(has("Головне меню")) as menu:
        await member.send_command("/start")
    async with member.expect_message(has("1 група")) as listed:
        await member.press(menu.message, "Групи самодопомоги")
    async with member.expect_message(lambda m: "Приєднатися" in m.button_texts()) as card:
        await member.press(listed.message, "Група 01")
    async with member.expect_message(lambda m: "Вийти з групи" in m.button_texts()):
        await member.press(card.message, "Приєднатися")
    async with engine.connect() as conn:
        group_id = int((await conn.execute(select(SelfHelpGroup.id))).scalar_one())

    # a member: /groups is refused, forged staff buttons show nothing
    async with member.expect_message(has("Ця команда для фасилітаторів і модераторів")):
        await member.send_command("/groups")
    before = len(member.messages())
    for forged in (f"gf:open:{group_id}", f"gf:pending:{group_id}", f"gf:code:{group_id}"):
        await member.press_data(member.last_message(), forged)
    async with member.expect_message(has("/language")):
        await member.send_command("/help")  # a barrier: the presses ran before it
    shown = [m.text or "" for m in member.messages()[before:]]
    assert not any("Учасників" in t or "/link" in t for t in shown)
    assert len(shown) == 1  # only /help's answer

    # a moderator of the community sees the count
    moderator = await make_moderator(botapi, engine)
    async with moderator.expect_message(has("Ваші групи самодопомоги")) as mine:
        await moderator.send_command("/groups")
    assert "Група 01</b>: учасників 1, чекають 0" in (mine.message.text or "") or (
        "учасників 1, чекають 0" in (mine.message.text or "")
    )
