"""A question's whole life through the real bot: asked anonymously, claimed, routed, asked
for more, answered as an organisation, rated; rejected; reopened; the staff-chat path."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from storage.models import RequestEvent, ServiceRequest
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, make_provider, staff_answers

pytestmark = pytest.mark.e2e

QUESTION = "Коли відновлять освітлення на вулиці Шкільній? <b>темно</b> & страшно 🌙 שלום"
ORGANISATION = {"uk": "Відділ поліції Дружківки", "ru": "Отдел полиции Дружковки"}
OTHER = {"uk": "ru", "ru": "uk"}


def entity_text(text: str, entity: dict[str, int]) -> str:
    """The part of `text` an entity covers (offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start, length = 2 * entity["offset"], 2 * entity["length"]
    return units[start : start + length].decode("utf-16-le")


def staff_messages(botapi: BotApiServer, staff_chats: set[int]) -> list[str]:
    return [
        str(call.params.get("text") or call.params.get("caption") or "")
        for call in botapi.calls
        if call.method in {"sendMessage", "editMessageText", "sendPhoto"}
        and int(call.params.get("chat_id", 0)) in staff_chats
    ]


def assert_anonymous(botapi: BotApiServer, resident: FakeUser, staff_chats: set[int]) -> None:
    secrets = [str(resident.id), "Олена", "olena_secret"]
    texts = staff_messages(botapi, staff_chats)
    assert texts, "staff received nothing"
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked to staff: {text[:200]}"


async def stored_request(engine: AsyncEngine) -> ServiceRequest:
    async with engine.connect() as conn:
        row = (await conn.execute(select(ServiceRequest))).first()
    assert row is not None
    return row  # type: ignore[return-value]


@pytest.mark.parametrize("language", ["uk", "ru"])
async def test_the_whole_cycle(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, language: str
) -> None:
    moderator = await make_moderator(botapi, engine)
    provider = await make_provider(botapi, engine)
    resident = botapi.user(first_name="Олена", username="olena_secret", language_code=language)

    async with moderator.expect_message(has("DRU-0001")) as card:
        ref = await ask(resident, QUESTION, language=language)
    assert ref == "DRU-0001"
    # Staff read the question exactly as typed: its HTML-like text escaped, not applied.
    assert QUESTION in (card.message.text or "")
    bold = [e for e in card.message.raw.get("entities", []) if e["type"] == "bold"]
    assert all("темно" not in entity_text(card.message.text or "", e) for e in bold)

    async with moderator.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await moderator.press(card.message, "Взяти в роботу")
    async with moderator.expect_message(has("якій службі")) as choice:
        await moderator.press(moderator.last_message(), "Передати надавачу")
    async with moderator.expect_message(has("якій організації")) as org:
        await moderator.press(choice.message, "Поліція")
    async with provider.expect_message(has("DRU-0001")) as provider_card:
        await moderator.press(org.message, "Відділ поліції Дружківки")

    async with provider.expect_message(has("Напишіть, що")):
        await provider.press(provider_card.message, "Запитати деталі")
    async with resident.expect_message(lambda m: bool(m.buttons)) as asked:
        await provider.send_text("На якій ділянці вулиці?")
    # Signed by the organisation, in the resident's language (and only in it).
    assert ORGANISATION[language] in (asked.message.text or ""), asked.message.text
    assert ORGANISATION[OTHER[language]] not in (asked.message.text or "")
    assert "Іван" not in (asked.message.text or "") and "ivan_cop" not in (asked.message.text or "")

    async with provider.expect_message(has("DRU-0001")) as replied:
        await resident.send_text("Біля школи №3")
    assert "Біля школи №3" in (replied.message.text or "")  # staff read what the resident added

    async with provider.expect_message(has("Напишіть вашу відповідь")):
        await provider.press(replied.message, "Відповісти")
    async with resident.expect_message(lambda m: len(m.button_texts()) == 4) as answered:
        await staff_answers(provider, "Ремонт 12 грудня.")
    answer_text = answered.message.text or ""
    assert "Ремонт 12 грудня." in answer_text and "DRU-0001" in answer_text
    assert ORGANISATION[language] in answer_text
    assert ORGANISATION[OTHER[language]] not in answer_text
    assert "Іван" not in answer_text and "ivan_cop" not in answer_text

    helped = "Так, допомогло" if language == "uk" else "Да, помогло"
    await resident.press(answered.message, helped)
    await botapi.wait_for_call("answerCallbackQuery")
    request = await stored_request(engine)
    assert request.helped is True and request.status == "answered"
    assert request.first_answer_at is not None

    async with engine.connect() as conn:
        actions = (
            (await conn.execute(select(RequestEvent.action).order_by(RequestEvent.id)))
            .scalars()
            .all()
        )
    assert actions == [
        "created",
        "claimed",
        "routed",
        "asked_more",
        "resident_replied",
        "answered",
        "rated",
    ]
    assert_anonymous(botapi, resident, {moderator.id, provider.id})


async def test_reject_with_a_reason(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user(first_name="Олена", username="olena_secret")
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Продам гараж недорого")
    async with moderator.expect_message(has("відхилено")) as reasons:
        await moderator.press(card.message, "Відхилити")
    async with moderator.expect_message(has("коментар")):
        await moderator.press(reasons.message, "Спам")
    async with resident.expect_message(has("DRU-0001")) as told:
        await moderator.send_text("Це не питання до робочої групи.")
    assert "Спам" in (told.message.text or "") and "Це не питання" in (told.message.text or "")
    assert (await stored_request(engine)).status == "rejected"


async def test_reopen_after_an_answer(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку?")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(lambda m: "Запитати ще раз" in m.button_texts()) as answered:
        await staff_answers(moderator, "У ЦНАПі.")
    # Nothing happens on the press itself (issue 7 §2.4: "Ask again" then /cancel must not
    # reopen); staff are told of the reopening once the words come, with them on the card.
    async with resident.expect_message(has("Напишіть ваше повідомлення")):
        await resident.press(answered.message, "Запитати ще раз")
    assert (await stored_request(engine)).status == "answered"
    async with moderator.expect_message(has("А який графік роботи?")) as alert:
        await resident.send_text("А який графік роботи?")
    assert "DRU-0001" in (alert.message.text or "")
    assert "знову відкрив" in (alert.message.text or "")
    request = await stored_request(engine)
    assert request.status == "in_review"


async def test_staff_chat_card_and_presses(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    outsider = botapi.user(first_name="Сторонній")
    group = botapi.group("Робоча група Дружківка")
    async with group.expect_message(has("нові звернення")):
        await moderator.send_command("/link_staff_chat@hromada_test_bot", chat=group)
    resident = botapi.user(first_name="Олена", username="olena_secret")
    async with group.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Питання для групи")

    await outsider.press(card.message, "Взяти в роботу")
    refused = await botapi.wait_for_call("answerCallbackQuery")
    assert "не можете" in refused.params.get("text", "")
    assert (await stored_request(engine)).claimed_by_role_id is None

    async with group.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()):
        await moderator.press(card.message, "Взяти в роботу")
    assert (await stored_request(engine)).status == "in_review"
    assert_anonymous(botapi, resident, {moderator.id, group.chat_id})

    # A moderator of another community cannot take this chat over.
    other = await make_moderator(botapi, engine, community="vuh")
    async with group.expect_message(has("іншої громади")):
        await other.send_command("/link_staff_chat@hromada_test_bot", chat=group)


async def test_a_reply_that_mentions_danger(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    """The resident's words reach staff, and danger in a reply gets the numbers at once."""
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user()
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Питання про двір")
    async with moderator.expect_message(has("Напишіть, що")):
        await moderator.press(card.message, "Запитати деталі")
    async with resident.expect_message(has("просить уточнити")):
        await moderator.send_text("Яка адреса?")
    async with moderator.expect_message(has("Сусід погрожує")) as updated:
        await resident.send_text("Сусід погрожує мені ножем, Шкільна 5")
    assert "небезпеку" in (updated.message.text or "")  # the card is now marked urgent
    assert any("102" in (m.text or "") for m in resident.messages()[-3:])
    assert (await stored_request(engine)).urgent


async def test_old_skip_button_of_another_rejection(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    async with moderator.expect_message(has("DRU-0001")) as first:
        await ask(botapi.user(), "Перше")
    async with moderator.expect_message(has("DRU-0002")) as second:
        await ask(botapi.user(), "Друге")
    async with moderator.expect_message(has("відхилено")) as reasons:
        await moderator.press(first.message, "Відхилити")
    async with moderator.expect_message(has("коментар")) as skip_first:
        await moderator.press(reasons.message, "Спам")
    async with moderator.expect_message(has("відхилено")) as reasons:
        await moderator.press(second.message, "Відхилити")
    async with moderator.expect_message(has("коментар")):
        await moderator.press(reasons.message, "Спам")
    # DRU-0001's Skip: the step asked again names the request it is about now
    async with moderator.expect_message(has("коментар для мешканця щодо DRU-0002")):
        await moderator.press(skip_first.message, "Пропустити")
    async with engine.connect() as conn:
        statuses = (await conn.execute(select(ServiceRequest.status))).scalars().all()
    assert sorted(statuses) == ["new", "new"]  # neither was rejected by the stale Skip
