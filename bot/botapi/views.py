"""Reading and waiting on one chat: the part of a person that looks at the screen.

:class:`ChatView` is the base of :class:`~bot.botapi.people.FakeUser` (their private chat)
and :class:`~bot.botapi.people.FakeGroup`.  Waiting is driven by the state's change feed, so
it returns as soon as the bot's message arrives; timeouts are only upper bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from .state import BotMessage, ChatState, StoredMessage

if TYPE_CHECKING:
    from .server import BotApiServer

__all__ = ["ChatView", "ExpectMessage", "Predicate"]

Predicate = Callable[[BotMessage], bool]


class ChatView:
    """One chat as seen by the people in it."""

    def __init__(self, server: BotApiServer, chat: ChatState) -> None:
        self.server = server
        self.chat = chat

    @property
    def chat_id(self) -> int:
        return self.chat.chat_id

    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, current versions, deleted ones excluded."""
        return [m.view() for m in self.chat.messages.values() if m.from_bot and not m.deleted]

    def last_message(self) -> BotMessage:
        """The newest visible bot message; AssertionError if there is none."""
        shown = self.messages()
        if not shown:
            raise AssertionError(f"the bot sent nothing visible in chat {self.chat_id}")
        return shown[-1]

    def history(self, last: int = 15) -> str:
        """The chat's recent messages (both sides) as text, for assertion messages."""
        lines = [_describe(m) for m in list(self.chat.messages.values())[-last:]]
        return "\n".join(lines) or "(no messages)"

    async def wait_for(
        self,
        predicate: Predicate | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - an upper bound, as in asyncio.wait_for
        since: int | None = None,
    ) -> BotMessage:
        """The first bot message in this chat sent or edited after ``since`` (default: the
        moment of this call; see :meth:`BotApiServer.mark`) for which ``predicate`` is true
        (any, if None).  Deleted messages are skipped; AssertionError after ``timeout``."""
        baseline = self.server.mark() if since is None else since

        def check() -> BotMessage | None:
            changed = (
                m
                for m in self.chat.messages.values()
                if m.from_bot and not m.deleted and m.changed_at > baseline
            )
            for stored in sorted(changed, key=lambda m: m.changed_at):
                view = stored.view()
                if predicate is None or predicate(view):
                    return view
            return None

        found = await self.server.state.feed.wait_until(check, timeout)
        if found is None:
            raise AssertionError(
                f"no matching bot message in chat {self.chat_id} within {timeout}s;"
                f" recent history:\n{self.history()}"
            )
        return found

    async def wait_for_text(
        self,
        substring: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - an upper bound, as in asyncio.wait_for
    ) -> BotMessage:
        """Wait for a new/edited bot message whose text or caption contains ``substring``."""
        return await self.wait_for(lambda m: substring in m.content, timeout=timeout)

    def expect_message(
        self, predicate: Predicate | None = None, *, timeout: float = 10.0
    ) -> ExpectMessage:
        """``async with`` block that waits, on exit, for a matching message caused inside."""
        return ExpectMessage(self, predicate, timeout)


class ExpectMessage:
    """Race-free waiting: the baseline is taken on ``__aenter__``, waiting on ``__aexit__``."""

    def __init__(self, view: ChatView, predicate: Predicate | None, timeout: float) -> None:
        self._view = view
        self._predicate = predicate
        self._timeout = timeout
        self._since = 0
        self._message: BotMessage | None = None

    async def __aenter__(self) -> ExpectMessage:
        self._since = self._view.server.mark()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._message = await self._view.wait_for(
                self._predicate, timeout=self._timeout, since=self._since
            )

    @property
    def message(self) -> BotMessage:
        """The message that arrived (only after the block has finished)."""
        if self._message is None:
            raise AssertionError("expect_message: the block has not completed")
        return self._message


def _describe(stored: StoredMessage) -> str:
    raw = stored.raw
    who = "bot" if stored.from_bot else raw["from"].get("first_name", "user")
    body = (
        raw.get("text")
        or raw.get("caption")
        or next(
            (
                f"<{k}>"
                for k in ("photo", "document", "sticker", "voice", "contact", "location")
                if k in raw
            ),
            "<?>",
        )
    )
    view = stored.view()
    flags = "".join([" (edited)" if stored.edited else "", " (deleted)" if stored.deleted else ""])
    buttons = f" buttons={view.button_texts()}" if view.buttons else ""
    return f"#{stored.message_id} {who}: {body!r}{flags}{buttons}"
