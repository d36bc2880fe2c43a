"""Fault injection at the local Bot API server: connection resets and deactivated users.

Nothing committed is lost (every outbox row ends sent, or dead with a reason, and every
direct reply arrives) and the dispatcher goes on after each fault. A reset before
Telegram applied the call is retried and delivered once; a reset *after* it applied the
call is the documented at-least-once case (at most one extra copy).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import HromadaApp
from bot.botapi.server import BotApiServer
from bot.outbox_sender import TelegramSender
from storage.models import OutboxMessage, User
from storage.repositories.users import touch_user
from tests.onboarding_steps import COMMUNITY_PROMPT
from tests.running_bot import feed
from tests.test_dispatcher import (
    Sessions,
    drained,
    enqueue,
    row,
    running,
    sender,
    sends_to,
    sessions,
    texts,
)
from tests.test_e2e_faults import quiet

pytestmark = pytest.mark.e2e
__all__ = ["quiet", "sender", "sessions"]  # fixtures used here


async def test_resets_lose_nothing_and_the_dispatcher_goes_on(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    people = [botapi.user() for _ in range(3)]
    botapi.fail_next("sendMessage", reset=True, times=3)  # closed unanswered, not applied
    async with running(sessions, sender) as dispatcher:
        for n, person in enumerate(people):
            for i in range(2):
                await enqueue(sessions, person.id, f"{n}/{i}")
        dispatcher.wake()
        await drained(dispatcher)
        for n, person in enumerate(people):
            assert texts(person) == [f"{n}/0", f"{n}/1"]  # each once, in order
        async with sessions() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        assert {r.status for r in rows} == {"sent"}
        assert sum(r.attempts for r in rows) == 6 + 3  # three resets, each retried
        # resumed: a later row goes out like any other
        await enqueue(sessions, people[0].id, "later")
        dispatcher.wake()
        await drained(dispatcher)
    assert texts(people[0]) == ["0/0", "0/1", "later"]


async def test_a_reset_after_telegram_applied_the_call_delivers_at_most_twice(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    person = botapi.user()
    botapi.fail_next("sendMessage", error_code=None, reset=True)  # applied, answer lost
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, person.id, "Зустріч перенесено", key="moved")
        dispatcher.wake()
        await drained(dispatcher)
    assert texts(person) == ["Зустріч перенесено"] * 2
    sent = await row(sessions, "moved")
    assert (sent.status, sent.attempts) == ("sent", 2)


async def test_a_deactivated_account_is_unreachable_and_the_others_get_theirs(
    botapi: BotApiServer, sessions: Sessions, sender: TelegramSender
) -> None:
    gone, other = botapi.user(), botapi.user()
    async with sessions() as session, session.begin():
        await touch_user(session, gone.id)
    await gone.deactivate()
    async with running(sessions, sender) as dispatcher:
        await enqueue(sessions, gone.id, "for the deleted account", key="gone")
        await enqueue(sessions, other.id, "first", key="o1")
        dispatcher.wake()
        await drained(dispatcher)
        dead = await row(sessions, "gone")
        assert (dead.status, dead.attempts) == ("dead", 1)
        assert dead.last_error is not None and "deactivated" in dead.last_error
        async with sessions() as session:
            person = await session.scalar(select(User).where(User.telegram_id == gone.id))
            assert person is not None and not person.is_reachable
        await enqueue(sessions, other.id, "second", key="o2")
        dispatcher.wake()
        await drained(dispatcher)
    assert sends_to(botapi, gone.id) == 1  # tried once, never again
    assert texts(other) == ["first", "second"]


async def test_a_direct_reply_survives_a_reset(botapi: BotApiServer, quiet: HromadaApp) -> None:
    """The step was committed before the reply went out; the reset reply is retried."""
    user = botapi.user()
    await user.send_command("/start")
    await feed(quiet, botapi)
    welcome = user.last_message()
    botapi.fail_next("editMessageText", reset=True)
    await user.press(welcome, "Українська")
    await feed(quiet, botapi)
    shown = [m for m in user.messages() if COMMUNITY_PROMPT in (m.text or "")]
    assert [m.message_id for m in shown] == [welcome.message_id]  # edited in place, once
    edits = [c for c in botapi.calls_of("editMessageText") if "громаду" in c["text"]]
    assert len(edits) == 2  # the reset one and its retry
