"""/privacy, /mydata and /forget through the real bot and the local Bot API server."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from storage.engine import session_factory
from storage.models import (
    ChatMessage,
    ConversationState,
    Erasure,
    GroupMembership,
    Meeting,
    MeetingOptIn,
    MeetingRsvp,
    OutboxMessage,
    RequestMessage,
    SelfHelpGroup,
    ServiceRequest,
    User,
)
from storage.repositories import outbox
from storage.types import utcnow
from tests import privacy_scan
from tests.onboarding_steps import has
from tests.privacy_steps import downloaded_json, id_hash, keyed_bot, ledger, traces
from tests.request_steps import ask, make_moderator, onboard, outbox_drained, staff_answers
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e
__all__ = ["keyed_bot", "ledger"]  # fixtures


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", ["Ваші дані", "90 днів", "12 годин", "48 годин", "30 днів", "7 днів", "180 днів"]),
        ("ru", ["Ваши данные", "90 дней", "12 часов", "48 часов", "30 дней", "7 дней", "180 дней"]),
    ],
)
async def test_privacy_states_the_retention_settings(
    botapi: BotApiServer, database_url: str, language: str, words: list[str]
) -> None:
    settings = bot_settings(
        botapi,
        database_url,
        closed_request_text_retention_days=90,
        conversation_idle_retention_hours=12,
    )
    async with running_bot(settings):
        resident = botapi.user(language_code=language)
        await onboard(resident, language)
        async with resident.expect_message(has(words[0])) as told:
            await resident.send_command("/privacy")
    text = told.message.text or ""
    for word in words:
        assert word in text, text
    assert "/mydata" in text and "/forget" in text and "/clear" in text


def documented(section: dict[str, Any]) -> None:
    """Every exported field of a section is explained in its `fields`."""
    data, fields = section["data"], section["fields"]
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        for key, value in row.items():
            assert key in fields, f"{key} not explained"
            entries = value if isinstance(value, list) else []
            for entry in (e for e in entries if isinstance(e, dict)):
                for inner in entry:
                    assert f"{key}.{inner}" in fields, f"{key}.{inner} not explained"


async def answered_request(botapi: BotApiServer, engine: AsyncEngine) -> tuple[Any, Any, Any]:
    """A resident's question with an internal note and an answer; another resident's too."""
    moderator = await make_moderator(botapi, engine)
    resident, other = botapi.user(first_name="Марія"), botapi.user(first_name="Петро")
    menu = await onboard(resident)
    async with moderator.expect_message(has("DRU-0001")) as card:
        await ask(resident, "Де отримати довідку?", menu=menu)
    async with moderator.expect_message(has("DRU-0002")):
        await ask(other, "Чуже питання про сусіда")
    async with moderator.expect_message(has("внутрішню нотатку")):
        await moderator.press(card.message, "Внутрішня нотатка")
    async with moderator.expect_message(lambda m: "Відповісти" in m.button_texts()) as again:
        await moderator.send_text("СЕКРЕТНА НОТАТКА для колег")
    async with moderator.expect_message(has("Напишіть вашу відповідь")):
        await moderator.press(again.message, "Відповісти")
    async with resident.expect_message(has("Відповідь на ваше звернення")):
        await staff_answers(moderator, "Відповідь робочої групи")
    return moderator, resident, other


async def test_mydata_is_everything_about_them_and_nothing_about_others(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator, resident, other = await answered_request(botapi, engine)
    async with session_factory(engine)() as session, session.begin():
        group = SelfHelpGroup(community_id=1, title_uk="Батьки", title_ru="Родители", topic="x")
        session.add(group)
        await session.flush()
        for person, status in ((resident, "pending"), (other, "accepted")):
            user = (
                await session.execute(select(User).where(User.telegram_id == person.id))
            ).scalar_one()
            session.add(GroupMembership(group_id=group.id, user_id=user.id, status=status))
            meeting = Meeting(
                community_id=1,
                title_uk="Зустріч громади" if person is resident else "Чужа зустріч",
                title_ru="Встреча громады",
                place="Бібліотека",
                first_local=datetime(2026, 12, 10, 18, 0),
                zone="Europe/Kyiv",
            )
            session.add(meeting)
            await session.flush()
            day = date(2026, 12, 10)
            session.add(
                MeetingRsvp(meeting_id=meeting.id, occurrence=day, user_id=user.id, going=True)
            )
    async with resident.expect_message(lambda m: bool(m.raw.get("document"))) as sent:
        await resident.send_command("/mydata")
    assert "Кожне поле пояснено" in (sent.message.raw.get("caption") or "")
    raw, exported = downloaded_json(botapi, resident)
    sections = exported["sections"]
    assert list(sections) == [
        "profile",
        "requests",
        "groups",
        "meetings",
        "polls",
        "pending_notifications",
        "conversation",
        "chat_messages",
    ]
    profile = sections["profile"]["data"]
    assert profile["telegram_id"] == resident.id
    assert profile["community"] == "Дружківка" and profile["language"] == "uk"
    (request,) = sections["requests"]["data"]
    assert request["reference"] == "DRU-0001" and request["shared_contact"] is None
    thread = [(e["kind"], e["from"], e["text"]) for e in request["thread"]]
    assert thread == [
        ("question", "you", "Де отримати довідку?"),
        ("answer", "working_group", "Відповідь робочої групи"),
    ]
    assert sections["chat_messages"]["data"]["message_ids_kept"] > 0
    (membership,) = sections["groups"]["data"]
    assert membership["group"] == "Батьки" and membership["status"] == "pending"
    meetings = sections["meetings"]["data"]
    assert meetings["working_group_meetings"] is None
    assert [(r["meeting"], r["date"], r["going"]) for r in meetings["rsvps"]] == [
        ("Зустріч громади", "2026-12-10", True)
    ]
    for section in sections.values():
        documented(section)
    # Explained in their language.
    assert "номер, на який пише бот" in sections["profile"]["fields"]["telegram_id"]
    assert "«Громада»" in exported["about"]
    text = raw.decode()
    secrets = ("СЕКРЕТНА", "Чуже питання", "Чужа зустріч", "Петро", "Модератор")
    for secret in (*secrets, str(moderator.id)):
        assert secret not in text, secret
    assert str(other.id) not in text


async def test_mydata_in_russian(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user(language_code="ru")
    await onboard(resident, "ru")
    async with resident.expect_message(lambda m: bool(m.raw.get("document"))):
        await resident.send_command("/mydata")
    _raw, exported = downloaded_json(botapi, resident)
    assert exported["sections"]["profile"]["data"]["community"] == "Дружковка"
    assert "номер, на который пишет бот" in exported["sections"]["profile"]["fields"]["telegram_id"]
    assert exported["sections"]["requests"]["data"] == []


async def test_forget_erases_the_person_and_start_is_a_new_person(
    botapi: BotApiServer, keyed_bot: HromadaApp, engine: AsyncEngine, ledger: Path
) -> None:
    moderator = await make_moderator(botapi, engine)
    resident = botapi.user(first_name="Олена", username="olena_secret")
    privacy_scan.shared_contact(resident)  # she shares her name with this request
    menu = await onboard(resident)
    async with moderator.expect_message(has("DRU-0001")):
        await ask(resident, "Питання з іменем", menu=menu, share=True)
    await outbox_drained(keyed_bot)
    async with session_factory(engine)() as session, session.begin():
        request = (await session.execute(select(ServiceRequest))).scalar_one()
        assert request.contact_name == "Олена"
        old_user = request.author_id
        assert old_user is not None
        # A membership and a request to join (the groups' screens are not built yet).
        for title, status in (("Батьки", "accepted"), ("Ромська ініціатива", "pending")):
            group = SelfHelpGroup(
                community_id=request.community_id, title_uk=title, title_ru=title, topic="x"
            )
            session.add(group)
            await session.flush()
            session.add(GroupMembership(group_id=group.id, user_id=old_user, status=status))
        meeting = Meeting(
            community_id=request.community_id,
            title_uk="Зустріч громади",
            title_ru="Встреча громады",
            place="Бібліотека",
            first_local=datetime(2026, 12, 10, 18, 0),
            zone="Europe/Kyiv",
        )
        session.add(meeting)
        await session.flush()
        session.add(
            MeetingRsvp(
                meeting_id=meeting.id, occurrence=date(2026, 12, 10), user_id=old_user, going=True
            )
        )
        session.add(MeetingOptIn(user_id=old_user))
        later = utcnow() + timedelta(days=1)
        for chat, key in ((resident.id, "test:later"), (moderator.id, f"req:{request.id}:x:1")):
            payload = {"method": "sendMessage", "params": {"text": "пізніше"}}
            await outbox.enqueue(session, chat_id=chat, payload=payload, dedup_key=key)
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.dedup_key == key).values(not_before=later)
            )
    # Half-way through a second question: there is a conversation to erase.
    async with resident.expect_message(has("Головне меню")) as fresh:
        await resident.send_command("/start")
    async with resident.expect_message(lambda m: "Продовжити" in m.button_texts()):
        await resident.press(fresh.message, "Поставити запитання")

    async with resident.expect_message(has("Стерти все")) as confirm:
        await resident.send_command("/forget")
    async with resident.expect_message(has("Готово")):
        await resident.press(confirm.message, "Так, стерти все")

    async with engine.connect() as conn:
        assert (
            await conn.execute(select(User).where(User.telegram_id == resident.id))
        ).first() is None
        kept = (await conn.execute(select(ServiceRequest))).one()
        assert kept.author_id is None and kept.contact_name is None
        assert kept.contact_username is None and kept.scrubbed_at is not None
        texts = (await conn.execute(select(RequestMessage.text, RequestMessage.photos))).all()
        assert texts and all(t == "" and p == [] for t, p in texts)
        states = await conn.scalar(
            select(func.count())
            .select_from(ConversationState)
            .where(ConversationState.user_id == resident.id)
        )
        assert states == 0
        rows = (await conn.execute(select(OutboxMessage.chat_id, OutboxMessage.dedup_key))).all()
        assert all(chat != resident.id for chat, _k in rows)
        assert all(not key.startswith(f"req:{kept.id}:") for _c, key in rows)
        ids = await conn.scalar(
            select(func.count()).select_from(ChatMessage).where(ChatMessage.chat_id == resident.id)
        )
        assert ids == 0
        erased = (await conn.execute(select(Erasure.id_hash))).scalars().all()
    assert erased == [id_hash(resident.id)]
    assert await traces(engine, resident.id, old_user) == []
    assert ledger.read_text().split("\t")[0] == id_hash(resident.id)  # noqa: ASYNC240

    # Writing again: a new person, from the language screen, with no requests.
    async with resident.expect_message(lambda m: "Українська" in m.button_texts()):
        await resident.send_command("/start")
    async with engine.connect() as conn:
        again = (await conn.execute(select(User).where(User.telegram_id == resident.id))).one()
    # (SQLite may hand out the same users.id again: `traces` above showed nothing refers to
    # the old one, so nothing links the new person to the old data.)
    assert again.community_id is None
    async with resident.expect_message(lambda m: bool(m.raw.get("document"))):
        await resident.send_command("/mydata")
    _raw, exported = downloaded_json(botapi, resident)
    assert exported["sections"]["requests"]["data"] == []


async def test_forget_asks_first_and_no_keeps_everything(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    resident = botapi.user()
    await onboard(resident)
    async with resident.expect_message(has("Стерти все")) as confirm:
        await resident.send_command("/forget")
    async with resident.expect_message(has("Нічого не стерто")):
        await resident.press(confirm.message, "Ні, залишити мої дані")
    # A forged confirmation for somebody else's row is refused.
    await resident.press_data(confirm.message, "forget:yes:999999")
    await botapi.wait_for_call("answerCallbackQuery")
    async with engine.connect() as conn:
        user = (await conn.execute(select(User).where(User.telegram_id == resident.id))).one()
    assert user.community_id is not None


async def test_staff_cannot_forget_while_holding_a_role(
    botapi: BotApiServer, bot: HromadaApp, engine: AsyncEngine
) -> None:
    moderator = await make_moderator(botapi, engine)
    async with moderator.expect_message(has("Стерти все")) as confirm:
        await moderator.send_command("/forget")
    async with moderator.expect_message(has("роль працівника")):
        await moderator.press(confirm.message, "Так, стерти все")
    async with engine.connect() as conn:
        assert (await conn.execute(select(User).where(User.telegram_id == moderator.id))).first()
