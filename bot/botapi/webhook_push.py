"""Webhook delivery, as Telegram does it: once ``setWebhook`` gave a URL, pending updates are
POSTed to it as JSON, with ``X-Telegram-Bot-Api-Secret-Token`` when a ``secret_token`` was
set.  A 2xx answer confirms an update (it is forgotten); anything else, or no answer, keeps
it and is reported by ``getWebhookInfo`` as ``last_error_date``/``last_error_message``, and
the update is posted again after :attr:`WebhookPusher.retry_delay` seconds.

Updates go one at a time, in order (``connections=1``, the default) or up to ``connections``
at once, as Telegram spreads them over ``max_connections``, but one person's (else one
chat's) one after another: the next only once the previous was answered.  ``targets``
replaces the URL with several, posted to in turn (a load balancer in front of workers).
Every attempt is recorded in :attr:`WebhookPusher.posts` (update id, HTTP status or 0).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, NamedTuple

import aiohttp

from .state import ApiState

__all__ = ["Post", "WebhookPusher"]

JSON = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Post(NamedTuple):
    update_id: int
    status: int  # 0: no answer (connection refused or reset)
    url: str = ""


def sender_of(update: JSON) -> int | None:
    """Whose update this is (the person, else the chat): their updates go one at a time."""
    body = next(v for k, v in update.items() if k != "update_id")
    if not isinstance(body, dict):
        return None
    person = body.get("from") or body.get("user")
    if isinstance(person, dict) and "id" in person:
        return int(person["id"])
    chat = body.get("chat")
    return int(chat["id"]) if isinstance(chat, dict) and "id" in chat else None


class WebhookPusher:
    def __init__(self, state: ApiState, *, connections: int = 1, retry_delay: float = 0.05):
        self.state = state
        self.connections = connections
        self.retry_delay = retry_delay
        self.posts: list[Post] = []
        self._in_flight: set[int] = set()
        # Where posts go instead of the webhook's URL, in turn (nginx's round robin).
        self.targets: list[str] = []
        self._turn = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _next(self) -> JSON | None:
        """The oldest pending update whose sender has nothing older pending or in flight."""
        state = self.state
        if state.closing or not state.webhook.get("url"):
            return None
        if len(self._in_flight) >= self.connections:
            return None
        allowed = state.webhook.get("allowed_updates")
        blocked: set[int] = set()
        for update in state.pending_updates():
            kind = next(k for k in update if k != "update_id")
            if allowed and kind not in allowed:
                continue
            who = sender_of(update)
            if who is not None and who in blocked:
                continue
            if update["update_id"] in self._in_flight:
                if who is not None:
                    blocked.add(who)
                continue
            return update
        return None

    def _target(self) -> str:
        if not self.targets:
            return str(self.state.webhook["url"])
        self._turn += 1
        return self.targets[self._turn % len(self.targets)]

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            tasks: set[asyncio.Task[None]] = set()
            while True:
                update = await self.state.feed.wait_until(self._next, 1.0)
                if update is None:
                    continue
                self._in_flight.add(update["update_id"])
                task = asyncio.create_task(self._post(http, update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

    async def _post(self, http: aiohttp.ClientSession, update: JSON) -> None:
        state = self.state
        url = self._target()
        headers = {}
        if state.webhook.get("secret_token"):
            headers[SECRET_HEADER] = str(state.webhook["secret_token"])
        status, error = 0, ""
        try:
            async with http.post(url, json=update, headers=headers) as response:
                status = response.status
                error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.posts.append(Post(update["update_id"], status, url))
        try:
            if 200 <= status < 300:
                state.updates = [u for u in state.updates if u is not update]
                return
            state.webhook_error = (state.now(), error)
            await asyncio.sleep(self.retry_delay)  # Telegram waits before it posts again
        finally:
            self._in_flight.discard(update["update_id"])
            state.feed.bump()
