"""Limits that hold across webhook workers: each worker applies its share of them.

`RATE_LIMIT_OVERALL_PER_SECOND`, `RATE_LIMIT_GROUP_PER_MINUTE` (direct replies, PTB's
`AIORateLimiter`) and `FLOOD_UPDATES_PER_MINUTE` (handlers/core/flood.py) are figures for
the whole deployment. A worker cannot ask the database before every message, so each one
knows how many workers are alive and applies 1/N of each figure:

- On PostgreSQL every worker process holds, for its life, a session-level advisory lock on
  one *worker slot* (`pg_try_advisory_lock(namespace, slot)`, slots 0..MAX_WORKERS-1, the
  namespace derived from the bot's id) on a dedicated AUTOCOMMIT connection. Every
  `REFRESH_SECONDS` it counts the granted slot locks in `pg_locks`: that is the number of
  live workers. A SIGKILLed worker's connection closes, PostgreSQL drops its lock, and the
  others count one fewer at their next refresh.
- The count query is the only database work: one round trip per worker every few
  seconds, none per message.
- On SQLite (one process) there is nothing to count: one worker, whole figures.

**Decision:** the overall and per-group send rates are divided exactly (`share_of_rate`),
the flood threshold is rounded up (`share_of_threshold`, ceil(T / N)). The flood share is
an approximation: nginx spreads a person's updates over the workers (round robin over all
updates, not per person), so each worker sees about 1/N of them. It is safe both ways:
a flooder gets at most N * ceil(T / N) <= T + N - 1 updates read a minute, however their
updates are spread; a person whose updates happen to land mostly on one worker is told to
slow down a little earlier than T, which a person typing at a human pace (T defaults to
30 a minute) does not reach. Each worker that throttles a person sends its own notice, so a
flood gets at most one notice per worker (no shared state, which would cost a round trip).
**Trade-offs:** for up to one refresh period after a worker starts or dies the others still
apply the old share (a start: briefly up to twice the figures; a death: briefly less).
Replacing the rate limiter at a change drops its bucket levels and a 429 pause running in
it (requests already waiting finish through the old one); changes are rare (a worker
starting or stopping) and Telegram's 429 is still handled by PTB in the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

MAX_WORKERS = 64  # worker slots; a worker beyond them still counts itself
REFRESH_SECONDS = 5.0  # how often a worker counts the live workers


def share_of_rate(max_rate: float, period: float, workers: int) -> tuple[float, float]:
    """One worker's (max_rate, period) for an `AsyncLimiter` when `workers` share
    `max_rate` calls per `period`; (0, period) means no limit. aiolimiter cannot take one
    call from a bucket smaller than one, so a share under one call per period becomes one
    call per proportionally longer period (the same rate)."""
    if max_rate <= 0 or period <= 0:
        return 0.0, period
    rate = max_rate / max(1, workers)
    if rate >= 1:
        return rate, period
    return 1.0, period / rate


def share_of_threshold(limit: int, workers: int) -> int:
    """One worker's flood threshold (updates a minute a person) of `limit` for the whole
    deployment; 0 (off) stays 0."""
    if limit <= 0:
        return 0
    return math.ceil(limit / max(1, workers))


JSONDict = dict[str, Any]
Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB's `AIORateLimiter` (its buckets and its 429 retries), rebuilt with this worker's
    share of the configured rates whenever the number of live workers changes."""

    def __init__(
        self, *, overall_per_second: float, group_per_minute: float, max_retries: int = 3
    ) -> None:
        self.overall_per_second = overall_per_second
        self.group_per_minute = group_per_minute
        self.max_retries = max_retries
        self.workers = 1
        self._inner = self._build(1)

    @property
    def overall(self) -> tuple[float, float]:
        """This worker's overall limit now: (calls, per seconds)."""
        return share_of_rate(self.overall_per_second, 1, self.workers)

    @property
    def group(self) -> tuple[float, float]:
        """This worker's limit per group chat now: (calls, per seconds)."""
        return share_of_rate(self.group_per_minute, 60, self.workers)

    def _build(self, workers: int) -> AIORateLimiter:
        overall = share_of_rate(self.overall_per_second, 1, workers)
        group = share_of_rate(self.group_per_minute, 60, workers)
        return AIORateLimiter(
            overall_max_rate=overall[0],
            overall_time_period=overall[1],
            group_max_rate=group[0],
            group_time_period=group[1],
            max_retries=self.max_retries,
        )

    def set_workers(self, workers: int) -> None:
        workers = max(1, workers)
        if workers != self.workers:
            self.workers = workers
            self._inner = self._build(workers)

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        return await self._inner.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def slot_namespace(bot_id: int) -> int:
    """The first key of the two-key advisory locks of one bot's worker slots (a positive
    int4; two-key locks never collide with the one-key locks used elsewhere)."""
    digest = hashlib.sha256(f"hromada-worker-slots:{bot_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


_COUNT = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND objsubid = 2 AND classid = CAST(:namespace AS oid)"
    " AND objid < CAST(:slots AS oid)"
)


class WorkerSlots:
    """This worker's slot and the number of live workers (`live`). `refresh` takes a slot
    if it has none and counts; `start` refreshes once and then every `period` seconds
    until `stop`. `on_change(live)` is called when the count changes. On any database but
    PostgreSQL it holds nothing and `live` stays 1."""

    def __init__(
        self,
        engine: AsyncEngine,
        namespace: int,
        *,
        on_change: Callable[[int], None],
        slots: int = MAX_WORKERS,
        period: float = REFRESH_SECONDS,
    ) -> None:
        self._engine = engine
        self._namespace = namespace
        self._on_change = on_change
        self._slots = slots
        self._period = period
        self._enabled = engine.dialect.name == "postgresql"
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.slot: int | None = None
        self.live = 1
        self.refreshes = 0

    async def start(self) -> None:
        if not self._enabled:
            return
        await self.refresh()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._period)
            await self.refresh()

    async def refresh(self) -> int:
        """Count the live workers now (this one included); on a database error the last
        count stays and the slot is taken again next time."""
        if not self._enabled:
            return self.live
        try:
            conn = await self._connection()
            if self.slot is None:
                self.slot = await self._take_slot(conn)
            params = {"namespace": self._namespace, "slots": self._slots}
            held = int((await conn.execute(_COUNT, params)).scalar_one())
        except Exception as exc:
            log.warning("worker share: live workers not counted (%s)", type(exc).__name__)
            await self._drop()
            return self.live
        live = max(1, held + (0 if self.slot is not None else 1))
        self.refreshes += 1
        if live != self.live:
            log.info("worker share: %d live workers (slot %s)", live, self.slot)
            self.live = live
            self._on_change(live)
        return live

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            except BaseException:
                await conn.close()
                raise
        return self._conn

    async def _take_slot(self, conn: AsyncConnection) -> int | None:
        for slot in range(self._slots):
            taken = await conn.execute(
                text("SELECT pg_try_advisory_lock(:namespace, :slot)"),
                {"namespace": self._namespace, "slot": slot},
            )
            if taken.scalar_one():
                return slot
        log.warning("worker share: all %d worker slots are taken", self._slots)
        return None

    async def stop(self) -> None:
        """Stop counting and give the slot back (closing its connection)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn, self.slot = self._conn, None, None
        if conn is not None:
            try:  # not back to the pool: the session ends, and its advisory lock with it
                await conn.invalidate()
                await conn.close()
            except Exception as exc:
                log.warning("worker share: closing the slot failed (%s)", type(exc).__name__)
