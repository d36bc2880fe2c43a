"""Errors of the FSM helpers, named as aiogram's (`aiogram.exceptions`)."""

from __future__ import annotations

from collections.abc import Mapping


class DataNotDictLikeError(TypeError):
    """`set_data` was given something that is not a mapping (aiogram raises the same)."""


def check_dict_like(data: object) -> None:
    """Raise DataNotDictLikeError unless `data` is a mapping (a dict, a TypedDict, ...)."""
    if not isinstance(data, Mapping):
        raise DataNotDictLikeError(
            f"Data must be a dict or dict-like object, got {type(data).__name__}"
        )
