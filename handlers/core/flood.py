"""Per-person flood control, before the pipeline: no database work for a dropped update.

More than `FLOOD_UPDATES_PER_MINUTE` counted updates from one person within any 60 seconds
(a sliding window): the first one over is answered with a localized notice (a button press
with a toast), the rest are dropped unread until the window has room again. Counted: button
presses, and messages in private chats or commands in groups; a group's chatter and
Telegram's own updates (my_chat_member) are not, so talking in a staff chat never throttles
anyone.

**Decision:** staff are never throttled, and who is staff is a set of Telegram ids held in
memory (`FloodGate.staff`), read from the database at start and then every
`STAFF_REFRESH_SECONDS` by `refresh_staff` (one query a minute per process, not one per
update). A role taken through an invitation in this process is exempt at once
(`FloodGate.exempt`, called by the invitation handler, before the update's commit: should
that fail, the person stays exempt for a minute, which harms nobody): a moderator who joins
and starts on a backlog of cards goes past 30 updates in their first minute (the
benchmark's did, and was dropped). A role granted elsewhere (the CLI, another worker) is
exempt at most `STAFF_REFRESH_SECONDS` after it was granted (until then it is counted like
anyone's); a revoked one is exempt that long after. **Decision:** the notice's language is
the person's Telegram language (their stored choice would be a database read).

**Decision:** "Clear this chat" must also delete what a flood dropped. The ids of dropped
private messages and of the notice itself are collected in memory (`FloodGate.unkept`, at
most `MAX_UNKEPT` per process) and written by `keep_dropped`, one multi-row INSERT every
`KEEP_SECONDS` while there is something to write, so a flood costs one statement every few
seconds, not one per dropped update. What a process held when it was killed is lost (those
messages are then left by /clear, as before); ids written just after the person's /forget
(dropped within the 2 seconds before it) stay, without any content, until the 48-hour purge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.core.context import Services
from locales import pick_language
from storage.privacy import chat_messages
from storage.repositories.staff import staff_telegram_ids

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
STAFF_REFRESH_SECONDS = 60.0
KEEP_SECONDS = 2.0  # how often the dropped messages' ids are written (`keep_dropped`)
MAX_UNKEPT = 10_000  # ids held for that at most; beyond, /clear leaves the rest


class Verdict(Enum):
    PASS = "pass"  # processed as usual
    NOTIFY = "notify"  # the first one over the limit: told to slow down, not processed
    DROP = "drop"  # dropped unread


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    told: bool = False


def counted(update: object) -> int | None:
    """The person whose limit `update` counts against, or None when it is not counted."""
    if not isinstance(update, Update):
        return None
    person = update.effective_user
    if person is None or person.is_bot:
        return None
    if update.callback_query is not None:
        return person.id
    message = update.message or update.edited_message
    if message is None:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return person.id
    return person.id if (message.text or "").startswith("/") else None


class FloodGate:
    """Counts each person's updates over the last `WINDOW_SECONDS` on `clock` (monotonic
    seconds; tests inject their own). `limit` 0 lets everything pass."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.staff: frozenset[int] = frozenset()
        self.dropped = 0
        self.unkept: list[tuple[int, int]] = []  # (chat, message) for "Clear this chat"
        self.keeping = asyncio.Lock()  # one `keep_dropped` at a time: a caller sees it done
        self._windows: dict[int, _Window] = {}
        self._checks = 0
        self._granted: dict[int, float] = {}  # exempted here, by when (see `set_staff`)

    def exempt(self, telegram_id: int) -> None:
        """`telegram_id` took a staff role just now: not counted from now on."""
        self.staff = self.staff | {telegram_id}
        self._granted[telegram_id] = self.clock()
        self._windows.pop(telegram_id, None)

    def set_staff(self, ids: frozenset[int]) -> None:
        """The staff as read from the database, plus those exempted here within the last
        `STAFF_REFRESH_SECONDS` (a read that began before their role was committed lacks
        them)."""
        now = self.clock()
        self._granted = {
            person: at for person, at in self._granted.items() if now - at < STAFF_REFRESH_SECONDS
        }
        self.staff = ids | frozenset(self._granted)

    @property
    def tracked_people(self) -> int:
        return len(self._windows)

    def check(self, update: object) -> Verdict:
        person = counted(update)
        if self.limit <= 0 or person is None or person in self.staff:
            return Verdict.PASS
        now = self.clock()
        self._checks += 1
        if self._checks % 1024 == 0:
            self._forget_idle(now)
        window = self._windows.get(person)
        if window is None:
            window = self._windows[person] = _Window()
        times = window.times
        while times and now - times[0] >= WINDOW_SECONDS:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            window.told = False
            return Verdict.PASS
        self.dropped += 1
        _keep_later(self, update)
        if window.told:
            return Verdict.DROP
        window.told = True
        return Verdict.NOTIFY

    def note(self, chat_id: int, message_id: int) -> None:
        """A private chat's message for /clear, written by the next `keep_dropped`."""
        if chat_id > 0 and len(self.unkept) < MAX_UNKEPT:
            self.unkept.append((chat_id, message_id))

    def _forget_idle(self, now: float) -> None:
        """People with nothing in their window take no memory."""
        idle = [
            person
            for person, window in self._windows.items()
            if not window.times or now - window.times[-1] >= WINDOW_SECONDS
        ]
        for person in idle:
            del self._windows[person]


def _keep_later(gate: FloodGate, update: object) -> None:
    """A dropped private message stays deletable by "Clear this chat"."""
    message = update.message if isinstance(update, Update) else None
    if message is not None and message.chat.type == ChatType.PRIVATE:
        gate.note(message.chat.id, message.message_id)


async def tell_to_slow_down(
    update: Update, services: Services, gate: FloodGate | None = None
) -> None:
    """The one notice of a flood: a toast on a press, a message in a private chat (kept in
    `gate` for "Clear this chat")."""
    person = update.effective_user
    assert person is not None
    language = pick_language(None, person.language_code, services.default_language)
    _ = services.translators[language].gettext
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(
                _("Too many presses at once. Please wait a minute, then press again.")
            )
        elif update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
            notice = await update.get_bot().send_message(
                update.effective_chat.id,
                _(
                    "You are sending messages too fast. For the next minute the bot does not "
                    "read them: please wait, then send again what you need."
                ),
            )
            if gate is not None:
                gate.note(notice.chat.id, notice.message_id)
    except TelegramError as exc:
        log.info("flood notice not delivered (%s)", type(exc).__name__)


async def load_staff(gate: FloodGate, services: Services) -> None:
    """Read who is staff now; on failure the old set stays (the next round tries again)."""
    try:
        async with services.sessions() as session:
            gate.set_staff(await staff_telegram_ids(session))
    except Exception as exc:
        log.warning("flood control: staff list not refreshed (%s)", type(exc).__name__)


async def refresh_staff(gate: FloodGate, services: Services) -> None:
    """Keep `gate.staff` current every STAFF_REFRESH_SECONDS, until cancelled."""
    while True:
        await asyncio.sleep(STAFF_REFRESH_SECONDS)
        await load_staff(gate, services)


async def keep_dropped(gate: FloodGate, services: Services) -> int:
    """Write the ids `gate` collected, in one statement; how many. On a database error they
    are put back for the next round (within MAX_UNKEPT)."""
    async with gate.keeping:
        taken, gate.unkept = gate.unkept, []
        if not taken:
            return 0
        try:
            async with services.sessions() as session, session.begin():
                await chat_messages.remember_pairs(session, taken)
        except Exception as exc:
            log.warning("flood control: dropped messages' ids not kept (%s)", type(exc).__name__)
            gate.unkept = (taken + gate.unkept)[:MAX_UNKEPT]
            return 0
        except BaseException:  # cancelled mid-write (shutdown): the final round keeps them
            gate.unkept = (taken + gate.unkept)[:MAX_UNKEPT]
            raise
        return len(taken)


async def keep_dropped_every(gate: FloodGate, services: Services) -> None:
    """`keep_dropped` every KEEP_SECONDS until cancelled (then once more)."""
    try:
        while True:
            await asyncio.sleep(KEEP_SECONDS)
            await keep_dropped(gate, services)
    finally:
        await keep_dropped(gate, services)
