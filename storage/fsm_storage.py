"""The SQL storage for conversation state (table `conversation_state`).

It satisfies `flows.fsm.BaseStorage` structurally (`isinstance` included: that protocol is
runtime-checkable) and works inside the update's own session, so a state change commits
or rolls back together with everything else the update did. The key is anything with
aiogram's StorageKey fields; every field is part of the primary key.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState
from storage.types import utcnow


class NotAMappingError(TypeError):
    """`set_data` got something that is not a mapping.

    `flows.fsm.DataNotDictLikeError` is aiogram's name for this; storage cannot import
    `flows`, so `FSMContext.set_data` raises that one before reaching here.
    """


class KeyLike(Protocol):
    @property
    def bot_id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def user_id(self) -> int: ...
    @property
    def thread_id(self) -> int | None: ...
    @property
    def business_connection_id(self) -> str | None: ...
    @property
    def destiny(self) -> str: ...


class StateLike(Protocol):
    @property
    def state(self) -> str | None: ...


PrimaryKey = tuple[int, int, int, int, str, str]


def _pk(key: KeyLike) -> PrimaryKey:
    """The row's key; None is stored as 0 / "" (primary key columns cannot be NULL)."""
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


class SqlFsmStorage:
    """aiogram's storage contract over `conversation_state`, bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Rows already looked up in this session (None: known to be absent), so that the
        # several reads and writes of one update cost one SELECT.
        self._rows: dict[PrimaryKey, ConversationState | None] = {}

    async def _row(self, key: KeyLike, *, create: bool) -> ConversationState | None:
        pk = _pk(key)
        bot_id, chat_id, user_id, thread_id, business_connection_id, destiny = pk
        columns = {
            "bot_id": bot_id,
            "chat_id": chat_id,
            "user_id": user_id,
            "thread_id": thread_id,
            "business_connection_id": business_connection_id,
            "destiny": destiny,
        }
        if pk in self._rows:
            row = self._rows[pk]
        else:
            row = self._rows[pk] = await self.session.get(ConversationState, columns)
        if row is None and create:
            row = ConversationState(**columns, state=None, data={})
            self.session.add(row)
            self._rows[pk] = row
        return row

    async def set_state(self, key: KeyLike, state: StateLike | str | None = None) -> None:
        name = state if state is None or isinstance(state, str) else state.state
        row = await self._row(key, create=True)
        assert row is not None
        row.state = name
        row.updated_at = utcnow()  # written at the next flush or the commit

    async def get_state(self, key: KeyLike) -> str | None:
        row = await self._row(key, create=False)
        return row.state if row else None

    async def set_data(self, key: KeyLike, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise NotAMappingError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        row = await self._row(key, create=True)
        assert row is not None
        row.data = copy.deepcopy(dict(data))  # a new object, so the JSON column is written
        row.updated_at = utcnow()

    async def get_data(self, key: KeyLike) -> dict[str, Any]:
        row = await self._row(key, create=False)
        return copy.deepcopy(row.data) if row and row.data else {}

    async def get_value(
        self, storage_key: KeyLike, dict_key: str, default: Any | None = None
    ) -> Any | None:
        return copy.deepcopy((await self.get_data(storage_key)).get(dict_key, default))

    async def update_data(self, key: KeyLike, data: Mapping[str, Any]) -> dict[str, Any]:
        current = await self.get_data(key)
        current.update(data)
        await self.set_data(key, current)
        return current.copy()

    async def close(self) -> None:
        """The session belongs to the update; nothing to close here."""
