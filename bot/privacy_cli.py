"""The privacy policy the settings describe (retention periods, the erasure key), for the
bot and the CLI."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from bot.settings import Settings
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
