"""The person's own rows: the profile, the conversation state and the kept message ids."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from locales import n_
from storage.models import ChatMessage, Community, ConversationState, User
from storage.privacy import chat_messages
from storage.privacy.registry import JSONValue, Person, Section, instant
from storage.repositories.users import seen_at


async def _export_profile(session: AsyncSession, person: Person) -> JSONValue:
    user = await session.get(User, person.user_id)
    if user is None:
        return {}
    community = await session.get(Community, user.community_id) if user.community_id else None
    name = None
    if community is not None:
        name = community.name_ru if person.language == "ru" else community.name_uk
    return {
        "telegram_id": user.telegram_id,
        "language": user.language,
        "community": name,
        "reachable": user.is_reachable,
        "first_contact": instant(user.created_at),
        # rows written before it was rounded at write kept the microsecond
        "last_seen": instant(seen_at(user.last_seen_at)),
    }


async def _erase_profile(session: AsyncSession, person: Person) -> None:
    # Through the ORM: the update's own `users` row (touched by the pipeline) goes with it.
    user = await session.get(User, person.user_id)
    if user is not None:
        await session.delete(user)


PROFILE = Section(
    key="profile",
    about=n_(
        "Who you are to the bot: your Telegram id (to write back to you), your language and "
        "community. The bot never stores your name, username or phone number."
    ),
    fields={
        "telegram_id": n_("Your Telegram id: the number the bot writes to."),
        "language": n_("The language the bot speaks with you."),
        "community": n_("The community you chose: it decides which working group reads you."),
        "reachable": n_("False if you blocked the bot: it then writes nothing to you."),
        "first_contact": n_("When you first wrote to the bot (UTC)."),
        "last_seen": n_("When you last wrote to it (UTC, to within 10 minutes)."),
    },
    export=_export_profile,
    erase=_erase_profile,
)


def _mine(person: Person) -> ColumnElement[bool]:
    return or_(
        ConversationState.user_id == person.telegram_id,
        ConversationState.chat_id == person.telegram_id,
    )


async def _export_conversation(session: AsyncSession, person: Person) -> JSONValue:
    rows = await session.execute(select(ConversationState).where(_mine(person)))
    return [
        {"step": row.state, "data": row.data, "updated": instant(row.updated_at)}
        for row in rows.scalars()
    ]


async def _erase_conversation(session: AsyncSession, person: Person) -> None:
    await session.execute(delete(ConversationState).where(_mine(person)))


CONVERSATION = Section(
    key="conversation",
    about=n_(
        "Where you are in a conversation with the bot (for example a question you are still "
        "writing), so that it can continue after a restart. Forgotten when left unused "
        "(/privacy says how long)."
    ),
    fields={
        "step": n_("The step the bot is waiting for."),
        "data": n_("What you entered in this conversation so far."),
        "updated": n_("When it last changed (UTC)."),
    },
    export=_export_conversation,
    erase=_erase_conversation,
)


async def _export_messages(session: AsyncSession, person: Person) -> JSONValue:
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(ChatMessage.at)).where(
                ChatMessage.chat_id == person.telegram_id
            )
        )
    ).one()
    return {"message_ids_kept": int(count), "oldest": instant(oldest)}


async def _erase_messages(session: AsyncSession, person: Person) -> None:
    await chat_messages.forget_chat(session, person.telegram_id)


CHAT_MESSAGES = Section(
    key="chat_messages",
    about=n_(
        "The numbers (not the text) of the messages in this chat from the last 48 hours, so "
        'that "Clear this chat" can delete them. Telegram allows that for 48 hours only, and '
        "the numbers are forgotten then."
    ),
    fields={
        "message_ids_kept": n_("How many message numbers are kept."),
        "oldest": n_("When the oldest of them was kept (UTC)."),
    },
    export=_export_messages,
    erase=_erase_messages,
)
