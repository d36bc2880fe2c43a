"""The check shared by the steps that take one free text (a reply, a staff answer)."""

from __future__ import annotations

from enum import StrEnum


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def text_problem(text: str, limit: int) -> TextProblem | None:
    """None for a usable text; why not otherwise (its length counted after the outer
    whitespace is stripped)."""
    stripped = text.strip()
    if not stripped:
        return TextProblem.EMPTY
    if len(stripped) > limit:
        return TextProblem.TOO_LONG
    return None
