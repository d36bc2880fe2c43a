"""The SQL storage for conversation state (table `conversation_state`).

It satisfies `flows.fsm.BaseStorage` structurally (`isinstance` included: that protocol is
runtime-checkable) and works inside the update's own session, so a state change commits
or rolls back together with everything else the update did. The key is anything with
aiogram's StorageKey fields; every field is part of the primary key.

SQLAlchemy Core, not the ORM's unit of work (issue 11): the rows of a session are cached in
`session.info` (`users.touch_user` preloads a person's rows with the bot in the same
statement that loads the person, `preload_conversations`), so reads within an update cost
no statement; writes are kept there too and written once per row, as one upsert, when the
transaction commits (the session's `before_commit`, also at a savepoint's release), or
earlier, before another statement of the same session reads `conversation_state` (as the
ORM's autoflush would). A statement that may change the table (any INSERT/UPDATE/DELETE on
it, any textual SQL) also makes the cache forget. A rollback forgets everything; a
savepoint's rollback returns to what was known and pending when it began (polls and the
outbox use savepoints inside an update's transaction); the root transaction's commit
forgets everything too (the session may go on in a new transaction).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from sqlalchemy import Delete, Insert, Table, TableClause, TextClause, Update, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import visitors

from storage.models import ConversationState
from storage.types import utcnow

TABLE = cast(Table, ConversationState.__table__)
COLUMNS = ("bot_id", "chat_id", "user_id", "thread_id", "business_connection_id", "destiny")
# Marks this module's own statements (the hook below lets them through).
OWN = {"hromada_fsm": True}
_INFO = "hromada_fsm"


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


@dataclass
class _Row:
    state: str | None
    data: dict[str, Any]


@dataclass
class _Cache:
    """One session's conversation rows: known ones (None: known absent), rows to write, the
    (bot, chat, user) triples whose every row is known (loaded by `preload_conversations`),
    and a copy of all that taken when each open savepoint began (restored if it rolls back)."""

    rows: dict[PrimaryKey, _Row | None] = field(default_factory=dict)
    dirty: set[PrimaryKey] = field(default_factory=set)
    complete: set[tuple[int, int, int]] = field(default_factory=set)
    savepoints: dict[int, _Cache] = field(default_factory=dict)

    def copy(self) -> _Cache:
        rows = {
            pk: None if row is None else _Row(row.state, row.data) for pk, row in self.rows.items()
        }
        return _Cache(rows, set(self.dirty), set(self.complete))


def _cache(session: Session) -> _Cache:
    cache = session.info.get(_INFO)
    if cache is None:
        cache = session.info[_INFO] = _Cache()
    assert isinstance(cache, _Cache)
    return cache


def preload_conversations(
    session: AsyncSession | Session, bot_id: int, chat_id: int, user_id: int, rows: Iterable[Any]
) -> None:
    """Every `conversation_state` row of (`bot_id`, `chat_id`, `user_id`) is in `rows` (any
    thread, destiny; rows with the key columns, `state` and `data`): later reads of them
    need no statement."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    cache = _cache(sync)
    for row in rows:
        pk = cast(PrimaryKey, tuple(getattr(row, name) for name in COLUMNS))
        if pk not in cache.rows:
            cache.rows[pk] = _Row(row.state, row.data or {})
    cache.complete.add((bot_id, chat_id, user_id))


def _build_upsert(dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TABLE)
    return statement.on_conflict_do_update(
        index_elements=list(COLUMNS),
        set_={
            "state": statement.excluded.state,
            "data": statement.excluded.data,
            "updated_at": statement.excluded.updated_at,
        },
    )


# One statement per dialect, its rows as parameters: compiled once (values written into the
# statement itself made SQLAlchemy compile it again at every commit, about 5 % of the CPU).
_UPSERTS = {dialect: _build_upsert(dialect) for dialect in ("postgresql", "sqlite")}


def _write_pending(session: Session) -> None:
    """The rows changed since the last write, in one statement (sync: runs inside the
    session's own greenlet, from its events)."""
    cache = session.info.get(_INFO)
    if not isinstance(cache, _Cache) or not cache.dirty:
        return
    now = utcnow()
    values = []
    for pk in sorted(cache.dirty):
        row = cache.rows[pk]
        assert row is not None
        values.append(
            {**dict(zip(COLUMNS, pk, strict=True)), "state": row.state, "data": row.data}
            | {"updated_at": now}
        )
    cache.dirty.clear()
    statement = _UPSERTS[session.get_bind().dialect.name]
    session.execute(statement, values[0] if len(values) == 1 else values, execution_options=OWN)


def _reads_conversations(statement: Any) -> bool:
    """A full walk of the statement (joins, subqueries); tens of microseconds, so it is done
    only while something is waiting to be written."""
    return any(_is_ours(element) for element in visitors.iterate(statement))


def _is_ours(element: Any) -> bool:
    """The table, also as the ORM's annotated copy of it."""
    return isinstance(element, TableClause) and element.name == TABLE.name


def _forget(session: Session, cache: _Cache) -> None:
    """Nothing is known any more (the copies of open savepoints stay: a rollback to one
    still goes back to what was known and pending then)."""
    session.info[_INFO] = _Cache(savepoints=cache.savepoints)


@event.listens_for(Session, "do_orm_execute")
def _before_other_statements(state: ORMExecuteState) -> None:
    """Another statement in this session: one that may read `conversation_state` gets our
    pending writes first (as the ORM's autoflush would); one that may change it also makes
    the cache forget (it is no longer the truth). The table has no foreign keys or
    triggers, so only a statement on it can change it."""
    cache = state.session.info.get(_INFO)
    if not isinstance(cache, _Cache) or state.execution_options.get("hromada_fsm"):
        return
    statement = state.statement
    if isinstance(statement, Insert | Update | Delete):
        if _is_ours(statement.table) or _reads_conversations(statement):
            _write_pending(state.session)
            _forget(state.session, cache)
        return
    if isinstance(statement, TextClause):  # unknown SQL: it may do either
        _write_pending(state.session)
        _forget(state.session, cache)
        return
    if cache.dirty and _reads_conversations(statement):
        _write_pending(state.session)


@event.listens_for(Session, "after_transaction_create")
def _savepoint_begins(session: Session, transaction: SessionTransaction) -> None:
    cache = session.info.get(_INFO)
    if transaction.nested and isinstance(cache, _Cache):
        cache.savepoints[id(transaction)] = cache.copy()


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """The root transaction's commit, and also a savepoint's release."""
    _write_pending(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """A savepoint released: its copy is no longer needed. The root transaction committed:
    forget everything, as a rollback does: a session that goes on after a commit (a
    commit in the middle of an update) starts a new transaction, in which others' commits
    made meanwhile are visible, so the cached rows are no longer the truth."""
    cache = session.info.get(_INFO)
    if isinstance(cache, _Cache):
        nested = session.get_nested_transaction()  # the savepoint just released, if any
        if nested is None:
            session.info.pop(_INFO, None)
        else:
            cache.savepoints.pop(id(nested), None)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """The database rolled back, to a savepoint or the whole transaction (this also comes
    when a failed flush rolls back for a savepoint's release). A savepoint: back to what was
    known and pending when it began (what was written inside it is undone); otherwise forget
    everything."""
    cache = session.info.get(_INFO)
    nested = session.get_nested_transaction()
    before = None
    if nested is not None and isinstance(cache, _Cache):
        before = cache.savepoints.pop(id(nested), None)
    if before is None:  # the whole transaction, or a savepoint older than the cache
        session.info.pop(_INFO, None)
        return
    assert isinstance(cache, _Cache)
    before.savepoints = cache.savepoints
    session.info[_INFO] = before


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction is over: forget
        session.info.pop(_INFO, None)


class SqlFsmStorage:
    """aiogram's storage contract over `conversation_state`, bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _row(self, key: KeyLike, *, create: bool) -> _Row | None:
        pk = _pk(key)
        cache = _cache(self.session.sync_session)
        if pk in cache.rows:
            row = cache.rows[pk]
        elif pk[:3] in cache.complete:
            row = cache.rows[pk] = None
        else:
            where = [TABLE.c[name] == value for name, value in zip(COLUMNS, pk, strict=True)]
            found = (
                await self.session.execute(
                    select(TABLE.c.state, TABLE.c.data).where(*where), execution_options=OWN
                )
            ).first()
            cache = _cache(self.session.sync_session)  # (a commit may have replaced it)
            row = cache.rows[pk] = _Row(found.state, found.data or {}) if found else None
        if row is None and create:
            row = cache.rows[pk] = _Row(None, {})
        return row

    def _changed(self, key: KeyLike) -> None:
        _cache(self.session.sync_session).dirty.add(_pk(key))

    async def set_state(self, key: KeyLike, state: StateLike | str | None = None) -> None:
        name = state if state is None or isinstance(state, str) else state.state
        row = await self._row(key, create=True)
        assert row is not None
        row.state = name
        self._changed(key)

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
        row.data = copy.deepcopy(dict(data))
        self._changed(key)

    async def get_data(self, key: KeyLike) -> dict[str, Any]:
        row = await self._row(key, create=False)
        return copy.deepcopy(row.data) if row and row.data else {}

    async def get_value(
        self, storage_key: KeyLike, dict_key: str, default: Any | None = None
    ) -> Any | None:
        row = await self._row(storage_key, create=False)
        value = row.data.get(dict_key, default) if row and row.data else default
        return copy.deepcopy(value)

    async def update_data(self, key: KeyLike, data: Mapping[str, Any]) -> dict[str, Any]:
        current = await self.get_data(key)
        current.update(data)
        await self.set_data(key, current)
        return current.copy()

    async def close(self) -> None:
        """The session belongs to the update; nothing to close here."""
