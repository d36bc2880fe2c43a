"""The outbox dispatcher with the real sender, over real HTTP to the local Bot API server,
on both database backends. Waiting is `drain()` (bounded by asyncio.wait_for), never sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.botapi.people import FakeUser
from bot.botapi.server import TEST_TOKEN, BotApiServer
from bot.outbox_sender import TelegramSender
from scheduler.buckets import RateLimits
from scheduler.dispatcher import OutboxDispatcher
from scheduler.leader import AdvisoryLockLeader, AlwaysLeader
from scheduler.sending import (
    Permanent,
    RetryAfter,
    Sender,
    SendResult,
    Sent,
    Transient,
    Unreachable,
)
from storage.engine import create_engine, session_factory
from storage.models import OutboxMessage, User
from storage.repositories import outbox, staff_chats
from storage.repositories.users import touch_user
from tests.running_bot import bot_settings, running_bot

pytestmark = pytest.mark.e2e

READ_TIMEOUT = 1.0  # the outbox bot's read timeout in these tests (PTB's default is 5 s)
FAST: dict[str, Any] = {
    "limits": RateLimits.unlimited(),
    "backoff_base": 0.05,
    "poll_interval": 0.5,
    "stop_timeout": 5.0,
}

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return session_factory(engine)


@asynccontextmanager
async def telegram_sender(
    botapi: BotApiServer, read_timeout: float
) -> AsyncIterator[TelegramSender]:
    bot = Bot(
        TEST_TOKEN,
        base_url=botapi.base_url,
        base_file_url=botapi.base_file_url,
        request=HTTPXRequest(connection_pool_size=10, read_timeout=read_timeout),
    )
    await bot.initialize()
    try:
        yield TelegramSender(bot)
    finally:
        await bot.shutdown()


@pytest.fixture
async def sender(botapi: BotApiServer) -> AsyncIterator[TelegramSender]:
    async with telegram_sender(botapi, READ_TIMEOUT) as made:
        yield made


@pytest.fixture
async def patient_sender(botapi: BotApiServer) -> AsyncIterator[TelegramSender]:
    """For tests that count sends: a read timeout no loaded machine reaches, so no answer
    that is merely slow becomes a timeout and a second, legitimate, send (a CI run on two
    busy cores saw one at `READ_TIMEOUT`)."""
    async with telegram_sender(botapi, 60.0) as made:
        yield made


@asynccontextmanager
async def running(
    sessions: Sessions, sender: Sender, **options: Any
) -> AsyncIterator[OutboxDispatcher]:
    dispatcher = OutboxDispatcher(sessions, sender, **{**FAST, **options})
    await dispatcher.start()
    try:
        yield dispatcher
    finally:
        await dispatcher.stop()


async def drained(dispatcher: OutboxDispatcher, within: float = 20.0) -> None:
    await asyncio.wait_for(dispatcher.drain(), within)


def text_message(text: str, **params: Any) -> dict[str, Any]:
    return {"method": "sendMessage", "params": {"text": text, **params}}


async def enqueue(
    sessions: Sessions, chat_id: int, text: str, key: str | None = None, **params: Any
) -> None:
    async with sessions() as session, session.begin():
        added = await outbox.enqueue(
            session, chat_id=chat_id, payload=text_message(text, **params), dedup_key=key or text
        )
        assert added


async def row(sessions: Sessions, key: str) -> OutboxMessage:
    async with sessions() as session:
        found = await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == key))
        assert found is not None
        return found


def texts(user: FakeUser) -> list[str]:
    return [m.content for m in user.messages()]


def sends_to(server: BotApiServer, chat_id: int) -> int:
    return sum(1 for c in server.calls_of("sendMessage") if int(c["chat_id"]) == chat_id)


class StillClock:
    """The dispatcher's clock in the timing tests: it stands still until the test moves it,
    so every wait the dispatcher decides on is measured in this clock, not in real time."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CountingTurns(AlwaysLeader):
    """Leads for ever and counts the dispatcher's turns: with `leader_check_interval=0` it
    asks `still_leading` at the top of each turn of its loop (after a round, after a pause)."""

    def __init__(self) -> None:
        self.turns = 0
        self._turned = asyncio.Event()

    async def still_leading(self) -> bool:
        self.turns += 1
        turned, self._turned = self._turned, asyncio.Event()
        turned.set()
        return True

    async def wait_turns(self, turns: int, within: float = 10.0) -> None:
        """Return once the dispatcher has begun `turns` more turns."""
        target = self.turns + turns
        async with asyncio.timeout(within):
            while self.turns < target:
                await self._turned.wait()


async def sit_out_pause(turns: CountingTurns, sent_since: Callable[[], int]) -> None:
    """With the clock still, a paused dispatcher must send nothing: two turns after the
    refusal (the one that found the pause, and the next) nothing has started. A dispatcher
    that ignored the pause would have sent in the round between those turns."""
    await turns.wait_turns(2)
    assert sent_since() == 0, "a send started while paused"


# -- delivery -----------------------------------------------------------------------------


async def test_message_arrives_with_html_and_keyboard_intact(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    keyboard = {
        "inline_keyboard": [
            [{"text": "Відкрити DRU-0042", "callback_data": "req:42"}],
            [{"text": "Сайт", "url": "https://example.org/"}],
        ]
    }
    async with running(sessions, sender) as dispatcher:
        await enqueue(
            sessions,
            user.id,
            "<b>Відповідь</b> на запит DRU-0042 &amp; деталі",
            key="answer:42",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        async with sessions() as session, session.begin():
            await outbox.enqueue(
                session,
                chat_id=user.id,
                payload={
                    "method": "sendPhoto",
                    "params": {
                        "photo": "https://example.org/photo.jpg",
                        "caption": "<i>Фото</i> до запиту",
                        "parse_mode": "HTML",
                    },
                },
                dedup_key="photo:42",
            )
        dispatcher.wake()
        await drained(dispatcher)
    text, photo = user.messages()
    assert text.text == "Відповідь на запит DRU-0042 & деталі"
    assert text.raw["entities"] == [{"type": "bold", "offset": 0, "length": 9}]
    assert text.buttons[0][0].callback_data == "req:42"
    assert text.buttons[1][0].url == "https://example.org/"
    assert photo.caption == "Фото до запиту" and "photo" in photo.raw
    assert photo.raw["caption_entities"] == [{"type": "italic", "offset": 0, "length": 4}]
    sent = await row(sessions, "answer:42")
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert sent.sent_at is not None


async def test_same_key_twice_is_delivered_once(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    async with sessions() as session, session.begin():
        for _ in range(2):
            await outbox.enqueue(
                session, chat_id=user.id, payload=text_message("Нагадування"), dedup_key="r:1"
            )
        await touch_user(session, user.id)  # the transaction goes on after the duplicate
    async with sessions() as session, session.begin():
        assert not await outbox.enqueue(
            session, chat_id=user.id, payload=text_message("Нагадування"), dedup_key="r:1"
        )
    async with running(sessions, sender) as dispatcher:
        await drained(dispatcher)
    assert texts(user) == ["Нагадування"]
    assert sends_to(botapi, user.id) == 1


async def test_rows_committed_while_no_dispatcher_ran_are_sent_after_a_restart(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, user.id, "before the restart")
        dispatcher.wake()
        await drained(dispatcher)
    await enqueue(sessions, user.id, "while it was down")
    async with running(sessions, sender) as dispatcher:
        await drained(dispatcher)
    assert texts(user) == ["before the restart", "while it was down"]


async def test_a_rolled_back_row_is_never_sent(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    async with running(sessions, sender) as dispatcher:
        async with sessions() as session, session.begin():
            await outbox.enqueue(
                session, chat_id=user.id, payload=text_message("rolled back"), dedup_key="x"
            )
            dispatcher.wake()
            await session.rollback()
        await enqueue(sessions, user.id, "committed")
        dispatcher.wake()
        await drained(dispatcher)
    assert texts(user) == ["committed"]


# -- Telegram failing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        ({"error_code": 500, "times": 2}, 3),
        ({"error_code": 502, "description": "Bad Gateway"}, 2),
        ({"retry_after": 1}, 1),  # a 429 is not a failed attempt
        ({"error_code": 504, "description": "Gateway Timeout", "delay": 3 * READ_TIMEOUT}, 2),
    ],
    ids=["500-twice", "502", "429-retry-after", "timeout"],
)
async def test_message_arrives_once_telegram_recovers(
    botapi: BotApiServer,
    sessions: Sessions,
    sender: TelegramSender,
    fault: dict[str, Any],
    attempts: int,
) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", **fault)
    clock, turns = StillClock(), CountingTurns()
    sends: list[tuple[float, SendResult]] = []  # (the dispatcher's clock, outcome) per call
    refused = asyncio.Event()

    async def watched(chat_id: int, payload: dict[str, Any]) -> SendResult:
        at = clock()
        result = await sender(chat_id, payload)
        sends.append((at, result))
        if isinstance(result, RetryAfter):
            refused.set()
        return result

    options = {"clock": clock, "leader": turns, "leader_check_interval": 0}
    async with running(sessions, watched, **options) as dispatcher:
        await enqueue(sessions, user.id, "Зустріч завтра о 10:00", key="m")
        dispatcher.wake()
        if "retry_after" in fault:
            # The dispatcher waits as told, in its own clock: nothing until it has moved.
            await asyncio.wait_for(refused.wait(), 10)
            await sit_out_pause(turns, lambda: len(sends) - 1)
            clock.advance(fault["retry_after"])
        await drained(dispatcher)
    # Refused (or timed out without being applied) first, then delivered exactly once.
    assert sends_to(botapi, user.id) == 2 + (fault.get("times", 1) - 1)
    assert texts(user) == ["Зустріч завтра о 10:00"]
    sent = await row(sessions, "m")
    assert (sent.status, sent.attempts) == ("sent", attempts)
    if "retry_after" in fault:
        (refused_at, first), (resent_at, second) = sends
        assert isinstance(first, RetryAfter) and isinstance(second, Sent)
        assert resent_at >= refused_at + fault["retry_after"]  # the dispatcher waited as told


async def test_flood_control_pauses_every_chat(
    botapi: BotApiServer, sessions: Sessions, patient_sender: TelegramSender
) -> None:
    """After a 429 no send starts before `retry_after` has passed on the dispatcher's clock,
    in any chat. One chat at a time (`concurrency=1`), so the other chats' rows are all still
    to go when the refusal comes."""
    users = [botapi.user() for _ in range(3)]
    clock, turns = StillClock(), CountingTurns()
    started: list[tuple[float, str]] = []
    refused_at: list[tuple[float, int]] = []  # (clock, sends started before it)
    refused = asyncio.Event()

    async def watched(chat_id: int, payload: dict[str, Any]) -> SendResult:
        started.append((clock(), payload["params"]["text"]))
        result = await patient_sender(chat_id, payload)
        if isinstance(result, RetryAfter):
            refused_at.append((clock(), len(started)))
            refused.set()
        return result

    botapi.fail_next("sendMessage", retry_after=1)
    for n, user in enumerate(users):
        for i in range(2):
            await enqueue(sessions, user.id, f"u{n} #{i}")
    options = {"clock": clock, "leader": turns, "leader_check_interval": 0, "concurrency": 1}
    async with running(sessions, watched, **options) as dispatcher:
        await asyncio.wait_for(refused.wait(), 10)
        sent_since = lambda: len(started) - refused_at[0][1]  # noqa: E731
        await sit_out_pause(turns, sent_since)
        clock.advance(0.5)  # half of retry_after: still paused
        await sit_out_pause(turns, sent_since)
        clock.advance(0.5)
        await drained(dispatcher)
    assert len(refused_at) == 1
    at, before = refused_at[0]
    after = [when for when, _text in started[before:]]
    assert len(after) == 6, started  # the refused row again, and every other row
    assert all(when >= at + 1 for when in after)
    for n, user in enumerate(users):
        assert texts(user) == [f"u{n} #0", f"u{n} #1"]


async def test_timeout_after_telegram_applied_the_call_may_deliver_twice(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    """The documented exception: the answer was lost after Telegram delivered the message,
    so the retry delivers it again. Never lost, at worst twice."""
    user = botapi.user()
    botapi.fail_next("sendMessage", error_code=None, delay=2 * READ_TIMEOUT)
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, user.id, "Голосування відкрито", key="poll")
        dispatcher.wake()
        await drained(dispatcher)
    # The held call is applied when its delay ends: wait for that change, not for time.
    both = await botapi.state.feed.wait_until(lambda: len(user.messages()) >= 2 or None, 10)
    assert both
    assert texts(user) == ["Голосування відкрито"] * 2
    assert (await row(sessions, "poll")).status == "sent"


async def test_blocked_person_gets_nothing_more_until_they_write_again(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    other = botapi.user()
    async with sessions() as session, session.begin():
        await touch_user(session, user.id)
    await user.block_bot()
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, user.id, "first", key="first")
        await enqueue(sessions, other.id, "for someone else", key="other")
        dispatcher.wake()
        await drained(dispatcher)
        first = await row(sessions, "first")
        assert (first.status, first.attempts) == ("dead", 1)
        assert first.last_error is not None and "chat unreachable" in first.last_error
        async with sessions() as session:
            person = await session.scalar(select(User).where(User.telegram_id == user.id))
            assert person is not None and not person.is_reachable
        assert texts(other) == ["for someone else"]

        # Later rows are not even tried.
        calls = sends_to(botapi, user.id)
        await enqueue(sessions, user.id, "second", key="second")
        dispatcher.wake()
        await drained(dispatcher)
        assert sends_to(botapi, user.id) == calls == 1
        second = await row(sessions, "second")
        assert (second.status, second.attempts, second.last_error) == (
            "dead",
            0,
            "chat unreachable",
        )

        # They come back and write: new rows are delivered again.
        await user.unblock_bot()
        async with sessions() as session, session.begin():
            await touch_user(session, user.id)
        await enqueue(sessions, user.id, "welcome back", key="third")
        dispatcher.wake()
        await drained(dispatcher)
    assert texts(user) == ["welcome back"]


async def test_chat_not_found_is_unreachable(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, 987654321, "nobody", key="nobody")
        dispatcher.wake()
        await drained(dispatcher)
    gone = await row(sessions, "nobody")
    assert gone.status == "dead" and "chat not found" in (gone.last_error or "").lower()
    assert any("chat not found" in e for e in botapi.errors_returned)


async def test_bad_request_is_dead_after_one_attempt(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long")
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, user.id, "refused", key="refused")
        await enqueue(sessions, user.id, "next one", key="next")
        dispatcher.wake()
        await drained(dispatcher)
    refused = await row(sessions, "refused")
    assert (refused.status, refused.attempts) == ("dead", 1)
    assert (refused.last_error or "").lower() == "badrequest: message is too long"
    assert texts(user) == ["next one"]  # a dead row does not hold its chat back


async def test_dead_after_max_attempts_listed_and_retried(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", error_code=500, times=3)
    async with running(sessions, sender, max_attempts=3) as dispatcher:
        await enqueue(sessions, user.id, "stubborn", key="stubborn")
        dispatcher.wake()
        await drained(dispatcher)
        dead = await row(sessions, "stubborn")
        assert (dead.status, dead.attempts) == ("dead", 3)
        assert texts(user) == []
        async with sessions() as session, session.begin():
            assert [r.id for r in await outbox.list_dead(session)] == [dead.id]
            assert await outbox.retry_dead(session, dead.id)
        dispatcher.wake()
        await drained(dispatcher)
    assert texts(user) == ["stubborn"]
    assert (await row(sessions, "stubborn")).status == "sent"


# -- order and rate -----------------------------------------------------------------------


async def test_one_chat_gets_its_rows_in_order_even_across_a_retry(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    user = botapi.user()
    botapi.fail_next("sendMessage", error_code=500)  # the first row needs a retry
    async with sessions() as session, session.begin():
        for i in range(20):
            await outbox.enqueue(
                session, chat_id=user.id, payload=text_message(f"#{i}"), dedup_key=f"o:{i}"
            )
    async with running(sessions, sender) as dispatcher:
        await drained(dispatcher)
    assert texts(user) == [f"#{i}" for i in range(20)]


async def test_a_throttled_chat_does_not_hold_up_the_others(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    """One a second in a private chat, on the dispatcher's clock; while a chat waits for its
    next second, the others go, even with one chat in flight at a time (`concurrency=1`)."""
    busy = botapi.user()
    quiet = [botapi.user() for _ in range(2)]
    limits = RateLimits(
        overall_per_second=0, private_per_second=1, private_burst=1, group_per_minute=0
    )
    clock = StillClock()
    started: dict[str, float] = {}

    async def watched(chat_id: int, payload: dict[str, Any]) -> SendResult:
        started[payload["params"]["text"]] = clock()
        return await sender(chat_id, payload)

    for i in range(3):
        await enqueue(sessions, busy.id, f"busy {i}")
    await enqueue(sessions, quiet[0].id, "quiet 0")
    async with running(sessions, watched, limits=limits, clock=clock, concurrency=1) as d:
        # The busy chat sends its first row and waits for its next second; the quiet chat
        # is sent meanwhile (only after the busy chat gave up its place).
        async with quiet[0].expect_message(lambda m: m.content == "quiet 0"):
            d.wake()
        assert texts(busy) == ["busy 0"]
        await enqueue(sessions, quiet[1].id, "quiet 1")
        async with quiet[1].expect_message(lambda m: m.content == "quiet 1"):
            clock.advance(1)
            d.wake()
        assert texts(busy) == ["busy 0", "busy 1"]
        clock.advance(1)
        d.wake()
        await drained(d)
    order = [c["text"] for c in botapi.calls_of("sendMessage")]
    assert order.index("quiet 0") < order.index("busy 1")
    assert texts(busy) == ["busy 0", "busy 1", "busy 2"]
    start = started["busy 0"]
    assert [started[f"busy {i}"] - start for i in range(3)] == [0, 1, 2]  # one a second


async def test_a_row_that_changes_chat_while_in_flight_is_not_claimed_again(
    botapi: BotApiServer, sessions: Sessions, patient_sender: TelegramSender
) -> None:
    """A group upgraded to a supergroup moves its pending rows (`staff_chats.move_chat`),
    the one being sent too; the next round must not claim that row again under its new
    chat while its outcome is unwritten (review finding: it was sent twice)."""
    old, new, other = botapi.user(), botapi.user(), botapi.user()
    other_sent = asyncio.Event()
    holder: list[OutboxDispatcher] = []
    moves: list[int] = []

    async def moving(chat_id: int, payload: dict[str, Any]) -> SendResult:
        if payload["params"]["text"] == "moved" and not moves:
            moves.append(chat_id)
            async with sessions() as session, session.begin():
                await staff_chats.move_chat(session, old.id, new.id)  # told meanwhile
            await enqueue(sessions, other.id, "other")
            holder[0].wake()  # a round runs while this send is in flight
            await asyncio.wait_for(other_sent.wait(), 20)
        elif payload["params"]["text"] == "other":
            other_sent.set()
        return await patient_sender(chat_id, payload)

    await enqueue(sessions, old.id, "moved")
    async with running(sessions, moving, concurrency=4) as d:
        holder.append(d)
        d.wake()
        await drained(d)
    assert texts(other) == ["other"]
    assert sends_to(botapi, old.id) + sends_to(botapi, new.id) == 1


# -- wiring and leadership ----------------------------------------------------------------


async def test_the_bot_runs_the_dispatcher_and_handlers_can_wake_it(
    botapi: BotApiServer, database_url: str
) -> None:
    user = botapi.user()
    async with running_bot(bot_settings(botapi, database_url)) as app:
        dispatcher = app.lifecycle.dispatcher
        assert dispatcher is not None and dispatcher.running and dispatcher.is_leader
        services = app.bot_data.services
        assert services is not None
        async with user.expect_message(lambda m: m.content == "from the outbox"):
            await enqueue(services.sessions, user.id, "from the outbox")
            services.wake_outbox()
    assert not dispatcher.running


async def test_drain_refuses_a_dispatcher_that_does_not_run(
    sessions: Sessions, sender: TelegramSender
) -> None:
    dispatcher = OutboxDispatcher(sessions, sender, **FAST)
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(dispatcher.drain(), 5)
    await dispatcher.start()
    await dispatcher.start()  # already running: nothing happens
    await drained(dispatcher)
    await dispatcher.stop()
    await dispatcher.stop()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(dispatcher.drain(), 5)
    await dispatcher.start()  # and it can run again
    await drained(dispatcher)
    await dispatcher.stop()


async def test_sender_results(botapi: BotApiServer, sender: TelegramSender) -> None:
    user = botapi.user()
    hello = text_message("hello")
    results: list[SendResult] = [await sender(user.id, hello)]
    botapi.fail_next("sendMessage", retry_after=3)
    results.append(await sender(user.id, hello))
    botapi.fail_next("sendMessage", error_code=503, description="Service Unavailable")
    results.append(await sender(user.id, hello))
    results.append(await sender(123, hello))
    results.append(await sender(user.id, {"method": "sendSticker", "params": {"sticker": "x"}}))
    results.append(await sender(user.id, {"method": "sendMessage", "params": {}}))
    await user.block_bot()
    results.append(await sender(user.id, hello))
    assert results[0] == Sent(user.messages()[0].message_id)  # the message it made
    assert results[1] == RetryAfter(3.0)
    assert isinstance(results[2], Transient) and "Service Unavailable" in results[2].error
    assert isinstance(results[3], Unreachable) and "chat not found" in results[3].error.lower()
    assert isinstance(results[4], Permanent) and "unsupported" in results[4].error
    assert isinstance(results[5], Permanent) and "malformed" in results[5].error
    assert isinstance(results[6], Unreachable) and "blocked" in results[6].error


async def test_only_one_dispatcher_per_bot_on_postgres(
    botapi: BotApiServer,
    backend: str,
    database_url: str,
    sessions: Sessions,
    engine: AsyncEngine,
    sender: TelegramSender,
) -> None:
    if backend != "postgres":
        pytest.skip("the advisory lock exists on PostgreSQL only")
    user = botapi.user()
    sent_by: list[tuple[str, str]] = []

    def tagged(name: str) -> Sender:
        async def send(chat_id: int, payload: dict[str, Any]) -> SendResult:
            sent_by.append((name, payload["params"]["text"]))
            return await sender(chat_id, payload)

        return send

    key = outbox.advisory_lock_key(botapi.state.bot_user["id"])
    other_engine = create_engine(database_url)  # another process, as far as locks go
    try:
        first = OutboxDispatcher(
            sessions, tagged("first"), leader=AdvisoryLockLeader(engine, key), **FAST
        )
        second = OutboxDispatcher(
            session_factory(other_engine),
            tagged("second"),
            leader=AdvisoryLockLeader(other_engine, key),
            standby_interval=0.1,
            **FAST,
        )
        await first.start()
        await second.start()
        try:
            assert first.is_leader and not second.is_leader
            for i in range(3):
                await enqueue(sessions, user.id, f"a{i}")
            first.wake()
            second.wake()
            await drained(first)
            assert sent_by == [("first", "a0"), ("first", "a1"), ("first", "a2")]

            await first.stop()
            await asyncio.wait_for(second.wait_until_leading(), 10)
            for i in range(2):
                await enqueue(sessions, user.id, f"b{i}")
            second.wake()
            await drained(second)
        finally:
            await first.stop()
            await second.stop()
    finally:
        await other_engine.dispose()
    assert sent_by[3:] == [("second", "b0"), ("second", "b1")]
    assert texts(user) == ["a0", "a1", "a2", "b0", "b1"]


async def test_when_the_lock_connection_dies_one_dispatcher_takes_over(
    botapi: BotApiServer,
    backend: str,
    database_url: str,
    sessions: Sessions,
    engine: AsyncEngine,
    sender: TelegramSender,
) -> None:
    if backend != "postgres":
        pytest.skip("the advisory lock exists on PostgreSQL only")
    user = botapi.user()
    key = outbox.advisory_lock_key(botapi.state.bot_user["id"])
    other_engine = create_engine(database_url)
    quick = {**FAST, "standby_interval": 0.1, "leader_check_interval": 0.1}
    dispatchers = [
        OutboxDispatcher(sessions, sender, leader=AdvisoryLockLeader(engine, key), **quick),
        OutboxDispatcher(
            session_factory(other_engine),
            sender,
            leader=AdvisoryLockLeader(other_engine, key),
            **quick,
        ),
    ]
    first, second = dispatchers
    try:
        for dispatcher in dispatchers:
            await dispatcher.start()
        assert first.is_leader and not second.is_leader
        async with engine.connect() as conn:  # PostgreSQL restarts, a proxy drops it...
            killed = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )
            assert killed.scalars().all() == [True]
        await asyncio.wait_for(first.wait_until_leading(False), 10)
        for i in range(3):
            await enqueue(sessions, user.id, f"after {i}")
        for dispatcher in dispatchers:
            dispatcher.wake()
        arrived = await botapi.state.feed.wait_until(lambda: len(user.messages()) >= 3 or None, 10)
        assert arrived
        assert sum(d.is_leader for d in dispatchers) == 1
        leader = next(d for d in dispatchers if d.is_leader)
        await drained(leader)
    finally:
        for dispatcher in dispatchers:
            await dispatcher.stop()
        await other_engine.dispose()
    assert texts(user) == ["after 0", "after 1", "after 2"]
