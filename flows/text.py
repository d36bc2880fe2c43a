"""Checks shared by the flows that take one free text (a reply, a staff answer)."""

from __future__ import annotations


def text_problem(text: str, limit: int) -> str | None:
    """None for a usable text; "empty" or "too_long" (counted after outer whitespace)."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    if len(stripped) > limit:
        return "too_long"
    return None
