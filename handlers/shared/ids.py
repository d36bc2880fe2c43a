"""Reading ids and numbers out of button data and command payloads (never trusted)."""

from __future__ import annotations

MAX_DIGITS = 9  # fits every id column; longer is forged


def parse_id(text: str) -> int | None:
    """An id written as ASCII digits ("42"), or None for anything else ("٤٢", "-1", "")."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS:
        return int(text)
    return None


def parse_button(arg: str) -> tuple[str, int | None, str]:
    """`claim:42` or `rcat:42:police` -> ("claim", 42, "") / ("rcat", 42, "police")."""
    action, _, rest = arg.partition(":")
    number, _, tail = rest.partition(":")
    return action, parse_id(number), tail
