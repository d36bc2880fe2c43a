"""`python -m bot forget --telegram-id N | --reapply`, and the privacy policy the settings
describe (retention periods, the erasure key) for the bot and the CLI."""

from __future__ import annotations

import argparse
import logging
from datetime import timedelta
from pathlib import Path

from bot.settings import Settings
from bot.startup import open_database
from storage.engine import session_factory
from storage.privacy import erase
from storage.privacy.policy import PrivacyPolicy, Retention

log = logging.getLogger(__name__)

NO_KEY = (
    "ERASURE_HMAC_KEY is not set: erased people cannot be erased again after a database "
    "restore (see .env.example)"
)


def policy_from(settings: Settings) -> PrivacyPolicy:
    key = settings.erasure_hmac_key.get_secret_value() if settings.erasure_hmac_key else ""
    return PrivacyPolicy(
        retention=Retention(
            closed_request_text=timedelta(days=settings.closed_request_text_retention_days),
            idle_conversation=timedelta(hours=settings.conversation_idle_retention_hours),
            processed_updates=timedelta(days=settings.processed_updates_retention_days),
            outbox=timedelta(days=settings.outbox_retention_days),
            poll_vote_links=timedelta(days=settings.poll_vote_link_retention_days),
            clear_chat_ids=timedelta(hours=settings.clear_chat_retention_hours),
        ),
        erasure_key=key.strip().encode() or None,
        ledger_file=Path(settings.erasure_ledger_file) if settings.erasure_ledger_file else None,
    )


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    forget = sub.add_parser(
        "forget", help="erase a person (as /forget does), or erase again after a restore"
    )
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("--telegram-id", type=int, help="the person's Telegram id")
    which.add_argument(
        "--reapply",
        action="store_true",
        help="erase again everyone erased before (after restoring a backup)",
    )


async def forget(settings: Settings, args: argparse.Namespace) -> tuple[int, list[str]]:
    """(exit code, lines to print); no line names a person."""
    policy = policy_from(settings)
    if args.reapply and policy.erasure_key is None:
        return 1, [f"error: {NO_KEY}"]
    async with (
        open_database(settings) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        if args.reapply:
            erased, staff = await erase.reapply(session, policy)
            lines = [f"erased again: {erased}"]
            if staff:
                lines.append(f"not erased, active staff role (revoke it first): {staff}")
            return (1 if staff else 0), lines
        result = await erase.erase_telegram_id(session, args.telegram_id, policy)
    if result.outcome is erase.Outcome.STAFF:
        return 1, ["error: this person has an active staff role; `staff revoke` it first"]
    lines = [
        "erased" if result.outcome is erase.Outcome.ERASED else "no such person in the database"
    ]
    if result.recorded:
        lines.append("kept a keyed hash, so `forget --reapply` erases them after a restore")
    elif policy.erasure_key is None:
        lines.append(f"warning: {NO_KEY}")
    return 0, lines
