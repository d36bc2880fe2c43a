"""Forged buttons, people acting outside their role, double presses, awkward text."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import OutboxMessage, RequestEvent, RequestMessage, ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import (
    ask,
    invite,
    join_staff,
    make_moderator,
    make_provider,
    outbox_drained,
)

pytestmark = pytest.mark.e2e


async def the_request(engine: AsyncEngine) -> ServiceRequest:
    async with engine.connect() as conn:
        row = (await conn.execute(select(ServiceRequest))).one()
    return row  # type: ignore[return-value]


async def count(engine: AsyncEngine, model: type) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def forge(botapi: BotApiServer, person: FakeUser, data: str) -> str:
    """Press a button that was never offered to `person`; return the answer's text."""
    answered = asyncio.create_task(botapi.wait_for_call("answerCallbackQuery"))
    await person.press_data(person.last_message(), data)
    return str((await answered).params.get("text", ""))


async def test_nobody_outside_the_role_can_act(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    police = await make_provider(botapi, engine, category="police")
    doctor = await make_provider(botapi, engine, category="health")
    elsewhere = botapi.user(first_name="Модератор Вугледару")
    await join_staff(elsewhere, await invite(engine, "moderator", community="vuh"))
    resident = botapi.user()
    other_resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Питання про безпеку на дорозі")
    async with other_resident.expect_message(has("оберіть мову")):
        await other_resident.send_command("/start")  # not onboarded: sees the language step
    rid = (await the_request(engine)).id
    await outbox_drained(bot)  # the new request's cards are out before counting
    events_before = await count(engine, RequestEvent)
    outbox_before = await count(engine, OutboxMessage)
    everyone = (resident, other_resident, doctor, elsewhere, police, moderator)
    messages_before = {p.id: len(p.messages()) for p in everyone}

    for person, data in [
        (resident, f"st:claim:{rid}"),
        (resident, f"st:answer:{rid}"),
        (resident, f"st:open:{rid}"),
        (other_resident, f"st:photos:{rid}"),
        (doctor, f"st:answer:{rid}"),
        (doctor, f"st:claim:{rid}"),
        (elsewhere, f"st:claim:{rid}"),
        (elsewhere, f"st:rorg:{rid}:1"),
        (police, f"st:answer:{rid}"),  # not routed to the police yet
        (police, f"st:reject:{rid}"),
    ]:
        assert "не можете" in await forge(botapi, person, data)

    for person, data in [
        (other_resident, f"rs:close:{rid}"),
        (other_resident, f"rs:reopen:{rid}"),
        (other_resident, f"my:open:{rid}"),
        (doctor, f"rs:yes:{rid}"),
    ]:
        assert "не діє" in await forge(botapi, person, data)

    request = await the_request(engine)
    assert request.status == "new" and request.claimed_by_role_id is None
    assert await count(engine, RequestEvent) == events_before
    assert await count(engine, OutboxMessage) == outbox_before  # nobody is to be told
    await outbox_drained(bot)  # anything that was to be sent has been
    for person in everyone:
        assert len(person.messages()) == messages_before[person.id], "something leaked"
    assert card.message.text and "Питання про безпеку" in card.message.text


async def test_double_presses(botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Подвійне натискання")
    sent = resident.messages()[-3]  # the preview, edited after Send
    assert "Надіслати" not in sent.button_texts()
    await resident.press_data(sent, "ask:send")  # the old Send, pressed again
    answer = await botapi.wait_for_call("answerCallbackQuery")
    assert "вже надіслано" in answer.params.get("text", "")
    assert await count(engine, ServiceRequest) == 1

    async with moderator.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await moderator.press(card.message, "Взяти в роботу")
        await moderator.press_data(card.message, f"st:claim:{(await the_request(engine)).id}")
    async with engine.connect() as conn:
        claims = (
            await conn.execute(select(func.count()).where(RequestEvent.action == "claimed"))
        ).scalar_one()
    assert claims == 1


@pytest.mark.parametrize(
    "text",
    [
        "🙏🏻 Допоможіть 🙏🏻 з опаленням 🔥🔥",
        "مرحبا — שלום — текст справа наліво",
        "<b>жирний</b> & <i>не закритий <a href='x'>лінк",
        "Рядок 1\n\n   Рядок 2 з відступом",
    ],
)
async def test_text_is_kept_exactly_as_typed(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, text: str
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, text)
    async with engine.connect() as conn:
        stored = (await conn.execute(select(RequestMessage.text))).scalar_one()
    assert stored == text.strip()
    assert text.strip() in (card.message.text or "")  # what staff read, after HTML parsing


LONG_QUESTION = ("Дуже довге запитання. " * 460)[:10_000]


def parts_given_back(resident: FakeUser) -> list[str]:
    """The texts sent after the latest "here is your text" and before the step's prompt."""
    shown = [m.text or "" for m in resident.messages()]
    intro = max(i for i, text in enumerate(shown) if "щоб нічого не загубилося" in text)
    assert f"{len(LONG_QUESTION)} символів" in shown[intro]
    assert "одним повідомленням" in shown[-1]
    return shown[intro + 1 : -1]


async def test_whitespace_and_oversize_questions(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    from tests.request_steps import onboard

    menu = await onboard(resident)
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()) as safety:
        await resident.press(menu, "Поставити запитання")
    async with resident.expect_message(lambda m: "Поліція" in m.button_texts()) as choice:
        await resident.press(safety.message, "Продовжити")
    async with resident.expect_message(has("одним повідомленням")):
        await resident.press(choice.message, "Поліція")

    async with resident.expect_message(has("одним повідомленням")):
        await resident.send_text("   \n  ")
    assert any("порожнє" in (m.text or "") for m in resident.messages()[-3:])

    long_text = LONG_QUESTION
    async with resident.expect_message(has("одним повідомленням")):
        await resident.send_text(long_text)
    # Nothing typed is lost: the refusal is followed by the whole text, in parts (a space
    # falls on the 7,000th character, where a blind cut would let Telegram trim it), then
    # the step again.
    parts = parts_given_back(resident)
    assert "".join(parts) == long_text
    assert all(len(part) <= 4096 for part in parts)
    assert await count(engine, ServiceRequest) == 0

    async with resident.expect_message(lambda m: any("(0" in b for b in m.button_texts())):
        await resident.send_text("Коротке запитання після довгого")

    # At the photos step more text is added to the question, unless it would not fit.
    async with resident.expect_message(lambda m: any("(0" in b for b in m.button_texts())):
        await resident.send_text("Д" * 1990)
    assert any("З цим доповненням" in (m.text or "") for m in resident.messages()[-4:])
