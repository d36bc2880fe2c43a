"""Telegram's error texts, made fit to write down (a log line, the outbox's `last_error`).

Telegram sometimes echoes what was sent in its error description (`can't parse entities:
Unsupported start tag "..."`), and what was sent can be a resident's typed text or shared
name. `scrub_error` keeps the part that says what went wrong and drops what could be theirs:
quoted fragments (also one left open at the end) and any run of non-ASCII text (Telegram's
own descriptions are English; residents write Ukrainian and Russian).

**Decision:** it lives in `storage/` because that is the lowest layer that both the outbox
(`storage/repositories/outbox.py`, `scheduler/outcomes.py`) and the handlers' replies
(`handlers/core/replies.py`) may import: handlers import storage and scheduler, storage
imports neither, so one function here serves all without an arrow pointing up.
"""

from __future__ import annotations

import re

MAX_LENGTH = 300
GONE = "…"

# "…" or an opening " to the end; '…' unless the quote is an apostrophe inside a word
# ("can't" is not a quotation), also an opening ' to the end.
_QUOTED = re.compile(
    r"\"[^\"]*(?:\"|$)"
    r"|(?<![A-Za-z])'.*?(?:'(?![A-Za-z])|$)"
    r"|[«“„‘][^»”“’]*(?:[»”“’]|$)"
)
_NOT_ASCII = re.compile(r"[^\x00-\x7f…](?:[^\x00-\x7f…]|\s)*")  # "…" marks a cut: kept
_SPACES = re.compile(r"\s+")


def scrub_error(error: str, limit: int = MAX_LENGTH) -> str:
    """`error` without quoted fragments or non-ASCII text, on one line, at most `limit`
    characters ("error" if nothing is left)."""
    cleaned = _QUOTED.sub(f"'{GONE}'", error)
    cleaned = _NOT_ASCII.sub(f"{GONE} ", cleaned)
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned[:limit] or "error"
