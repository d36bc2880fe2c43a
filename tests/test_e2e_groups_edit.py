"""Moderators create and edit self-help groups in the bot, through the real bot: every step,
a preview in both languages, Save; an edit changes one field and hides the group; a photo
where a name is asked gives its caption back; a resident's forged start button and a
moderator of another community change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.engine import session_factory
from storage.models import SelfHelpGroup
from storage.repositories import group_moves, staff
from storage.repositories.group_moves import GroupFields
from tests.onboarding_steps import has
from tests.request_steps import invite, join_staff, make_moderator, onboard

pytestmark = pytest.mark.e2e


async def the_groups(engine: AsyncEngine) -> list[SelfHelpGroup]:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(SelfHelpGroup).order_by(SelfHelpGroup.id)))


async def step(person: FakeUser, expected: str, text: str) -> BotMessage:
    async with person.expect_message(has(expected)) as next_step:
        await person.send_text(text)
    return next_step.message


async def press(person: FakeUser, message: BotMessage, label: str, expected: str) -> BotMessage:
    async with person.expect_message(has(expected)) as next_step:
        await person.press(message, label)
    return next_step.message


async def test_a_moderator_creates_a_group_step_by_step(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    async with moderator.expect_message(has("Ви не ведете жодної групи")) as none:
        await moderator.send_command("/groups")
    asked = await press(moderator, none.message, "➕ Нова група", "назву групи українською")
    # a photo with a caption where the name is asked: refused, the caption given back
    async with moderator.expect_message(has("Ось що ви написали")):
        await moderator.send_photo(caption="Ромська ініціатива")
    asked = await step(moderator, "назву російською", "Ромська ініціатива")
    assert any(m.text == "Ромська ініціатива" for m in moderator.messages() if not m.buttons)
    asked = await press(moderator, asked, "Пропустити", "про що група")
    asked = await step(moderator, "опис російською", "Зустрічі щосуботи в бібліотеці.")
    asked = await press(moderator, asked, "Пропустити", "Яка тема групи?")
    asked = await press(moderator, asked, "Етнічна спільнота", "Як мешканці приєднуються?")
    asked = await press(moderator, asked, "Фасилітатор схвалює кожен запит", "радимо: так")
    preview = await press(moderator, asked, "• Так, чутлива", "Попередній перегляд.")
    text = preview.text or ""
    # both languages shown as residents will read them; the uk texts stand in for ru
    assert "uk:\nРомська ініціатива\nЕтнічна спільнота" in text
    assert "ru:\nРомська ініціатива\nЭтническое сообщество" in text
    assert "Фасилитатор одобряет каждый запрос на вступление." in text
    assert "🔒 Чутлива" in text
    assert await the_groups(engine) == []  # nothing saved before Save
    # change the Russian name from the preview: back to the preview, nothing else asked
    asked = await press(moderator, preview, "✏️ Назва (ru)", "назву російською")
    preview = await step(moderator, "Попередній перегляд.", "Ромская инициатива")
    assert "ru:\nРомская инициатива" in (preview.text or "")
    async with moderator.expect_message(has("Групу «Ромська ініціатива» створено")) as saved:
        await moderator.press(preview, "Зберегти")
    assert "--group" in (saved.message.text or "")
    [group] = await the_groups(engine)
    assert (group.title_uk, group.title_ru) == ("Ромська ініціатива", "Ромская инициатива")
    assert group.description_ru == group.description_uk == "Зустрічі щосуботи в бібліотеці."
    assert (group.topic, group.join_policy, group.sensitive, group.is_active) == (
        "ethnicity",
        "approval",
        True,
        True,
    )
    # a second press of Save (the flow is over) creates nothing more
    await moderator.press_data(preview, "gx:save")
    async with moderator.expect_message(has("/language")):
        await moderator.send_command("/help")
    assert len(await the_groups(engine)) == 1

    # a Russian resident of the community finds it under its Russian name
    resident = botapi.user(language_code="ru")
    await onboard(resident, language="ru")
    async with resident.expect_message(has("Главное меню")) as menu:
        await resident.send_command("/start")
    async with resident.expect_message(has("Группы самопомощи")) as listed:
        await resident.press(menu.message, "Группы самопомощи")
    assert any(b.text == "Ромская инициатива" for row in listed.message.buttons for b in row)


async def new_group(engine: AsyncEngine, community: str = "dru") -> int:
    async with session_factory(engine)() as session, session.begin():
        target = await staff.community_by_slug(session, community)
        assert target is not None
        group = await group_moves.create_group(
            session,
            target.id,
            GroupFields(
                title_uk="Батьки школярів",
                title_ru="Родители школьников",
                description_uk="Щочетверга о 17:00.",
                description_ru="По четвергам в 17:00.",
                topic="parents",
                join_policy="open",
            ),
        )
        return group.id


async def test_a_russian_moderator_edits_a_group_and_hides_it(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    moderator = botapi.user(language_code="ru")
    await onboard(moderator, language="ru")
    await join_staff_ru(moderator, await invite(engine, "moderator"))
    async with moderator.expect_message(has("Ваши группы самопомощи")) as mine:
        await moderator.send_command("/groups")
    assert "➕ Новая группа" in [b.text for row in mine.message.buttons for b in row]
    card = await press(moderator, mine.message, "Родители школьников", "Участников: 0")
    preview = await press(moderator, card, "✏️ Изменить группу", "Предпросмотр изменений.")
    assert "Не чувствительная" in (preview.text or "")
    asked = await press(moderator, preview, "✏️ Тема", "Какая тема у группы?")
    # a topic that could expose a member turns the sensitive flag on
    preview = await press(moderator, asked, "Инвалидность", "Предпросмотр изменений.")
    assert "🔒 Чувствительная" in (preview.text or "")
    preview = await press(moderator, preview, "Скрыть группу", "Скрыта: жители")
    # a stale button of the earlier preview (a step left) is refused, nothing changes
    async with moderator.expect_message(has("Скрыта: жители")):
        await moderator.press_data(card, f"gxs:edit:{group_id}x")
        await moderator.press_data(preview, "gx:fix:community")
        await moderator.send_command("/help")
    async with moderator.expect_message(has("Группа «Родители школьников» сохранена")):
        await moderator.press(moderator.messages()[-1], "Сохранить")
    [group] = await the_groups(engine)
    assert (group.topic, group.sensitive, group.is_active) == ("disability", True, False)
    assert group.title_ru == "Родители школьников" and group.join_policy == "open"
    # residents no longer see it; the moderator still does, and shows it again
    resident = botapi.user()
    menu = await onboard(resident)
    await press(resident, menu, "Групи самодопомоги", "ще немає груп самодопомоги")
    async with moderator.expect_message(has("скрыта")) as mine:
        await moderator.send_command("/groups")
    card = await press(moderator, mine.message, "Родители школьников", "Участников: 0")
    preview = await press(moderator, card, "✏️ Изменить группу", "Скрыта: жители")
    preview = await press(moderator, preview, "Снова показать группу", "Предпросмотр изменений.")
    assert "Скрыта" not in (preview.text or "")
    async with moderator.expect_message(has("сохранена")):
        await moderator.press(preview, "Сохранить")
    [group] = await the_groups(engine)
    assert group.is_active


async def join_staff_ru(user: FakeUser, code: str) -> None:
    async with user.expect_message(has("Главное меню")):
        await user.send_command(f"/start {code}")


async def test_forged_start_buttons_change_nothing(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    group_id = await new_group(engine)
    resident = botapi.user()
    menu = await onboard(resident)
    await resident.press_data(menu, "gxs:new")
    await resident.press_data(menu, f"gxs:edit:{group_id}")
    other = botapi.user()
    await join_staff(other, await invite(engine, "moderator", community="kos"))
    await other.press_data(other.messages()[-1], f"gxs:edit:{group_id}")
    for person in (resident, other):  # each person's updates run in order: a barrier
        async with person.expect_message(has("/language")):
            await person.send_command("/help")
        texts = [m.text or "" for m in person.messages()]
        assert not any(
            w in t for t in texts for w in ("Попередній перегляд", "Нова група", "назву")
        )
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(SelfHelpGroup)) == 1
    [group] = await the_groups(engine)
    assert group.title_uk == "Батьки школярів" and group.is_active
