"""A local Telegram Bot API server for tests: real HTTP, checked against the official spec.

Point python-telegram-bot at it with ``Bot(token, base_url=server.base_url,
base_file_url=server.base_file_url)``; it answers ``POST /bot<token>/<method>`` like Telegram.
Every call is recorded in :attr:`BotApiServer.calls` and checked with
:func:`bot.botapi.spec.validate_call`; a call Telegram would reject is answered
``400 Bad Request: <reason>`` (``404 Not Found`` for unknown methods) and each reason is added
to :attr:`BotApiServer.violations` as ``"<method>: <reason>"``.  Refusals a correct bot can
meet (message to edit not found, message is not modified, blocked user...) are not violations;
they are listed in :attr:`BotApiServer.errors_returned`.

People are created with :meth:`BotApiServer.user` and :meth:`BotApiServer.group` (see
:mod:`bot.botapi.people` and :mod:`bot.botapi.groups`); :meth:`BotApiServer.fail_next`
injects errors, delays and connection resets.  :attr:`BotApiServer.clock` (a
:class:`~bot.botapi.clock.ServerClock`, injectable with ``clock=``) dates every message and
decides the 48-hour deletion window; tests move it with ``server.clock.advance(seconds)``.
An error answer carries ``parameters`` (``retry_after``, ``migrate_to_chat_id``) as Telegram's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Literal, NamedTuple

from aiohttp import web

from .clock import ServerClock
from .faults import ConnectionReset, Fault, FaultPlan, InjectedError
from .groups import FakeGroup
from .members import administrator, simple_member
from .methods import METHODS
from .people import FakeUser
from .spec import canonical_method, validate_call
from .state import ApiError, ApiState, ChatState
from .webhook_push import WebhookPusher
from .wire import answer, read_params

__all__ = ["TEST_TOKEN", "BotApiServer", "Call"]

JSON = dict[str, Any]
TEST_TOKEN = "123456:TEST-TOKEN"


class Call(NamedTuple):
    """One request the bot made: the official method name and its decoded parameters."""

    method: str
    params: JSON


class BotApiServer:
    """The fake Telegram for one bot token; start it with ``async with`` or :meth:`start`."""

    def __init__(
        self,
        token: str,
        *,
        bot_id: int = 7000001,
        bot_username: str = "hromada_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.token = token
        self.host = host
        self.state = ApiState(bot_id, bot_username, clock=clock)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.errors_returned: list[str] = []
        self.users: dict[int, FakeUser] = {}
        self.groups: dict[int, FakeGroup] = {}
        self._completed: list[Call] = []
        self._faults = FaultPlan()
        self.webhook = WebhookPusher(self.state)
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._user_ids = itertools.count(100001)
        self._group_ids = itertools.count(1001000000001)
        self._basic_group_ids = itertools.count(4000000001)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._on_request)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self._requested_port).start()
        self._port = int(self._runner.addresses[0][1])
        self.webhook.start()

    async def stop(self) -> None:
        """Answer pending long polls and delayed calls, then close the listener."""
        self.state.closing = True
        self._stopping.set()
        self.state.feed.bump()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotApiServer is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``Bot(base_url=...)``: ``http://127.0.0.1:PORT/bot``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``Bot(base_file_url=...)``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's User JSON."""
        return dict(self.state.bot_user)

    @property
    def clock(self) -> ServerClock:
        """The server's clock (``advance``, ``set``, ``follow``); see :mod:`.clock`."""
        return self.state.clock

    @property
    def callback_answers(self) -> dict[str, JSON]:
        """Callback query id -> the parameters of its answerCallbackQuery."""
        return self.state.callback_answers

    # -- people ---------------------------------------------------------------------------
    def user(
        self,
        user_id: int | None = None,
        *,
        first_name: str = "Олена",
        language_code: str | None = "uk",
        username: str | None = None,
        last_name: str | None = None,
        started: bool = True,
    ) -> FakeUser:
        """A person with a private chat (id = user id).  ``started=False``: the bot may not
        write first (403) until the person writes."""
        uid = next(self._user_ids) if user_id is None else user_id
        if uid in self.state.chats:
            raise ValueError(f"chat {uid} already exists")
        user: JSON = {"id": uid, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({k: v for k, v in optional.items() if v is not None})
        info = {"id": uid, "type": "private", "first_name": first_name}
        info.update({k: v for k, v in optional.items() if v is not None and k != "language_code"})
        chat = self.state.add_chat(info)
        chat.started = started
        self.state.users[uid] = user
        self.users[uid] = FakeUser(self, user, chat)
        return self.users[uid]

    def group(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        kind: Literal["group", "supergroup"] = "supergroup",
        members: Iterable[FakeUser] = (),
        owner: FakeUser | None = None,
        with_bot: bool = True,
        bot_rights: Mapping[str, bool] | None = None,
    ) -> FakeGroup:
        """A group chat, set up silently (no updates: as it was before the test began).

        ``kind="supergroup"`` has an id ``-100...``, ``"group"`` (a basic group, which can
        :meth:`~FakeGroup.migrate_to_supergroup`) a shorter negative id.  ``owner`` (default:
        the first of ``members``) is its ``creator``; ``members`` are ``member``.  The bot is
        a member when ``with_bot``, an administrator with ``bot_rights`` when those are given
        (e.g. ``{"can_restrict_members": True}``).  See :mod:`bot.botapi.groups`.
        """
        if kind not in ("group", "supergroup"):
            raise ValueError(f"kind must be 'group' or 'supergroup', not {kind!r}")
        gid = self.new_group_id(kind) if chat_id is None else chat_id
        if gid in self.state.chats:
            raise ValueError(f"chat {gid} already exists")
        group = self.adopt_group(self.state.add_chat({"id": gid, "type": kind, "title": title}))
        people = list(members)
        owner = owner or (people[0] if people else None)
        if owner is not None:
            group.chat.members[owner.id] = simple_member(owner.user, "creator")
        for person in people:
            group.chat.members.setdefault(person.id, simple_member(person.user, "member"))
        bot = self.state.bot_user
        if bot_rights is not None:
            group.chat.members[self.state.bot_id] = administrator(bot, dict(bot_rights))
        elif with_bot:
            group.chat.members[self.state.bot_id] = simple_member(bot, "member")
        return group

    def new_group_id(self, kind: str) -> int:
        """A fresh chat id: ``-100...`` for a supergroup, ``-4...`` for a basic group."""
        counter = self._group_ids if kind == "supergroup" else self._basic_group_ids
        return -next(counter)

    def adopt_group(self, chat: ChatState) -> FakeGroup:
        """Wrap a group chat of the state as a :class:`FakeGroup` and list it in ``groups``."""
        self.groups[chat.chat_id] = FakeGroup(self, chat)
        return self.groups[chat.chat_id]

    # -- fault injection ------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        error_code: int | None = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
        delay: float | None = None,
        reset: bool = False,
    ) -> None:
        """Make the next ``times`` valid calls of ``method`` fail (without being applied).

        ``retry_after`` answers ``429`` with ``parameters.retry_after``; ``delay`` holds the
        answer that many seconds first (to make the client time out); ``error_code=None``
        with ``delay`` answers normally after the delay (the call IS applied).  ``reset``
        closes the connection without any answer (PTB raises NetworkError); with
        ``error_code=None`` the call IS applied first.  For ``403 user is deactivated``:
        ``fail_next(m, error_code=403, description="Forbidden: user is deactivated")``, or
        ``await user.deactivate()`` for every later send.
        """
        name = canonical_method(method) or method
        if retry_after is not None and error_code == 500:
            error_code = 429
        if retry_after is not None and description == "Internal Server Error":
            description = f"Too Many Requests: retry after {retry_after}"
        self._faults.add(name, Fault(error_code, description, retry_after, delay, times, reset))

    # -- inspection -----------------------------------------------------------------------
    def mark(self) -> int:
        """The current change counter; pass as ``since=`` to wait for later changes."""
        return self.state.feed.version

    def calls_of(self, method: str) -> list[JSON]:
        """Parameters of every call of ``method`` so far (any outcome), oldest first."""
        name = canonical_method(method) or method
        return [call.params for call in self.calls if call.method == name]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - an upper bound, as in asyncio.wait_for
        *,
        answered: bool = True,
    ) -> Call:
        """Wait for a call of ``method`` made after this call started and matching
        ``predicate(params)``.  By default waits until the server has answered it (so its
        effects are visible); ``answered=False`` returns as soon as it is received."""
        name = canonical_method(method) or method
        calls = self._completed if answered else self.calls
        start = len(calls)

        def check() -> Call | None:
            for call in calls[start:]:
                if call.method == name and (predicate is None or predicate(call.params)):
                    return call
            return None

        found = await self.state.feed.wait_until(check, timeout)
        if found is None:
            seen = [call.method for call in calls[start:]]
            raise AssertionError(f"no matching {name} call within {timeout}s; calls: {seen}")
        return found

    def unanswered_callbacks(self) -> list[JSON]:
        """Callback queries the bot never answered with answerCallbackQuery."""
        answered = self.state.callback_answers
        return [q for qid, q in self.state.callback_queries.items() if qid not in answered]

    def problems(self) -> list[str]:
        """Violations plus unanswered callback queries: what a test must end without."""
        unanswered = [
            f"callback query {q['id']} (data={q.get('data')!r}) was never answered"
            for q in self.unanswered_callbacks()
        ]
        return [*self.violations, *unanswered]

    @contextlib.contextmanager
    def expect_violation(self, substring: str) -> Iterator[None]:
        """Assert the block causes a violation containing ``substring``; forget those."""
        before = len(self.violations)
        yield
        new = self.violations[before:]
        matched = [v for v in new if substring in v]
        if not matched:
            raise AssertionError(f"no violation containing {substring!r}; new ones: {new}")
        self.violations[before:] = [v for v in new if v not in matched]

    # -- HTTP -----------------------------------------------------------------------------
    async def _on_request(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path.removeprefix("/file/bot"))
        if not path.startswith("/bot"):
            return answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, _, method_name = path.removeprefix("/bot").partition("/")
        if token != self.token:
            return answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = canonical_method(method_name) or method_name
        call = Call(method, await read_params(request, method))
        self.calls.append(call)
        self.state.feed.bump()
        result: Any = None
        try:
            result, reset = await self._execute(call)
        except ApiError as err:
            self._record(method, err)
            body: JSON = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters():
                body["parameters"] = err.parameters()
            return answer(err.code, body)
        except ConnectionReset:
            reset = True
        finally:
            self._completed.append(call)
            self.state.feed.bump()
        if reset and request.transport is not None:
            request.transport.abort()  # the client sees the connection closed, no answer
        return answer(200, {"ok": True, "result": result})

    async def _execute(self, call: Call) -> tuple[Any, bool]:
        """The call's result, and whether to close the connection instead of answering."""
        problems = validate_call(call.method, call.params)
        if problems:
            known = canonical_method(call.method) is not None
            prefix, code = ("Bad Request", 400) if known else ("Not Found", 404)
            raise ApiError(
                code, f"{prefix}: {'; '.join(problems)}", violation=True, reasons=problems
            )
        fault = self._faults.take(call.method)
        if fault is not None:
            await fault.inject(self._stopping)
        handler = METHODS.get(call.method)
        if handler is None:
            reason = f"{call.method} not implemented by test server"
            raise ApiError(400, f"Bad Request: {reason}", violation=True, reasons=[reason])
        return await handler(self.state, call.params), fault is not None and fault.reset

    def _record(self, method: str, err: ApiError) -> None:
        if isinstance(err, InjectedError):
            return
        if err.violation:
            self.violations.extend(f"{method}: {reason}" for reason in err.reasons)
        else:
            self.errors_returned.append(f"{method}: {err.description}")

    def _serve_file(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        for stored in self.state.files.values():
            if stored.file_path == file_path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
