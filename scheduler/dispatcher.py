"""The outbox dispatcher: sends committed outbox rows through an injected sender.

One asyncio task per bot process; on PostgreSQL only the process holding the advisory lock
dispatches (`scheduler/leader.py`), the others stand by.

Batches. A round claims a batch of due rows in one short transaction, groups them by chat
and starts one task per chat; at most `concurrency` sends are on their way at once (a
semaphore). A chat's task sends its rows one after another in id order; rows of a chat
already in hand (sending, or its outcomes not yet written) or rate limited are not
claimed, so a busy or throttled chat never holds up the others. Outcomes are collected and
written together, one transaction for many rows (`outcomes.record_many`: one UPDATE for
all the sent rows), once half a batch of them is waiting or no chat is sending any more.
At most `batch` rows are in hand at a time (claimed and not yet written): the next claim
waits until that many are written. The overall limit is `buckets.OverallLimiter`.

- `Sent` -> sent. Exactly once per `dedup_key` in the normal case, at least once always:
  a row is sent *before* it is marked, so a crash in between resends after the restart the
  rows whose outcome was not written yet, at most `batch` rows; no row is ever skipped.
- `RetryAfter(s)` -> the whole dispatcher pauses `s` seconds (Telegram's flood control is
  per bot); the row stays due and goes first after the pause. **Decision:** a 429 is not a
  failed attempt (it is about the bot, not the row), so 429s alone never kill a row.
- `Transient` -> retried with exponential backoff (1 s, 2 s, 4 s ... capped at 5 min);
  dead after `max_attempts` attempts. While a row waits for its retry, later rows of the same
  chat wait too (per-chat order; `claim_due`; the chat stays in hand until the retry is
  written).
- `Unreachable` -> the person/staff chat is marked unreachable, all its pending rows dead.
- `Migrated(new id)` -> the group became a supergroup: its pending rows, its staff-chat link
  and its undelivered cards move to the new id (`staff_chats.move_chat`) and go out from
  there; not an attempt.
- `Permanent` -> dead at once.

What each result means for its row, its log line and its record: `scheduler/outcomes.py`.

`wake()` (sync, call it after a commit) starts a round at once instead of at the next poll.
`drain()` (for tests and shutdown scripts) returns once nothing is due, in flight, waiting
to be written or waiting for a retry. Logs name row ids, chat kinds and error classes,
never the payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler import outcomes
from scheduler.buckets import ChatBuckets, Clock, OverallLimiter, RateLimits, TokenBucket
from scheduler.leader import AlwaysLeader, Leader
from scheduler.outcomes import Outcome
from scheduler.sending import Permanent, RetryAfter, Sender, SendResult, Sent, Transient
from storage.models import OutboxMessage
from storage.repositories import outbox

log = logging.getLogger(__name__)

ROUND_ERROR_CAP = 30.0


class OutboxDispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        *,
        limits: RateLimits | None = None,
        max_attempts: int = 8,
        batch: int = 50,
        poll_interval: float = 1.0,
        concurrency: int = 8,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        leader: Leader | None = None,
        standby_interval: float = 5.0,
        leader_check_interval: float = 10.0,
        stop_timeout: float = 15.0,
        min_round_interval: float = 0.02,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_attempts < 1 or batch < 1 or concurrency < 1:
            raise ValueError("max_attempts, batch and concurrency must be at least 1")
        self._sessions = sessions
        self._sender = sender
        self.limits = limits or RateLimits()
        self.max_attempts = max_attempts
        self.batch = batch
        self.poll_interval = poll_interval
        self.concurrency = concurrency
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.standby_interval = standby_interval
        self.leader_check_interval = leader_check_interval
        self.stop_timeout = stop_timeout
        self.min_round_interval = min_round_interval
        self._leader: Leader = leader or AlwaysLeader()
        self._clock = clock
        self._overall = OverallLimiter(self.limits.overall_per_second, clock=clock)
        self._buckets = ChatBuckets(self.limits, clock=clock)
        self._sends = asyncio.Semaphore(concurrency)

        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._leading = False
        self._leading_changed = asyncio.Event()
        self._chats: dict[int, asyncio.Task[None]] = {}  # chats whose task is sending
        # Rows claimed and not yet written (or given back), by id: a row in hand may change
        # chat meanwhile (a group upgraded to a supergroup moves its pending rows,
        # `staff_chats.move_chat`), and must not be claimed again under the new chat before
        # its outcome is written (review finding).
        self._rows_in_hand: set[int] = set()
        self._unwritten: list[Outcome] = []  # outcomes waiting to be written, in order
        self._unwritten_chats: dict[int, int] = {}  # chat -> its outcomes among those
        self._throttled: dict[int, TokenBucket] = {}
        self._paused_until = 0.0
        self._next_retry_at: float | None = None
        # drain(): rounds are numbered; a settled round after the call ends the wait.
        self._rounds = 0
        self._settled_round = 0
        self._drainers = 0
        self._round_done = asyncio.Event()

    # -- public -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def is_leader(self) -> bool:
        """True while this dispatcher holds the right to send (always, on SQLite)."""
        return self._leading

    @property
    def in_flight(self) -> int:
        """Chats being sent to right now."""
        return len(self._chats)

    @property
    def in_hand(self) -> int:
        """Rows claimed and not yet written: what a crash now could send a second time."""
        return len(self._rows_in_hand)

    def wake(self) -> None:
        """Look for due rows now (call from the event loop's thread, after a commit)."""
        self._wakeup.set()

    async def start(self) -> None:
        """Try to lead once (so `is_leader` is known on return), then run in the background."""
        if self.running:
            return
        self._stopping.clear()
        self._round_done = asyncio.Event()
        await self._try_to_lead()
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        """Finish the sends in flight (each records its outcome), release the lock; after
        `stop_timeout` seconds whatever is still running is cancelled (such a row may have
        reached Telegram and is then sent once more after the restart)."""
        task = self._task
        self._stopping.set()
        self._wakeup.set()
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self.stop_timeout)
        except TimeoutError:
            log.warning("outbox dispatcher did not stop in %.0fs; cancelling", self.stop_timeout)
            for chat_task in list(self._chats.values()):
                chat_task.cancel()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            self._task = None

    async def drain(self) -> None:
        """Return once a round that started after this call found nothing due, nothing in
        flight and nothing waiting for a retry (rows scheduled for later do not count).
        Waits for ever while this dispatcher stands by: bound it with asyncio.wait_for.
        RuntimeError if the dispatcher is not running or stops meanwhile."""
        target = self._rounds + 1
        self._drainers += 1
        self.wake()
        try:
            while self._settled_round < target:
                if not self.running or self._stopping.is_set():
                    raise RuntimeError("the outbox dispatcher is not running")
                await self._round_done.wait()
        finally:
            self._drainers -= 1

    async def wait_until_leading(self, leading: bool = True) -> None:
        """For tests: return once this dispatcher leads (or, with False, stands by)."""
        while self._leading != leading:
            await self._leading_changed.wait()

    # -- leadership ---------------------------------------------------------------------------

    def _set_leading(self, leading: bool) -> None:
        if leading != self._leading:
            self._leading = leading
            event, self._leading_changed = self._leading_changed, asyncio.Event()
            event.set()

    async def _try_to_lead(self) -> None:
        try:
            leading = await self._leader.acquire()
        except Exception as exc:
            log.warning("outbox: could not try the dispatcher lock (%s)", type(exc).__name__)
            leading = False
        if leading and not self._leading:
            log.info("outbox dispatcher active")
        self._set_leading(leading)

    async def _run(self) -> None:
        announced_standby = False
        try:
            while not self._stopping.is_set():
                if not self._leading:
                    if not announced_standby:
                        log.info("outbox dispatcher standing by (another process sends)")
                        announced_standby = True
                    await self._wait(self._stopping, self.standby_interval)
                    if not self._stopping.is_set():
                        await self._try_to_lead()
                    continue
                announced_standby = False
                try:
                    await self._lead()
                finally:
                    await self._finish_in_flight()
                    self._set_leading(False)
                    await self._leader.release()
        finally:
            self._set_leading(False)
            self._signal_round_done()

    def _signal_round_done(self) -> None:
        event, self._round_done = self._round_done, asyncio.Event()
        event.set()

    async def _finish_in_flight(self) -> None:
        tasks = list(self._chats.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._write_outcomes()

    # -- rounds -------------------------------------------------------------------------------

    async def _lead(self) -> None:
        next_check = self._clock() + self.leader_check_interval
        error_wait = self.poll_interval
        while not self._stopping.is_set():
            now = self._clock()
            if now >= next_check:
                next_check = now + self.leader_check_interval
                if not await self._leader.still_leading():
                    log.warning("outbox dispatcher lost its lock; standing by")
                    return
            if self._paused_until > now:
                if self._unwritten and not self._chats:
                    await self._write_outcomes()
                await self._wait(self._stopping, self._paused_until - now)
                continue
            self._wakeup.clear()
            round_started = self._clock()
            self._rounds += 1
            round_id = self._rounds
            settled = False
            try:
                settled = await self._round()
                wait = self._next_wait()
                error_wait = self.poll_interval
            except Exception as exc:
                log.error(
                    "outbox round failed (%s); retrying in %.0fs", type(exc).__name__, error_wait
                )
                wait = error_wait
                error_wait = min(max(error_wait, 0.1) * 2, ROUND_ERROR_CAP)
            if settled:
                self._settled_round = round_id
            self._signal_round_done()
            await self._wait(self._wakeup, wait)
            # Wakes after every update would claim once per update under load; a round at
            # most every `min_round_interval` keeps the database free for the handlers.
            rest = round_started + self.min_round_interval - self._clock()
            if rest > 0 and not self._stopping.is_set():
                await self._wait(self._stopping, rest)

    def _write_due(self) -> bool:
        """Write now: half a batch is waiting, nothing is being sent that could join, or the
        rows in hand keep the next claim from starting (a slow send must not hold up every
        other chat while finished outcomes wait; review finding)."""
        if not self._unwritten:
            return False
        blocked = (self.batch - self.in_hand) * 2 < self.batch
        return len(self._unwritten) * 2 >= self.batch or not self._chats or blocked

    async def _round(self) -> bool:
        """Write what is waiting, start sending what is due; True when everything is
        settled (see `drain`)."""
        if self._write_due():
            await self._write_outcomes()
        now = self._clock()
        for chat_id, bucket in list(self._throttled.items()):
            if bucket.delay() == 0:
                del self._throttled[chat_id]
        room = self.batch - self.in_hand
        claimed: list[OutboxMessage] = []
        if room > 0 and (room * 2 >= self.batch or not self._rows_in_hand):
            busy = [*self._chats, *self._unwritten_chats]  # never claimed twice: first
            exclude = [*busy, *(c for c in self._throttled if c not in self._chats)]
            async with self._sessions() as session, session.begin():
                claimed = await outbox.claim_due(session, limit=room, exclude_chats=exclude)
            skip = set(exclude)  # beyond claim_due's longest exclusion list
            claimed = [
                row
                for row in claimed
                if row.chat_id not in skip and row.id not in self._rows_in_hand
            ]
            self._rows_in_hand.update(row.id for row in claimed)
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in claimed:
            by_chat.setdefault(row.chat_id, []).append(row)
        for chat_id, rows in by_chat.items():
            self._chats[chat_id] = asyncio.create_task(
                self._send_chat(chat_id, rows), name=f"outbox-chat-{chat_id}"
            )
        if self._next_retry_at is not None and self._next_retry_at <= now:
            self._next_retry_at = None
        if claimed or self._chats or self._rows_in_hand or self._drainers == 0:
            return False
        if self._paused_until > now:
            return False
        async with self._sessions() as session:
            return await outbox.unsettled_count(session) == 0

    def _next_wait(self) -> float:
        wait = self.poll_interval
        now = self._clock()
        if self._throttled:
            wait = min(wait, *(bucket.delay() for bucket in self._throttled.values()))
        if self._next_retry_at is not None:
            wait = min(wait, self._next_retry_at - now)
        return max(wait, 0.0)

    @staticmethod
    async def _wait(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await event.wait()

    async def _write_outcomes(self) -> None:
        """Write every waiting outcome in one transaction; their chats and rows are free."""
        written, self._unwritten = self._unwritten, []
        if not written:
            return
        try:
            await outcomes.record_many(self._sessions, written, self._stopping)
        finally:
            for outcome in written:
                self._rows_in_hand.discard(outcome.row_id)
                left = self._unwritten_chats.pop(outcome.chat_id, 1) - 1
                if left > 0:
                    self._unwritten_chats[outcome.chat_id] = left
            self._wakeup.set()

    # -- one chat -----------------------------------------------------------------------------

    def _paused(self) -> bool:
        return self._paused_until > self._clock()

    async def _send_chat(self, chat_id: int, rows: list[OutboxMessage]) -> None:
        judged: set[int] = set()  # rows with an outcome (waiting to be written); the rest go back
        try:
            bucket = self._buckets.get(chat_id)
            for row in rows:
                if self._stopping.is_set() or self._paused():
                    return
                if not bucket.try_take():
                    self._throttled[chat_id] = bucket
                    return
                result = await self._send_in_turn(row)
                if result is None:
                    return  # stopping or paused meanwhile
                outcome = self._judge(row, result)
                if outcome is not None:
                    judged.add(row.id)
                    self._unwritten.append(outcome)
                    self._unwritten_chats[chat_id] = self._unwritten_chats.get(chat_id, 0) + 1
                    if self._write_due():
                        self._wakeup.set()
                if not isinstance(result, (Sent, Permanent)):
                    return  # retry later / pause / chat gone: the rest waits
        except Exception as exc:
            log.error("outbox chat task failed (%s)", type(exc).__name__)
        finally:
            self._rows_in_hand.difference_update(row.id for row in rows if row.id not in judged)
            self._chats.pop(chat_id, None)
            self._wakeup.set()

    async def _send_in_turn(self, row: OutboxMessage) -> SendResult | None:
        """Send when a place among `concurrency` and the overall limit allow; None if the
        dispatcher stops or pauses meanwhile."""
        async with self._sends:
            if not await self._overall.acquire(self._stopping):
                return None
            try:
                return None if self._paused() else await self._send(row)
            finally:
                self._overall.release()

    async def _send(self, row: OutboxMessage) -> SendResult:
        try:
            return await self._sender(row.chat_id, row.payload)
        except Exception as exc:  # a sender should not raise; treat it as temporary
            return Transient(type(exc).__name__)

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones (1, 2, 4 ... capped)."""
        return outcomes.backoff(attempts, self.backoff_base, self.backoff_cap)

    def _judge(self, row: OutboxMessage, result: SendResult) -> Outcome | None:
        """The row's outcome (logged, to be written), or None after a 429 (the dispatcher
        pauses; the row stays due and goes first after the pause)."""
        if isinstance(result, RetryAfter):
            pause = max(result.seconds, 0.0)
            self._paused_until = max(self._paused_until, self._clock() + pause)
            log.warning(
                "outbox row %s (%s): flood control, pausing %.1fs",
                row.id,
                outcomes.chat_kind(row.chat_id),
                pause,
            )
            return None
        outcome = outcomes.judge(
            row,
            result,
            max_attempts=self.max_attempts,
            base=self.backoff_base,
            cap=self.backoff_cap,
        )
        if outcome.retry_in is not None:
            retry_at = self._clock() + outcome.retry_in
            if self._next_retry_at is None or retry_at < self._next_retry_at:
                self._next_retry_at = retry_at
        outcomes.log_outcome(outcome)
        return outcome
