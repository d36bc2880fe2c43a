"""The request scenario: residents onboard and ask; moderators claim and answer; residents rate.

Per resident (11 updates): ``/start``, "Українська", their community; "Поставити
запитання", "Продовжити" (past the emergency numbers), "Поліція", the question's text,
"Продовжити (0 з 3 фото)", "Залишитися анонімним", "Надіслати" (the preview's); then,
once the answer came, "Так, допомогло".  Per request, its community's moderator (4 updates):
"Взяти в роботу" on the card, "Відповісти", the answer's text, "Надіслати мешканцю" on the
answer's preview.  So 15 updates a request.

Moderators: one per community of the first page of the community list (six), each made by
an invitation the bench creates before the bot starts (``storage.repositories.staff.
create_invite``, what ``python -m bot invite`` calls) and opened with ``/start <code>``
before timing starts; residents are spread over the six round-robin.  A moderator is one
person: they take their cards one at a time, in the order they arrived (a person's updates
are handled in order anyway).  Against :mod:`bench.request_calls_bot` the codes are
``mod_<slug>``: that bot keeps in memory which chat moderates where.

Each exchange waits for the reply the harness can see: the next screen (a new or edited
message with the expected text or button), for the moderator's answer the "sent to the
resident" confirmation, for the rating its ``answerCallbackQuery``.  The answer reaching
the resident (through the outbox, in our bot) is not an update of its own; the resident
waits for it before rating, so it is in the scenario's wall time.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bench.harness import (
    CARD_BUTTON,
    BenchServer,
    Exchange,
    RawPredicate,
    answered_exchange,
    both,
    exchange,
    has_button,
    onboard_resident,
    text_contains,
)
from bot.botapi.people import FakeUser
from bot.botapi.state import BotMessage

__all__ = [
    "COMMUNITIES",
    "REQUEST_STEPS",
    "Moderators",
    "hromada_invites",
    "request_resident",
]

# The first page of the community list: (slug, name as the button shows it).
COMMUNITIES = (
    ("bil", "Біловодськ"),
    ("vuh", "Вугледар"),
    ("dob", "Добропілля"),
    ("dru", "Дружківка"),
    ("kos", "Костянтинівка"),
    ("myk", "Миколаївка"),
)
QUESTION = "Коли відновлять освітлення на вулиці Шкільній?"
ANSWER = "Ремонт 12 грудня, бригада вже працює."
HELPED = "Так, допомогло"
SEND_ANSWER = "Надіслати мешканцю"  # the answer's preview (the staff answer preview)
REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}\b")
RESIDENT_STEPS = (
    "start",
    "language",
    "community",
    "ask",
    "past emergency numbers",
    "category",
    "text",
    "no photos",
    "anonymous",
    "send",
)
MODERATOR_STEPS = ("claim", "answer press", "answer text", "answer send")
REQUEST_STEPS = (*RESIDENT_STEPS, *MODERATOR_STEPS, "rate")


def _button_starting(prefix: str) -> RawPredicate:
    def check(raw: dict[str, object]) -> bool:
        markup = raw.get("reply_markup")
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return any(str(b.get("text", "")).startswith(prefix) for row in rows for b in row)

    return check


def _label_starting(message: BotMessage, prefix: str) -> str:
    return next(t for t in message.button_texts() if t.startswith(prefix))


async def hromada_invites(url: str) -> dict[str, str]:
    """One moderator invitation per community of :data:`COMMUNITIES` (slug -> code)."""
    from storage.engine import create_engine, session_factory
    from storage.repositories import staff

    engine = create_engine(url)
    codes: dict[str, str] = {}
    try:
        async with session_factory(engine)() as session, session.begin():
            for slug, _ in COMMUNITIES:
                community = await staff.community_by_slug(session, slug)
                if community is None:
                    raise RuntimeError(f"community {slug!r} is not seeded")
                codes[slug] = await staff.create_invite(
                    session,
                    role="moderator",
                    community=community,
                    category=None,
                    org_name_uk=None,
                    org_name_ru=None,
                    label=None,
                    valid_for=timedelta(days=1),
                )
    finally:
        await engine.dispose()
    return codes


class Moderators:
    """The six moderators: joined before timing, then each works through their cards."""

    def __init__(self, server: BenchServer, codes: dict[str, str]) -> None:
        self.server = server
        self.codes = codes
        self.people: dict[str, FakeUser] = {}
        self.done: dict[str, list[Exchange]] = {}  # reference -> the moderator's exchanges
        self._finished: dict[str, asyncio.Future[None]] = {}
        self._workers: list[asyncio.Task[None]] = []

    async def join(self) -> None:
        for slug, _ in COMMUNITIES:
            person = self.server.user(first_name="Модератор", language_code="uk")
            self.server.replies.cards[person.id] = asyncio.Queue()
            await exchange(
                self.server,
                person,
                functools.partial(person.send_command, f"/start {self.codes[slug]}"),
                text_contains("Головне меню"),
            )
            self.people[slug] = person

    def start(self) -> None:
        self._workers = [asyncio.create_task(self._work(p)) for p in self.people.values()]

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    def finished(self, reference: str) -> asyncio.Future[None]:
        return self._finished.setdefault(reference, asyncio.get_running_loop().create_future())

    async def _work(self, person: FakeUser) -> None:
        cards = self.server.replies.cards[person.id]
        while True:
            card = await cards.get()
            found = REFERENCE.search(card.text or "")
            if found is None:
                raise RuntimeError(f"a card without a reference: {card.text!r}")
            try:
                self.done[found.group()] = await self._answer(person, card)
            except BaseException as exc:
                if not self.finished(found.group()).done():
                    self.finished(found.group()).set_exception(exc)
                raise
            self.finished(found.group()).set_result(None)

    async def _answer(self, person: FakeUser, card: BotMessage) -> list[Exchange]:
        server, card_id = self.server, card.message_id

        def claimed(raw: dict[str, object]) -> bool:
            return raw.get("message_id") == card_id and not has_button(CARD_BUTTON)(raw)

        claim = await exchange(
            server, person, functools.partial(person.press, card, CARD_BUTTON), claimed
        )
        press = await exchange(
            server,
            person,
            functools.partial(person.press, claim.message, "Відповісти"),
            text_contains("Напишіть вашу відповідь"),
        )
        text = await exchange(
            server,
            person,
            functools.partial(person.send_text, ANSWER),
            has_button(SEND_ANSWER),
        )
        send = await exchange(
            server,
            person,
            functools.partial(person.press, text.message, SEND_ANSWER),
            text_contains("Надіслано мешканцю"),
        )
        return [claim, press, text, send]


async def request_resident(
    server: BenchServer, moderators: Moderators, person: FakeUser, community: str
) -> list[Exchange]:
    """One resident's request from /start to the rating, with the moderator's three
    exchanges in the middle (:data:`REQUEST_STEPS` order)."""
    done = await onboard_resident(server, person, community)
    menu = done[-1].message

    async def step(act: Callable[[], Awaitable[int]], expected: RawPredicate) -> BotMessage:
        done.append(await exchange(server, person, act, expected))
        return done[-1].message

    screen = await step(
        functools.partial(person.press, menu, "Поставити запитання"), has_button("Продовжити")
    )
    screen = await step(
        functools.partial(person.press, screen, "Продовжити"), has_button("Поліція")
    )
    await step(
        functools.partial(person.press, screen, "Поліція"),
        text_contains("Напишіть ваше запитання"),
    )
    screen = await step(
        functools.partial(person.send_text, QUESTION), _button_starting("Продовжити (0")
    )
    screen = await step(
        functools.partial(person.press, screen, _label_starting(screen, "Продовжити (0")),
        has_button("Залишитися анонімним"),
    )
    screen = await step(
        functools.partial(person.press, screen, "Залишитися анонімним"),
        both(text_contains(QUESTION), has_button("Надіслати")),
    )
    # The answer is watched from before the press: it may come right after the confirmation.
    answer = server.replies.watch_later(person.id, has_button(HELPED))
    confirmation = await step(
        functools.partial(person.press, screen, "Надіслати"), text_contains("надіслано")
    )
    found = REFERENCE.search(confirmation.text or "")
    if found is None:
        raise RuntimeError(f"no reference in the confirmation {confirmation.text!r}")
    await moderators.finished(found.group())
    done += moderators.done[found.group()]
    answered = (await answer).message
    done.append(
        await answered_exchange(server, person, functools.partial(person.press, answered, HELPED))
    )
    return done
