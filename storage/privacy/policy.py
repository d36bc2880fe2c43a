"""The retention periods and the erasure key, as the settings give them."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept (`.env.example` has the defaults)."""

    closed_request_text: timedelta = timedelta(days=180)
    idle_conversation: timedelta = timedelta(hours=24)
    processed_updates: timedelta = timedelta(days=7)
    outbox: timedelta = timedelta(days=30)
    poll_vote_links: timedelta = timedelta(days=180)
    clear_chat_ids: timedelta = timedelta(hours=48)


@dataclass(frozen=True)
class PrivacyPolicy:
    retention: Retention = field(default_factory=Retention)
    # The HMAC key of the erasure ledger; None: people are erased, nothing is kept.
    erasure_key: bytes | None = None
    # The ledger's copy outside the database (one "hash<TAB>time" line per erasure): a
    # restored backup older than an erasure has lost the `erasures` row, not this file.
    ledger_file: Path | None = None

    def id_hash(self, telegram_id: int) -> str | None:
        """The keyed hash kept of an erased Telegram id (None without a key)."""
        if not self.erasure_key:
            return None
        return hmac.new(self.erasure_key, str(telegram_id).encode(), hashlib.sha256).hexdigest()
