"""Putting a poll (or its results) in the outbox for thousands of people at once, and the
charts the outbox uploads once and then sends by file id.

`outbox.enqueue` looks each key up and inserts in a SAVEPOINT: right for one notification,
too slow for 5,000. A broadcast's keys are new by construction (they carry the poll's id,
which is new, or are written once under `mark_announced`), so rows go in as multi-row
INSERTs of `CHUNK` rows; keys already there (a retried announcement) are filtered out first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxMessage, PollChart
from storage.repositories import outbox
from storage.types import utcnow

CHUNK = 500
CHART_REF = "poll-chart:"  # sendPhoto's photo "poll-chart:<poll id>:<language>"


@dataclass(frozen=True)
class Message:
    chat_id: int
    payload: dict[str, Any]
    dedup_key: str


async def enqueue_many(session: AsyncSession, messages: Sequence[Message]) -> int:
    """Add pending rows in the caller's transaction, in order; returns how many were new."""
    now = utcnow()
    added = 0
    for start in range(0, len(messages), CHUNK):
        chunk = messages[start : start + CHUNK]
        known = set(
            await session.scalars(
                select(OutboxMessage.dedup_key).where(
                    OutboxMessage.dedup_key.in_([m.dedup_key for m in chunk])
                )
            )
        )
        rows = [
            {
                "chat_id": m.chat_id,
                "payload": m.payload,
                "dedup_key": m.dedup_key,
                "status": outbox.PENDING,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
            for m in chunk
            if m.dedup_key not in known
        ]
        if rows:
            await session.execute(insert(OutboxMessage), rows)
            added += len(rows)
    if added:
        session.info["outbox_enqueued"] = True  # outbox.enqueued_in: wake the dispatcher
    return added


def chart_ref(poll_id: int, language: str) -> str:
    return f"{CHART_REF}{poll_id}:{language}"


async def save_chart(session: AsyncSession, poll_id: int, language: str, png: bytes) -> None:
    existing = await session.get(PollChart, (poll_id, language))
    if existing is None:
        session.add(PollChart(poll_id=poll_id, language=language, png=png))
    else:
        existing.png = png


class ChartFiles:
    """The outbox sender's view of the charts: the file id once Telegram has one, else
    the PNG to upload; `remember` keeps the file id so the next reader gets it by id."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._file_ids: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def first_upload(self, ref: str) -> AbstractAsyncContextManager[object]:
        """Held around a send of `ref` until its file id is known: one upload per chart,
        every other send of it waits for that and goes by file id."""
        if ref in self._file_ids:
            return contextlib.nullcontext()
        return self._locks.setdefault(ref, asyncio.Lock())

    @staticmethod
    def _key(ref: str) -> tuple[int, str] | None:
        poll, _, language = ref.removeprefix(CHART_REF).partition(":")
        return (int(poll), language) if poll.isdigit() and language else None

    async def load(self, ref: str) -> str | bytes | None:
        key = self._key(ref)
        if key is None:
            return None
        if ref in self._file_ids:
            return self._file_ids[ref]
        async with self.sessions() as session:
            chart = await session.get(PollChart, key)
            if chart is None:
                return None
            return chart.file_id or chart.png

    async def remember(self, ref: str, file_id: str) -> None:
        key = self._key(ref)
        if key is None:
            return
        self._file_ids[ref] = file_id
        self._locks.pop(ref, None)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(PollChart)
                .where(PollChart.poll_id == key[0], PollChart.language == key[1])
                .values(file_id=file_id)
            )
