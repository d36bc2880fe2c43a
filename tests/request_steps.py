"""Acting out the request scenarios: residents ask, staff are invited and act."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import HromadaApp
from bot.botapi.people import FakeUser
from bot.botapi.server import BotApiServer
from bot.botapi.state import BotMessage
from storage.engine import session_factory
from storage.repositories import staff
from tests.onboarding_steps import has

LABELS = {
    "uk": {
        "language": "Українська",
        "community": "Дружківка",
        "ask": "Поставити запитання",
        "continue": "Продовжити",
        "police": "Поліція",
        "anonymous": "Залишитися анонімним",
        "share": "Поділитися ім’ям з працівниками",
        "send": "Надіслати",
        "sent": "надіслано",
        "menu": "Головне меню",
    },
    "ru": {
        "language": "Русский",
        "community": "Дружковка",
        "ask": "Задать вопрос",
        "continue": "Продолжить",
        "police": "Полиция",
        "anonymous": "Остаться анонимным",
        "share": "Поделиться именем с сотрудниками",
        "send": "Отправить",
        "sent": "отправлен",
        "menu": "Главное меню",
    },
}


def button_starting(message: BotMessage, prefix: str) -> str:
    for text in message.button_texts():
        if text.startswith(prefix):
            return text
    raise AssertionError(f"no button starting with {prefix!r}: {message.button_texts()}")


async def onboard(user: FakeUser, language: str = "uk", community: str | None = None) -> BotMessage:
    """Language, then the community (by its name on the first page; Дружківка by default)."""
    words = LABELS[language]
    name = community or words["community"]
    async with user.expect_message(lambda m: "Українська" in m.button_texts()) as got:
        await user.send_command("/start")
    async with user.expect_message(lambda m: name in m.button_texts()) as got2:
        await user.press(got.message, words["language"])
    async with user.expect_message(has(words["menu"])) as got3:
        await user.press(got2.message, name)
    return got3.message


async def ask(
    user: FakeUser,
    text: str,
    *,
    language: str = "uk",
    share: bool = False,
    menu: BotMessage | None = None,
    community: str | None = None,
) -> str:
    """Ask a police question from the main menu; return the reference (e.g. DRU-0001)."""
    words = LABELS[language]
    screen = menu or await onboard(user, language, community)
    steps: list[tuple[Callable[[BotMessage], bool], Callable[[BotMessage], Awaitable[int]]]] = [
        (lambda m: words["continue"] in m.button_texts(), lambda s: user.press(s, words["ask"])),
        (lambda m: words["police"] in m.button_texts(), lambda s: user.press(s, words["continue"])),
        (lambda m: True, lambda s: user.press(s, words["police"])),
        (lambda m: any("(0" in b for b in m.button_texts()), lambda s: user.send_text(text)),
        (
            lambda m: words["anonymous"] in m.button_texts(),
            lambda s: user.press(s, button_starting(s, words["continue"])),
        ),
        (
            lambda m: words["send"] in m.button_texts(),
            lambda s: user.press(s, words["share"] if share else words["anonymous"]),
        ),
        (has(words["sent"]), lambda s: user.press(s, words["send"])),
    ]
    for expected, act in steps:
        async with user.expect_message(expected) as got:
            await act(screen)
        screen = got.message
    reference = re.search(r"\b[A-Z]{3}-\d{4}\b", screen.text or "")
    assert reference is not None, screen.text
    return reference.group()


async def invite(
    engine: AsyncEngine,
    role: str,
    *,
    community: str = "dru",
    category: str | None = None,
    org: tuple[str, str] | None = None,
    label: str | None = None,
    days: int = 7,
) -> str:
    async with session_factory(engine)() as session, session.begin():
        target = await staff.community_by_slug(session, community)
        assert target is not None
        return await staff.create_invite(
            session,
            role=role,
            community=target,
            category=category,
            org_name_uk=org[0] if org else None,
            org_name_ru=org[1] if org else None,
            label=label,
            valid_for=timedelta(days=days),
        )


async def join_staff(user: FakeUser, code: str) -> None:
    async with user.expect_message(has("Головне меню")):
        await user.send_command(f"/start {code}")


async def make_moderator(
    botapi: BotApiServer, engine: AsyncEngine, community: str = "dru"
) -> FakeUser:
    person = botapi.user(first_name="Модератор")
    await join_staff(person, await invite(engine, "moderator", community=community))
    return person


async def make_provider(
    botapi: BotApiServer, engine: AsyncEngine, category: str = "police", community: str = "dru"
) -> FakeUser:
    person = botapi.user(first_name="Іван Поліцейський", username="ivan_cop")
    code = await invite(
        engine,
        "provider",
        community=community,
        category=category,
        org=("Відділ поліції Дружківки", "Отдел полиции Дружковки"),
    )
    await join_staff(person, code)
    return person


async def outbox_drained(app: HromadaApp, within: float = 20.0) -> None:
    """Return once the bot's outbox has nothing due, in flight or waiting for a retry:
    every notification committed so far has reached the fake Telegram (or died)."""
    dispatcher = app.lifecycle.dispatcher
    assert dispatcher is not None, "the bot's outbox dispatcher is not running"
    await asyncio.wait_for(dispatcher.drain(), within)


def send_answer_button(message: BotMessage) -> str | None:
    """The label of the preview's Send button (`sa:send`), in whichever language."""
    for row in message.buttons:
        for button in row:
            if (button.callback_data or "").startswith("sa:send"):
                return button.text
    return None


async def staff_answers(person: FakeUser, text: str) -> BotMessage:
    """Staff type an answer and press Send on its preview (an answer goes out only then);
    returns the preview. Use it inside the resident's `expect_message`."""
    async with person.expect_message(lambda m: send_answer_button(m) is not None) as preview:
        await person.send_text(text)
    label = send_answer_button(preview.message)
    assert label is not None
    await person.press(preview.message, label)
    return preview.message
