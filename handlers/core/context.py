"""The typed callback context: `ctx.db`, `ctx.i18n`, `ctx.fsm`, `ctx.user`, `ctx.replies`.

PTB creates one context per update; the pipeline binds the update's session, the person's
language and conversation to it before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from flows.fsm import FSMContext
from handlers.core.admission import Admissions
from handlers.core.replies import Replies
from locales import Translator
from storage.models import User
from storage.privacy.policy import PrivacyPolicy
from storage.repositories.communities import CommunityDirectory


def _nothing() -> None:
    return None


def _no_one(telegram_id: int) -> None:
    return None


@dataclass(frozen=True)
class Services:
    """What the composition root hands the handlers; built in `post_init`."""

    sessions: async_sessionmaker[AsyncSession]
    translators: dict[str, Translator]
    default_language: str
    timezone: str
    # Called after each commit so the outbox dispatcher sends new rows at once.
    wake_outbox: Callable[[], None] = _nothing
    # Called when a person takes a staff role here, so flood control exempts them at once
    # (`handlers/core/flood.FloodGate.exempt`), not only from its next read of the staff.
    became_staff: Callable[[int], None] = _no_one
    # The active communities, cached for a minute (onboarding reads them on every step).
    communities: CommunityDirectory = field(default_factory=CommunityDirectory)
    # Retention periods (/privacy states them) and the erasure ledger's key (/forget).
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    # Webhook answers waiting for their update's turn (handlers/core/admission.py).
    admissions: Admissions = field(default_factory=Admissions)


class BotData:
    """`application.bot_data`: holds the services once the application is initialised."""

    def __init__(self) -> None:
        self.services: Services | None = None


class Prompts(Protocol):
    """What asks a conversation's current step again (the router; a protocol here, so this
    module does not import the router that imports it)."""

    async def reprompt(self, ctx: HromadaContext, state: str | None) -> bool: ...


@dataclass
class Turn:
    """One update's resources."""

    db: AsyncSession
    user: User
    i18n: Translator
    fsm: FSMContext
    replies: Replies
    prompts: Prompts
    in_group: bool = False


class HromadaContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.turn: Turn | None = None

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are built in post_init")
        return services

    def _bound(self) -> Turn:
        if self.turn is None:
            raise RuntimeError("the pipeline binds the turn before handlers run")
        return self.turn

    @property
    def db(self) -> AsyncSession:
        return self._bound().db

    @property
    def user(self) -> User:
        return self._bound().user

    @property
    def i18n(self) -> Translator:
        return self._bound().i18n

    @property
    def fsm(self) -> FSMContext:
        return self._bound().fsm

    @property
    def replies(self) -> Replies:
        return self._bound().replies

    @property
    def in_group(self) -> bool:
        """The update came from a group chat (a staff chat), not a private chat."""
        return self._bound().in_group

    def use_language(self, language: str) -> None:
        """Speak `language` from here on in this update (the person just chose it)."""
        turn = self._bound()
        turn.i18n = self.services.translators[language]

    async def reprompt(self) -> None:
        """Show the current step again (or the menu when no conversation is running)."""
        turn = self._bound()
        await turn.prompts.reprompt(self, await turn.fsm.get_state())
