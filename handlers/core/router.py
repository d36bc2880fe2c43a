"""Routing an update to its handler, aiogram style: by command, by state, by button prefix.

    router = Router()

    @router.callback("lang", OnboardingForm.language)
    async def chose_language(update, ctx, arg): ...

    @router.message(OnboardingForm.language)
    async def typed_instead(update, ctx): ...

    @router.prompt(OnboardingForm.language)
    async def ask_language(ctx): ...  # asks the step again (after a hint or a stale button)

    @router.deep_link("inv_")
    async def accept_invite(update, ctx): ...  # `/start inv_...` (a t.me/<bot>?start= link)

    @router.group_event(BOT_MEMBERSHIP)
    async def bot_left_a_group(update, db, services): ...  # no person acts: no ctx

Buttons shown by a step's prompt (`reprompt`) carry the step's token (`flows.flow.step_token`,
after a "~"); `dispatch.py` refuses a press whose token is not the current step's, so a
button of a step the person has left is never applied to the step they are in.

Order of precedence: commands (they work in every state; a `/start` whose payload starts
with a registered deep-link prefix goes to that handler instead), then buttons of the
current state, then messages in the current state, then `handlers/core/fallbacks.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from flows.flow import STEP_MARK, step_token
from flows.fsm import StateFilterType, state_names
from handlers.core.content import Content, classify
from handlers.core.context import HromadaContext, Services

ANY_STATE = "*"

CommandHandler = Callable[[Update, HromadaContext], Awaitable[None]]
MessageHandler = Callable[[Update, HromadaContext], Awaitable[None]]
ButtonHandler = Callable[[Update, HromadaContext, str], Awaitable[None]]
Prompt = Callable[[HromadaContext], Awaitable[None]]
# What happens to a group chat itself (no person's conversation): the session of the
# update and the services.
GroupEventHandler = Callable[[Update, AsyncSession, Services], Awaitable[None]]

# Group events (`Router.group_event`): the bot's own membership of a group changed
# (`my_chat_member`: added, promoted, removed), or a group became a supergroup (a message
# with `migrate_to_chat_id` in the old group or `migrate_from_chat_id` in the new one).
BOT_MEMBERSHIP = "bot_membership"
MIGRATED = "migrated"


def _keys(states: tuple[StateFilterType, ...]) -> list[str | None]:
    """The stored names a handler is for; each of `states` is, as in aiogram, a State, a
    StatesGroup (class or instance: all its states, nested ones too), `any_state` ("*"),
    `default_state` or None (no conversation), or a raw name."""
    return [name for state in states for name in state_names(state)]


@dataclass
class Router:
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    buttons: dict[tuple[str, str | None], ButtonHandler] = field(default_factory=dict)
    messages: dict[str | None, MessageHandler] = field(default_factory=dict)
    prompts: dict[str | None, Prompt] = field(default_factory=dict)
    deep_links: dict[str, CommandHandler] = field(default_factory=dict)
    group_events: dict[str, GroupEventHandler] = field(default_factory=dict)
    edits: dict[str | None, MessageHandler] = field(default_factory=dict)

    def command(self, *names: str) -> Callable[[CommandHandler], CommandHandler]:
        return _register(self.commands, names)

    def deep_link(self, prefix: str) -> Callable[[CommandHandler], CommandHandler]:
        """`/start <payload>` with a payload starting with `prefix`, in every state."""
        return _register(self.deep_links, [prefix])

    def group_event(self, kind: str) -> Callable[[GroupEventHandler], GroupEventHandler]:
        """`BOT_MEMBERSHIP` or `MIGRATED` in a group chat (`handlers/core/pipeline.py`)."""
        return _register(self.group_events, [kind])

    def callback(
        self, prefix: str, *states: StateFilterType
    ) -> Callable[[ButtonHandler], ButtonHandler]:
        """Buttons whose data is `prefix:arg`, pressed while in one of `states`."""
        keys = [(prefix, key) for key in _keys(states or (ANY_STATE,))]
        return _register(self.buttons, keys)

    def message(self, *states: StateFilterType) -> Callable[[MessageHandler], MessageHandler]:
        """Any non-command message in one of `states` (`None`: no conversation running)."""
        return _register(self.messages, _keys(states))

    def edited(self, *states: StateFilterType) -> Callable[[MessageHandler], MessageHandler]:
        """A person edited a message they sent (`edited_message`) while in one of `states`;
        with no handler for the state the edit is ignored quietly."""
        return _register(self.edits, _keys(states or (ANY_STATE,)))

    def prompt(self, *states: StateFilterType) -> Callable[[Prompt], Prompt]:
        """What asks the step of `states` again (after a hint or a stale button)."""
        return _register(self.prompts, _keys(states))

    def include(self, other: Router) -> None:
        """Take over another router's handlers; a clash is a programming error."""
        _merge(self.commands, other.commands)
        _merge(self.buttons, other.buttons)
        _merge(self.messages, other.messages)
        _merge(self.prompts, other.prompts)
        _merge(self.deep_links, other.deep_links)
        _merge(self.group_events, other.group_events)
        _merge(self.edits, other.edits)

    def find_command(self, name: str | None, payload: str) -> CommandHandler | None:
        if name == "start" and payload:
            for prefix, handler in self.deep_links.items():
                if payload.startswith(prefix):
                    return handler
        return self.commands.get(name) if name else None

    def find_button(self, prefix: str, state: str | None) -> ButtonHandler | None:
        return self.buttons.get((prefix, state)) or self.buttons.get((prefix, ANY_STATE))

    def find_edit(self, state: str | None) -> MessageHandler | None:
        return self.edits.get(state) or self.edits.get(ANY_STATE)

    def find_message(self, update: Update, state: str | None) -> MessageHandler | None:
        message = update.effective_message
        if message is None or classify(message) is Content.COMMAND:
            return None
        return self.messages.get(state) or self.messages.get(ANY_STATE)

    async def reprompt(self, ctx: HromadaContext, state: str | None) -> bool:
        """Ask the current step again; False when the state has no prompt."""
        prompt = self.prompts.get(state)
        if prompt is None:
            return False
        since = ctx.replies.mark()
        await prompt(ctx)
        if state is not None:  # the step's buttons carry its token (`dispatch.py` checks it)
            token = step_token(state, await ctx.fsm.get_data())
            ctx.replies.stamp(since, STEP_MARK + token)
        return True


K = TypeVar("K")
V = TypeVar("V")


def _register(table: dict[K, V], keys: Iterable[K]) -> Callable[[V], V]:
    """A decorator that files its function in `table` under each of `keys`."""

    def register(func: V) -> V:
        for key in keys:
            table[key] = func
        return func

    return register


def _merge(mine: dict[K, V], theirs: dict[K, V]) -> None:
    clash = set(mine) & set(theirs)
    if clash:
        raise ValueError(f"handlers registered twice: {sorted(map(str, clash))}")
    mine.update(theirs)
