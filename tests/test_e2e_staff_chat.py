"""A community's staff chat through the real bot: one card per request that follows every
change in the group's one language, choices for one person in that person's private chat,
a refused text given back, no resident's name in the group, nothing stored of what people
say there. Its life cycle (removed, upgraded, revoked staff): test_e2e_staff_chat_life.py."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.groups import FakeGroup
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.models import ProcessedUpdate
from tests.onboarding_steps import has
from tests.request_steps import ask, make_moderator, send_answer_button, staff_answers
from tests.test_e2e_staff_words import russian_moderator

pytestmark = pytest.mark.e2e

SECRETS = ("Олена", "olena_secret")
OUR_LOGGERS = ("bot", "handlers", "flows", "scheduler", "storage")


async def linked_staff_chat(
    botapi: BotApiServer, moderator: FakeUser, *others: FakeUser, kind: str = "supergroup"
) -> FakeGroup:
    group = botapi.group(
        "Робоча група Дружківки",
        kind=kind,  # type: ignore[arg-type]
        members=[moderator, *others],
    )
    async with group.expect_message(has("нові звернення")):
        await moderator.send_command("/link_staff_chat", chat=group)
    return group


def card_in(group: FakeGroup, ref: str = "DRU-0001") -> BotMessage:
    """The request's card in the group as it reads now."""
    return next(m for m in group.messages() if (m.text or "").startswith(ref))


def texts_sent_to(botapi: BotApiServer, chat_id: int) -> list[str]:
    return [
        str(call.params.get("text") or "")
        for call in botapi.calls
        if call.method in {"sendMessage", "editMessageText"}
        and int(call.params.get("chat_id", 0)) == chat_id
    ]


async def test_the_group_card_follows_every_change_in_one_language(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    first = await make_moderator(botapi, engine)  # reads Ukrainian
    second = await russian_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, first, second)
    resident = botapi.user(first_name="Олена", username="olena_secret")
    async with group.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де пункт незламності?", share=True)
    assert "видно лише в особистій картці" in (card.message.text or "")

    # A Russian-speaking moderator claims it in the group: the card stays Ukrainian.
    async with group.expect_message(lambda m: "Взяти в роботу" not in m.button_texts()) as done:
        await second.press(card.message, "Взяти в роботу")
    claimed = done.message.text or ""
    assert "розглядається" in claimed and "Отримано" in claimed, claimed
    assert "рассматривается" not in claimed and "Получено" not in claimed, claimed

    # Their choice of a reason is theirs alone: it comes to them privately, and the group
    # keeps reading the card.
    async with second.expect_message(has("почему отклонено")) as menu:
        await second.press(done.message, "Відхилити")
    assert "Відповісти" in card_in(group).button_texts()
    async with second.expect_message(has("DRU-0001")) as private_card:
        await second.press(menu.message, "◀ Назад")
    assert "Ответить" in private_card.message.button_texts()  # their card, in Russian

    # Both press Answer on the group card; the first to send wins, and the group card says
    # so at once, though the answer was typed in a private chat.
    async with first.expect_message(has("Напишіть вашу відповідь")):
        await first.press(card_in(group), "Відповісти")
    async with second.expect_message(has("Напишите ваш ответ")):
        await second.press(card_in(group), "Відповісти")
    async with (
        group.expect_message(has("є відповідь")) as answered,
        resident.expect_message(has("Пункт у школі №3.")),
    ):
        await staff_answers(first, "Пункт у школі №3.")
    assert "Пункт у школі №3." in (answered.message.text or "")
    assert "Відповісти" not in answered.message.button_texts()
    assert "Відхилити" not in answered.message.button_texts()
    assert "Закрити" in answered.message.button_texts()  # what is still possible

    # The second's long answer is previewed; its Send is refused, and every character of it
    # comes back to copy.
    long_answer = "".join(f"Крок{i};" for i in range(1, 400))  # long, yet within the limit
    async with second.expect_message(lambda m: send_answer_button(m) is not None) as preview:
        await second.send_text(long_answer)
    label = send_answer_button(preview.message)
    assert label is not None
    before = len(second.messages())
    async with second.expect_message(has(long_answer[-40:])):
        await second.press(preview.message, label)
    shown = [m.text or "" for m in second.messages()[before:]]
    assert "DRU-0001 уже завершено." in shown[0], shown[0]
    assert long_answer in "".join(shown[1:])

    # The resident's name never reached the group; the private card shows it to staff.
    for text in texts_sent_to(botapi, group.chat_id):
        assert all(secret not in text for secret in SECRETS), text
    async with first.expect_message(has("Олена")):
        await first.press(card_in(group), "Відкрити в особистому чаті")


async def test_a_note_typed_in_private_edits_the_group_card(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, moderator)
    async with group.expect_message(has("DRU-0001")) as card:
        await ask(botapi.user(), "Питання")
    async with moderator.expect_message(has("внутрішню нотатку")):
        await moderator.press(card.message, "Внутрішня нотатка")
    async with group.expect_message(has("Подзвонити в ЖЕК")):
        await moderator.send_text("Подзвонити в ЖЕК.")
    assert len([m for m in group.messages() if "DRU-0001" in (m.text or "")]) == 1


async def test_ordinary_messages_in_a_group_are_neither_stored_nor_logged(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    moderator = await make_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, moderator)
    chatter = botapi.user()
    caplog.set_level(logging.INFO)  # libraries' debug logs are capped by bot/logging_setup
    for ours in OUR_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=ours)
    async with engine.connect() as conn:
        seen = await conn.scalar(select(func.count()).select_from(ProcessedUpdate))
    update_id = await chatter.send_text("Мій номер 0501234567, дзвоніть", chat=group)
    async with chatter.expect_message(has("оберіть мову")):
        await chatter.send_command("/start")  # one person's updates in order: a barrier
    async with engine.connect() as conn:
        ids = (await conn.execute(select(ProcessedUpdate.update_id))).scalars().all()
    assert update_id not in ids and len(ids) == (seen or 0) + 1
    logging.getLogger("handlers.core.pipeline").debug("sentinel")
    assert any(r.getMessage() == "sentinel" for r in caplog.records)  # the capture works
    assert all("0501234567" not in record.getMessage() for record in caplog.records)
    assert len(group.messages()) == 1  # only "this chat now receives new requests"


async def test_the_resident_closing_edits_the_group_card(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    group = await linked_staff_chat(botapi, moderator)
    resident = botapi.user()
    async with group.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Питання")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(card.message, "Відповісти")
    async with resident.expect_message(lambda m: "Так, допомогло" in m.button_texts()) as answer:
        await staff_answers(moderator, "Відповідь.")
    async with group.expect_message(lambda m: "Закрити" not in m.button_texts()) as closed:
        await resident.press(answer.message, "Закрити звернення")
    assert "· закрите" in (closed.message.text or "")
