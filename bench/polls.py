"""How long publishing a poll to 5,000 recipients takes to enqueue (not part of the tests).

Run ``.venv/bin/python -m bench.polls`` (``--recipients N``, ``--rounds N``,
``--database postgres`` with HROMADA_BENCH_POSTGRES_URL set). A fresh migrated database,
communities seeded, N onboarded residents of one community, opted in to its working-group
news (a community poll's audience); each round creates a poll and runs what the creator's
Publish press runs (`handlers.staff.polls_publish.publish`: the audience read,
`poll_recipients` and one outbox row per recipient in multi-row INSERTs) inside one
transaction, committed. Printed: each round and the median, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.databases import bench_database
from handlers.staff.polls_publish import publish
from locales import load_translators
from storage.engine import create_engine, session_factory
from storage.migrate import upgrade_to_head
from storage.models import Community, MeetingOptIn, OutboxMessage, User
from storage.repositories import polls
from storage.repositories.communities import read_seed, seed_communities
from storage.types import utcnow


async def _run(kind: str, recipients: int, rounds: int) -> list[float]:
    with tempfile.TemporaryDirectory() as workdir:
        async with bench_database(kind, Path(workdir)) as url:
            engine = create_engine(url)
            await upgrade_to_head(engine)
            sessions = session_factory(engine)
            translators = load_translators()
            async with sessions() as session, session.begin():
                await seed_communities(session, read_seed())
                community = await session.scalar(select(Community.id).order_by(Community.id))
                now = utcnow()
                rows = [
                    {
                        "telegram_id": 10_000_000 + n,
                        "language": "ru" if n % 3 == 0 else "uk",
                        "community_id": community,
                        "is_reachable": True,
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for n in range(recipients)
                ]
                for start in range(0, len(rows), 1000):
                    await session.execute(insert(User), rows[start : start + 1000])
                ids = list(await session.scalars(select(User.id)))
                opted = [{"user_id": user_id, "at": now} for user_id in ids]
                for start in range(0, len(opted), 1000):  # a community poll's audience
                    await session.execute(insert(MeetingOptIn), opted[start : start + 1000])
            assert community is not None
            timings = []
            for _round in range(rounds):
                started = time.perf_counter()
                async with sessions() as session, session.begin():
                    poll = await polls.create_poll(
                        session,
                        community_id=community,
                        creator_id=None,
                        question_uk="Які теми зараз для вас найважливіші?",
                        question_ru="Какие темы сейчас для вас важнее всего?",
                        options=[("Так", "Да"), ("Ні", "Нет")],
                        multiple=False,
                        audience="community",
                        closes_at=utcnow() + timedelta(days=2),
                        results_live=False,
                        min_votes=5,
                    )
                    sent = await publish(session, poll, translators, "Europe/Kyiv")
                timings.append((time.perf_counter() - started) * 1000)
                assert sent == recipients, sent
            async with sessions() as session:
                queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
            assert queued == recipients * rounds, queued
            await engine.dispose()
            return timings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.polls", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    timings = asyncio.run(_run(args.database, args.recipients, args.rounds))
    rounds = ", ".join(f"{t:.0f}" for t in timings)
    print(
        f"publish to {args.recipients} recipients ({args.database}): "
        f"median {statistics.median(timings):.0f} ms (rounds: {rounds} ms)"
    )


if __name__ == "__main__":
    main()
