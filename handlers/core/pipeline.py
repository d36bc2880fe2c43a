"""The per-update pipeline (docs/ARCHITECTURE.md, "One update, start to end").

One session and one transaction per update: the update id is recorded (a resent update is
skipped), the person and their conversation are loaded, the router runs, everything
commits together, and only then do the replies go out. On any error the transaction rolls
back, so the conversation stays where it was, and the person is told their data is safe.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from flows.fsm import FSMContext, StorageKey
from handlers.core.context import HromadaContext, Turn
from handlers.core.dispatch import dispatch
from handlers.core.replies import Replies, Unreachable
from handlers.core.router import BOT_MEMBERSHIP, MIGRATED, Router
from locales import pick_language
from storage.fsm_storage import SqlFsmStorage
from storage.privacy import chat_messages
from storage.repositories import outbox
from storage.repositories.locks import Sessions, person_turn
from storage.repositories.updates import DuplicateUpdate, record_update
from storage.repositories.users import mark_unreachable, touch_user

log = logging.getLogger(__name__)


def describe(update: Update) -> str:
    """What kind of update this is, for logs: never its text, never a name."""
    if update.callback_query is not None:
        prefix = (update.callback_query.data or "").partition(":")[0]
        return f"button:{prefix[:16]}"
    message = update.effective_message
    if message is not None:
        if message.text is not None:
            return "command" if message.text.startswith("/") else "text"
        return "media"
    return "other"


def group_event(update: Update) -> str | None:
    """What happened to a group chat itself, if that is what `update` tells."""
    if update.my_chat_member is not None:
        return BOT_MEMBERSHIP
    message = update.message
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        return MIGRATED
    return None


def _meant_for_us_in_a_group(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.effective_message
    return message is not None and (message.text or "").startswith("/")


async def _stop_the_spinner(update: Update) -> None:
    """Answer a press the bot cannot place (no message, so no chat): nothing to do with it,
    but the person's button stops spinning."""
    if update.callback_query is None:
        return
    try:
        await update.callback_query.answer()
    except TelegramError as exc:
        log.info("press without a message not answered (%s)", type(exc).__name__)


class Pipeline:
    def __init__(self, router: Router) -> None:
        self.router = router

    async def __call__(self, update: Update, ctx: HromadaContext) -> None:
        person, chat = update.effective_user, update.effective_chat
        in_group = chat is not None and chat.type != ChatType.PRIVATE
        event = group_event(update) if in_group else None
        if event is not None:
            await self._group_event(event, update, ctx)  # may come from Telegram itself
            return
        if person is None or chat is None or person.is_bot:
            if chat is None and person is not None and not person.is_bot:
                await _stop_the_spinner(update)  # a press on a message Telegram left out
            return
        if in_group and not _meant_for_us_in_a_group(update):
            # In groups (staff chats) only commands and button presses concern the bot;
            # conversations happen in private chats. Anything else people write there is
            # neither stored nor logged.
            return
        services = ctx.services
        query = update.callback_query
        pressed = query.message.message_id if query and query.message else None
        replies = Replies(chat.id, query.id if query else None, pressed, private_chat_id=person.id)
        language = pick_language(None, person.language_code, services.default_language)
        wrote_outbox = False
        # The person's turn, also across webhook workers, until their replies are out.
        async with person_turn(services.sessions, person.id) as sessions:
            try:
                async with sessions() as session, session.begin():
                    await record_update(session, ctx.bot.id, update.update_id)
                    services.admissions.admit(update.update_id)  # its turn has begun
                    user = await touch_user(session, person.id, bot_id=ctx.bot.id)
                    if not in_group and update.message is not None:
                        # "Clear this chat" deletes the person's own messages too (48 hours).
                        await chat_messages.remember(session, chat.id, [update.message.message_id])
                    language = pick_language(
                        user.language, person.language_code, services.default_language
                    )
                    # A person's conversation is always their private chat's, even when they
                    # pressed a button in a staff group: what they type next goes there.
                    key = StorageKey(bot_id=ctx.bot.id, chat_id=person.id, user_id=person.id)
                    ctx.turn = Turn(
                        db=session,
                        user=user,
                        i18n=services.translators[language],
                        fsm=FSMContext(SqlFsmStorage(session), key),
                        replies=replies,
                        prompts=self.router,
                        in_group=in_group,
                    )
                    await dispatch(self.router, update, ctx)
                    language = ctx.i18n.language
                    wrote_outbox = outbox.enqueued_in(session)
            except DuplicateUpdate:
                log.info("update %s seen before; skipped", update.update_id)
                return
            except Exception:
                log.exception(
                    "update %s (%s) failed; rolled back", update.update_id, describe(update)
                )
                replies.discard()
                _ = services.translators[language].gettext
                replies.send(
                    _(
                        "Sorry, something went wrong on our side. Your data is safe; "
                        "please try again in a moment."
                    )
                )
            finally:
                ctx.turn = None
            if wrote_outbox:
                services.wake_outbox()  # committed notifications go out now, not at the next poll
            await self._deliver(replies, ctx, person.id, sessions)

    async def _group_event(self, event: str, update: Update, ctx: HromadaContext) -> None:
        """A group chat's own change (the bot removed, the group upgraded): no person's
        conversation, no reply; its own transaction, and the outbox tells whom it concerns."""
        handler = self.router.group_events.get(event)
        if handler is None:
            return
        services = ctx.services
        try:
            async with services.sessions() as session, session.begin():
                await record_update(session, ctx.bot.id, update.update_id)
                services.admissions.admit(update.update_id)
                await handler(update, session, services)
                wrote_outbox = outbox.enqueued_in(session)
        except DuplicateUpdate:
            log.info("update %s seen before; skipped", update.update_id)
            return
        except Exception:
            log.exception("update %s (group %s) failed; rolled back", update.update_id, event)
            return
        if wrote_outbox:
            services.wake_outbox()

    async def _deliver(
        self, replies: Replies, ctx: HromadaContext, telegram_id: int, sessions: Sessions
    ) -> None:
        """Send the replies; `sessions` are the turn's (its one connection, see locks.py)."""
        try:
            await replies.flush(ctx.bot)
        except Unreachable:
            log.info("a person blocked the bot; marked unreachable")
            async with sessions() as session, session.begin():
                await mark_unreachable(session, telegram_id)
        finally:
            await self._keep_ids(replies, sessions)

    async def _keep_ids(self, replies: Replies, sessions: Sessions) -> None:
        """The replies' message ids in private chats, for "Clear this chat"."""
        made = [(chat, message) for chat, message in replies.made if chat > 0]
        replies.made.clear()
        if not made or not replies.keep_ids:
            return
        try:
            async with sessions() as session, session.begin():
                for chat, message in made:
                    await chat_messages.remember(session, chat, [message])
        except Exception:  # the replies went out; only "Clear this chat" misses them
            log.exception("could not keep the ids of %d sent messages", len(made))
