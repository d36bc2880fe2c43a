"""`python -m bot doctor`: is this deployment healthy? One line per check, exit 1 on any
problem (each problem one line that says what to do).

Checks, in order (a check that needs an earlier one is skipped when that one failed):
settings (the token and, in webhook mode, the secret), the erasure key and its ledger
file, the database reachable, its schema at the newest revision, communities seeded (a
resident cannot finish onboarding without one), the token valid (getMe),
the webhook as Telegram has it, the outbox backlog (due rows waiting longer than
`BACKLOG_AGE`), dead outbox rows, notifications that reached nobody over the last
`SKIPPED_WINDOW`, and erasures the database has but the ledger file lacks.

**Decision:** a missing `ERASURE_HMAC_KEY` is a problem (exit 1), not a warning. The bot
runs without it and still erases people, but an erasure made meanwhile is recorded nowhere,
so restoring a backup taken before it brings that person back and `forget --reapply`
cannot find them: a loss that cannot be repaired later, for exactly the residents who asked
to be forgotten. A deployment with it unset is not healthy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot.app import ALLOWED_UPDATES
from bot.privacy_cli import policy_from
from bot.settings import Settings, SettingsError, require_token, require_webhook
from bot.startup import explain_telegram, safe_database_url
from storage.engine import create_engine
from storage.migrate import current_revision, head_revision
from storage.models import Community, Erasure, OutboxMessage, SkippedNotice
from storage.privacy.erase import read_ledger
from storage.scrub import scrub_error
from storage.types import utcnow

BACKLOG_AGE = timedelta(minutes=5)
SKIPPED_WINDOW = timedelta(days=7)
PENDING_UPDATES_LIMIT = 100
RECENT_ERROR = timedelta(hours=1)  # an older delivery error is history, not a problem


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: int = 0

    def ok(self, what: str) -> None:
        self.lines.append(f"ok      {what}")

    def problem(self, what: str) -> None:
        self.problems += 1
        self.lines.append(f"PROBLEM {what}")


async def diagnose(settings: Settings, *, webhook: bool | None = None) -> Report:
    """Every check; `webhook` (default: whether WEBHOOK_URL is set) says which mode to expect."""
    report = Report()
    expect_webhook = bool(settings.webhook_url) if webhook is None else webhook
    token_ok = _check_settings(settings, report, expect_webhook)
    erasures_ok = _check_erasure_key(settings, report)
    engine = create_engine(settings.database_url)
    try:
        if await _check_database(settings, engine, report):
            schema_ok = await _check_schema(engine, report)
            if schema_ok:
                await _check_communities(engine, report)
            await _check_outbox(engine, report)
            if erasures_ok and schema_ok:
                await _check_ledger(settings, engine, report)
    finally:
        await engine.dispose()
    if token_ok:
        await _check_telegram(settings, report, expect_webhook)
    return report


def _check_settings(settings: Settings, report: Report, webhook: bool) -> bool:
    token_ok = _passes(report, lambda: require_token(settings))
    if webhook:
        _passes(report, lambda: require_webhook(settings))
    if token_ok:
        mode = "webhook" if webhook else "polling"
        report.ok(f"settings ({mode}, DATABASE_URL={safe_database_url(settings.database_url)})")
    return token_ok


def _check_erasure_key(settings: Settings, report: Report) -> bool:
    """The key /forget records erasures with, and the ledger file they are appended to."""
    policy = policy_from(settings)
    if policy.erasure_key is None:
        report.problem(
            "ERASURE_HMAC_KEY is not set: people erased now are not recorded, so restoring a "
            "backup brings them back and `forget --reapply` cannot erase them again; set it "
            "(see .env.example) and keep it outside the database backups"
        )
        return False
    path = policy.ledger_file
    if path is None:
        report.ok("erasure key set (no ledger file: a restore older than an erasure loses it)")
        return True
    if not _writable(path):
        report.problem(
            f"ERASURE_LEDGER_FILE={path} cannot be written by this user: /forget would fail"
        )
        return False
    report.ok(f"erasure key set, ledger file {path}")
    return True


def _writable(path: Path) -> bool:
    """Whether `erase.append_line` can append to `path` (creating its folders if need be)."""
    if path.exists():
        return path.is_file() and os.access(path, os.W_OK)
    folder = next(p for p in path.absolute().parents if p.exists())
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


async def _check_ledger(settings: Settings, engine: AsyncEngine, report: Report) -> None:
    """Every erasure the database holds is in the ledger file too (else a restore loses it:
    a wrong ERASURE_LEDGER_FILE, or a file lost or replaced)."""
    policy = policy_from(settings)
    if policy.ledger_file is None:
        return
    try:
        async with engine.connect() as conn:
            kept = set((await conn.execute(select(Erasure.id_hash))).scalars())
    except Exception as exc:  # an old schema lacks the table: the schema check says why
        report.problem(f"erasures not readable ({type(exc).__name__})")
        return
    missing = len(kept - read_ledger(policy.ledger_file))
    if missing:
        report.problem(
            f"{missing} erasures in the database are not in ERASURE_LEDGER_FILE="
            f"{policy.ledger_file}: is it the file used before? (restore it from its backup)"
        )


def _passes(report: Report, check: Callable[[], object]) -> bool:
    try:
        check()
    except SettingsError as exc:
        report.problem(str(exc))
        return False
    return True


async def _check_database(settings: Settings, engine: AsyncEngine, report: Report) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        report.problem(
            f"database unreachable (DATABASE_URL={safe_database_url(settings.database_url)}): "
            f"{(first[0] if first else type(exc).__name__)[:200]}"
        )
        return False
    report.ok("database reachable")
    return True


async def _check_schema(engine: AsyncEngine, report: Report) -> bool:
    current, head = await current_revision(engine), head_revision()
    if current == head:
        report.ok(f"schema current ({head})")
        return True
    report.problem(
        f"schema at {current or 'nothing'}, the code needs {head}: run `python -m bot migrate`"
    )
    return False


async def _check_communities(engine: AsyncEngine, report: Report) -> None:
    async with engine.connect() as conn:
        active = await conn.scalar(
            select(func.count()).select_from(Community).where(Community.is_active.is_(True))
        )
    if active:
        report.ok(f"{active} communities")
    else:
        report.problem("no communities: residents cannot finish /start; run `python -m bot seed`")


async def _check_outbox(engine: AsyncEngine, report: Report) -> None:
    now = utcnow()
    try:
        async with engine.connect() as conn:
            overdue = await conn.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.status == "pending", OutboxMessage.not_before < now - BACKLOG_AGE
                )
            )
            dead = await conn.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "dead")
            )
            skipped = await conn.scalar(
                select(func.count())
                .select_from(SkippedNotice)
                .where(SkippedNotice.at >= now - SKIPPED_WINDOW)
            )
    except Exception as exc:  # an old schema lacks a table: the schema check says why
        report.problem(f"outbox not readable ({type(exc).__name__})")
        return
    minutes = int(BACKLOG_AGE.total_seconds() // 60)
    if overdue:
        report.problem(
            f"outbox backlog: {overdue} notifications due for more than {minutes} minutes "
            "(is a bot process running? on PostgreSQL one of them dispatches)"
        )
    else:
        report.ok(f"outbox backlog: nothing due for more than {minutes} minutes")
    if dead:
        report.problem(
            f"{dead} dead outbox messages: `python -m bot outbox dead`, then `outbox retry ID`"
        )
    else:
        report.ok("no dead outbox messages")
    days = SKIPPED_WINDOW.days
    if skipped:
        report.problem(
            f"{skipped} notifications reached nobody in the last {days} days (no moderator, "
            "provider or staff chat, or the person blocked the bot): `python -m bot outbox skipped`"
        )
    else:
        report.ok(f"every notification of the last {days} days had a recipient")


async def _check_telegram(settings: Settings, report: Report, webhook: bool) -> None:
    bot = Bot(
        require_token(settings),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
    )
    try:
        async with bot:
            report.ok(f"token valid: the bot is @{bot.username}")
            info = await bot.get_webhook_info()
    except Exception as exc:
        explained = explain_telegram(exc, settings)
        report.problem(str(explained) if explained else f"Telegram: {type(exc).__name__}")
        return
    if not webhook:
        if info.url:
            report.problem(
                "a webhook is set but WEBHOOK_URL is not: polling gets 409 Conflict; run "
                "`python -m bot webhook delete` (or set WEBHOOK_URL for webhook mode)"
            )
        else:
            report.ok("no webhook set (polling)")
        return
    before = report.problems
    if info.url != settings.webhook_url:
        report.problem("Telegram does not post to WEBHOOK_URL: run `python -m bot webhook set`")
        return
    if set(info.allowed_updates or ()) != set(ALLOWED_UPDATES):
        report.problem("the webhook's allowed updates differ: run `python -m bot webhook set`")
    if info.last_error_date is not None and utcnow() - info.last_error_date < RECENT_ERROR:
        message = scrub_error(info.last_error_message or "", 200)
        report.problem(
            f"Telegram's last delivery to the webhook failed at "
            f"{info.last_error_date:%Y-%m-%d %H:%M}Z: {message} (check nginx and the workers)"
        )
    if info.pending_update_count > PENDING_UPDATES_LIMIT:
        report.problem(
            f"{info.pending_update_count} updates wait at Telegram: are the workers running?"
        )
    if report.problems == before:
        report.ok(f"webhook set, {info.pending_update_count} updates waiting")
