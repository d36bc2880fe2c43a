"""/forget and `python -m bot forget`: erase a person, keep a keyed hash of their Telegram
id (`erasures`), and after a restore erase again whoever that ledger names (`reapply`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Erasure, StaffRole, User
from storage.privacy.policy import PrivacyPolicy
from storage.privacy.registry import Person
from storage.privacy.sections import SECTIONS
from storage.types import utcnow


class Outcome(StrEnum):
    ERASED = "erased"
    UNKNOWN = "unknown"  # no such person (already erased, or never wrote)
    STAFF = "staff"  # holds an active staff role: revoke it first


@dataclass(frozen=True)
class Erased:
    outcome: Outcome
    recorded: bool = False  # a keyed hash was kept for `reapply`


async def has_active_role(session: AsyncSession, user_id: int) -> bool:
    found = await session.scalar(
        select(StaffRole.id).where(StaffRole.user_id == user_id, StaffRole.revoked_at.is_(None))
    )
    return found is not None


async def erase_user(session: AsyncSession, user: User, policy: PrivacyPolicy) -> Erased:
    """Erase `user` in the caller's transaction: every section, the profile last."""
    if await has_active_role(session, user.id):
        return Erased(Outcome.STAFF)
    person = Person(user.id, user.telegram_id, user.language or "uk")
    for section in reversed(SECTIONS):
        await section.erase(session, person)
    recorded = await _record(session, person.telegram_id, policy)
    await session.flush()
    return Erased(Outcome.ERASED, recorded=recorded)


async def _record(session: AsyncSession, telegram_id: int, policy: PrivacyPolicy) -> bool:
    """Keep the keyed hash in `erasures` and in the ledger file (written before the commit:
    should the erasure roll back, a later `reapply` erases a person who asked for it)."""
    digest = policy.id_hash(telegram_id)
    if digest is None:
        return False
    now = utcnow()
    if await session.get(Erasure, digest) is None:
        session.add(Erasure(id_hash=digest, erased_at=now))
    if policy.ledger_file is not None:
        append_line(policy.ledger_file, digest, now)
    return True


def append_line(path: Path, digest: str, at: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as ledger:
        ledger.write(f"{digest}\t{at.isoformat()}\n")


def read_ledger(path: Path | None) -> set[str]:
    """The hashes of a ledger file (missing file: none)."""
    if path is None or not path.exists():
        return set()
    lines = path.read_text(encoding="ascii").splitlines()
    return {line.split("\t", 1)[0] for line in lines if line.strip()}


async def erase_telegram_id(
    session: AsyncSession, telegram_id: int, policy: PrivacyPolicy
) -> Erased:
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:  # recorded anyway: a restored backup may still hold them
        return Erased(Outcome.UNKNOWN, recorded=await _record(session, telegram_id, policy))
    return await erase_user(session, user, policy)


async def reapply(session: AsyncSession, policy: PrivacyPolicy) -> tuple[int, int]:
    """Erase again everyone the ledger (the file and the table) names, after a database
    restore. Returns (erased, skipped staff). Needs the key the hashes were made with."""
    hashes = set((await session.execute(select(Erasure.id_hash))).scalars())
    hashes |= read_ledger(policy.ledger_file)
    if not hashes:
        return 0, 0
    users = (await session.execute(select(User).order_by(User.id))).scalars().all()
    erased = staff = 0
    for user in users:
        if policy.id_hash(user.telegram_id) in hashes:
            result = await erase_user(session, user, policy)
            erased += result.outcome is Outcome.ERASED
            staff += result.outcome is Outcome.STAFF
    return erased, staff
