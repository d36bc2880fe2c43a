"""Per-person flood control (handlers/core/flood.py): the gate on its own clock, and the
update processor never running a dropped update."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from handlers.core import flood
from handlers.core.flood import FloodGate, Verdict
from handlers.core.processor import PerUserUpdateProcessor

BOT = {"id": 1, "is_bot": True, "first_name": "Bot"}


def person(uid: int, *, is_bot: bool = False) -> dict[str, Any]:
    return {"id": uid, "is_bot": is_bot, "first_name": "X", "language_code": "uk"}


def private_text(uid: int, update_id: int = 1, text: str = "hi") -> Update:
    chat = {"id": uid, "type": "private", "first_name": "X"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": person(uid), "text": text}
    update = Update.de_json({"update_id": update_id, "message": message}, None)
    assert update is not None
    return update


def group_text(uid: int, text: str) -> Update:
    chat = {"id": -1001, "type": "supergroup", "title": "G"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": person(uid), "text": text}
    update = Update.de_json({"update_id": 1, "message": message}, None)
    assert update is not None
    return update


def press(uid: int, *, is_bot: bool = False) -> Update:
    query = {"id": "q", "from": person(uid, is_bot=is_bot), "chat_instance": "1", "data": "x:1"}
    update = Update.de_json({"update_id": 1, "callback_query": query}, None)
    assert update is not None
    return update


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_over_the_limit_is_told_once_then_dropped_until_the_window_has_room() -> None:
    clock = Clock()
    gate = FloodGate(3, clock=clock)
    verdicts = []
    for _ in range(6):
        verdicts.append(gate.check(private_text(5)))
        clock.now += 1
    assert verdicts == [Verdict.PASS] * 3 + [Verdict.NOTIFY, Verdict.DROP, Verdict.DROP]
    assert gate.check(private_text(6)) is Verdict.PASS  # someone else is not affected
    clock.now = 1000.0 + 59.9
    assert gate.check(press(5)) is Verdict.DROP  # the first one is 59.9 s old: still full
    clock.now = 1000.0 + 60
    assert gate.check(press(5)) is Verdict.PASS  # the window has room for one again
    assert gate.check(press(5)) is Verdict.NOTIFY  # and a new flood is told again
    assert gate.dropped == 5


def test_staff_group_chatter_bots_and_telegram_updates_are_not_counted() -> None:
    gate = FloodGate(1, clock=Clock())
    gate.staff = frozenset({7})
    assert all(gate.check(private_text(7)) is Verdict.PASS for _ in range(50))
    assert all(gate.check(group_text(8, "hello all")) is Verdict.PASS for _ in range(50))
    assert all(gate.check(press(9, is_bot=True)) is Verdict.PASS for _ in range(50))
    member = {
        "chat": {"id": 8, "type": "private", "first_name": "X"},
        "from": person(8),
        "date": 0,
        "old_chat_member": {"status": "member", "user": BOT},
        "new_chat_member": {"status": "kicked", "user": BOT, "until_date": 0},
    }
    kicked = Update.de_json({"update_id": 3, "my_chat_member": member}, None)
    assert all(gate.check(kicked) is Verdict.PASS for _ in range(5))
    assert gate.check(group_text(8, "/queue")) is Verdict.PASS  # a command counts
    assert gate.check(private_text(8)) is Verdict.NOTIFY


def test_a_role_taken_here_is_exempt_at_once_and_survives_a_read_that_missed_it() -> None:
    clock = Clock()
    gate = FloodGate(2, clock=clock)
    assert [gate.check(press(7)) for _ in range(3)][-1] is Verdict.NOTIFY
    gate.exempt(7)  # accepted an invitation in this process
    assert all(gate.check(press(7)) is Verdict.PASS for _ in range(50))
    gate.set_staff(frozenset({8}))  # a read that began before the role was committed
    assert gate.staff == {7, 8}
    assert gate.check(press(7)) is Verdict.PASS
    clock.now += flood.STAFF_REFRESH_SECONDS
    gate.set_staff(frozenset({8}))  # a minute on, the database is the word: revoked meanwhile
    assert gate.staff == {8}
    assert [gate.check(press(7)) for _ in range(3)][-1] is Verdict.NOTIFY


def test_zero_switches_it_off_and_idle_people_are_forgotten() -> None:
    assert all(FloodGate(0).check(private_text(1)) is Verdict.PASS for _ in range(100))
    clock = Clock()
    gate = FloodGate(2, clock=clock)
    for uid in range(1, 1025):
        gate.check(private_text(uid))
    clock.now += 61
    for uid in range(2000, 3024):  # the 2048th check sweeps those idle for a minute
        gate.check(private_text(uid))
    assert gate.tracked_people <= 1024


async def test_a_dropped_update_never_runs_and_the_notice_goes_once() -> None:
    gate = FloodGate(2, clock=Clock())
    processor = PerUserUpdateProcessor(4, gate)
    ran: list[int] = []
    notified: list[int] = []

    async def handle(n: int) -> None:
        ran.append(n)

    async def notify(update: Update) -> None:
        notified.append(update.update_id)

    processor.notify = notify
    await asyncio.gather(
        *(processor.process_update(private_text(5, n), handle(n)) for n in range(1, 7))
    )
    assert ran == [1, 2]
    assert notified == [3]


def test_dropped_private_messages_are_held_for_clear_this_chat_within_a_bound() -> None:
    """Only private messages' ids are held (a press or a group's message has none to keep),
    passed ones are not (the pipeline keeps those), and never more than MAX_UNKEPT."""
    gate = FloodGate(1, clock=Clock())
    gate.check(private_text(5, 1))  # passed
    gate.check(private_text(5, 2))  # the notice's update
    gate.check(private_text(5, 3))
    gate.check(press(5))
    gate.check(group_text(5, "/help"))
    assert gate.unkept == [(5, 2), (5, 3)]
    gate.unkept = [(7, n) for n in range(flood.MAX_UNKEPT)]
    gate.check(private_text(5, 4))
    assert len(gate.unkept) == flood.MAX_UNKEPT and (5, 4) not in gate.unkept
