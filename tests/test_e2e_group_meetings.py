"""A sensitive self-help group's weekly meeting through the real bot, frozen clock: the
facilitator creates it with a typed date; only the accepted member hears of it, protected
and without the group named first; one occurrence is cancelled and the series goes on;
"postpone 30 min" is one press (a second press of the same card changes nothing); a
pending member's forged RSVP counts nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from flows.recurrence import instant
from scheduler.reminders import send_due_reminders
from storage.engine import session_factory
from storage.models import (
    Community,
    GroupMembership,
    Meeting,
    MeetingRsvp,
    SelfHelpGroup,
    StaffRole,
    User,
)
from storage.types import set_clock
from tests.onboarding_steps import has
from tests.request_steps import onboard, outbox_drained

pytestmark = pytest.mark.e2e
KYIV = "Europe/Kyiv"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Frozen; tests ask for it before `bot`, so the bot's start-up jobs read it too."""
    frozen = Clock(datetime(2026, 11, 28, 8, tzinfo=UTC))
    set_clock(frozen)
    yield frozen
    set_clock(None)


async def scan(app: HromadaApp) -> int:
    services = app.bot_data.services
    assert services is not None
    closed = await send_due_reminders(
        services.sessions, services.translators, services.default_language
    )
    await outbox_drained(app)
    return closed


async def make_group(
    engine: AsyncEngine, facilitator: FakeUser, member: FakeUser, pending: FakeUser
) -> int:
    async with session_factory(engine)() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.slug == "dru"))
        assert community is not None
        group = SelfHelpGroup(
            community_id=community.id,
            title_uk="Батьки дітей з інвалідністю",
            title_ru="Родители детей с инвалидностью",
            topic="disability",
            join_policy="approval",
            sensitive=True,
        )
        session.add(group)
        await session.flush()
        people = {
            u.telegram_id: u
            for u in await session.scalars(
                select(User).where(User.telegram_id.in_([facilitator.id, member.id, pending.id]))
            )
        }
        session.add_all(
            [
                StaffRole(
                    user_id=people[facilitator.id].id,
                    community_id=community.id,
                    role="facilitator",
                    group_id=group.id,
                ),
                GroupMembership(group_id=group.id, user_id=people[member.id].id, status="accepted"),
                GroupMembership(group_id=group.id, user_id=people[pending.id].id, status="pending"),
            ]
        )
        return group.id


def sends_to(botapi: BotApiServer, chat_id: int) -> list[dict[str, Any]]:
    return [
        call.params
        for call in botapi.calls
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(chat_id)
    ]


async def test_sensitive_group_series_cancel_one_postpone_once(
    clock: Clock, botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    facilitator, olena, petro = botapi.user(), botapi.user(), botapi.user()
    for person in (facilitator, olena, petro):
        await onboard(person, "uk")
    await make_group(engine, facilitator, olena, petro)

    async def step(expected: str, act: Any) -> Any:
        async with facilitator.expect_message(has(expected)) as got:
            await act
        return got.message

    listing = await step("Найближчих зустрічей немає", facilitator.send_command("/meetings"))
    await step(
        "українською", facilitator.press(listing, "➕ Нова зустріч")
    )  # one owner: no question
    await step("російською", facilitator.send_text("Зустріч батьків"))
    await step("Напишіть місце", facilitator.send_text("Встреча родителей"))
    agenda = await step("порядок денний", facilitator.send_text("Школа №2, кабінет 5"))
    await step("25.12 18:00", facilitator.press(agenda, "Пропустити"))
    duration = await step("триватиме", facilitator.send_text("1.12 18:00"))  # typed: no time step
    repeat = await step("повторюється", facilitator.press(duration, "1 година"))
    offsets = await step("за 24 години", facilitator.press(repeat, "Щотижня"))
    preview = await step(
        "Попередній перегляд", facilitator.press(offsets, "Залишити 24 год і 2 год")
    )
    assert "Повторення: Щотижня" in (preview.text or "")
    await step("Повідомлено 1 людину", facilitator.press(preview, "Опублікувати"))
    await outbox_drained(bot)
    notice = sends_to(botapi, olena.id)[-1]
    assert notice["text"].splitlines()[0] == "📅 У вашої групи нова зустріч"
    assert "Батьки" not in notice["text"].splitlines()[0] and "Зустріч батьків" in notice["text"]
    assert notice["protect_content"] is True
    assert not any("Зустріч" in p["text"] for p in sends_to(botapi, petro.id))

    async with engine.connect() as conn:
        meeting_id = (await conn.execute(select(Meeting.id))).scalar_one()
    await petro.press_data(petro.last_message(), f"mr:{meeting_id}:20261201y")  # not accepted
    found = await botapi.state.feed.wait_until(
        lambda: (
            any("вже не діє" in str(a.get("text")) for a in botapi.callback_answers.values())
            or None
        ),
        10,
    )
    assert found
    async with engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(MeetingRsvp))).scalar_one()
    assert count == 0

    # cancel this one occurrence; the series goes on
    listing = await step("Ваші зустрічі", facilitator.send_command("/meetings"))
    card = await step("Повторення", facilitator.press(listing, listing.button_texts()[0]))
    assert "вівторок, 1 грудня" in (card.text or "")
    scope = await step("Скасувати зустріч?", facilitator.press(card, "❌ Скасувати зустріч"))
    await step("Скасовано", facilitator.press(scope, "Лише цю"))
    await outbox_drained(bot)
    cancelled = sends_to(botapi, olena.id)[-1]
    assert cancelled["text"].splitlines()[0] == "❌ Зустріч вашої групи скасовано"
    before = len(sends_to(botapi, olena.id))
    clock.now = instant(datetime(2026, 12, 1, 16), KYIV)  # the cancelled one's 2 h reminder
    await scan(bot)
    assert len(sends_to(botapi, olena.id)) == before
    clock.now = instant(datetime(2026, 12, 7, 18), KYIV)  # 24 h before the next one
    assert await scan(bot) == 1
    reminder = sends_to(botapi, olena.id)[-1]
    assert reminder["text"].splitlines()[0] == "⏰ Нагадування: скоро зустріч вашої групи"
    assert "вівторок, 8 грудня, 18:00 за київським часом" in reminder["text"]
    assert reminder["protect_content"] is True

    # an air-raid alert: postpone 30 minutes, one press; the same card pressed again is stale
    listing = await step("Ваші зустрічі", facilitator.send_command("/meetings"))
    card = await step("8 грудня", facilitator.press(listing, listing.button_texts()[0]))
    await step("18:30", facilitator.press(card, "⏳ +30 хв"))
    await outbox_drained(bot)
    postponed = sends_to(botapi, olena.id)[-1]
    assert postponed["text"].splitlines()[0] == "⏳ Зустріч вашої групи відкладено"
    assert "вівторок, 8 грудня, 18:30" in postponed["text"]
    told = len(sends_to(botapi, olena.id))
    old_data = next(b.callback_data for row in card.buttons for b in row if b.text == "⏳ +30 хв")
    await facilitator.press_data(card, str(old_data))  # the card as it was before
    await botapi.state.feed.wait_until(
        lambda: (
            sum("вже не діє" in str(a.get("text")) for a in botapi.callback_answers.values()) >= 2
            or None
        ),
        10,
    )
    await outbox_drained(bot)
    assert len(sends_to(botapi, olena.id)) == told
