"""A staff chat's life cycle, as Telegram tells it: the bot removed from the group, the
group upgraded to a supergroup; and what moderators are told when a role is revoked.

- **Removed** (`my_chat_member`, the bot `left` or `kicked`): the chat is no staff chat any
  more (link and cards forgotten, its pending rows given up); each moderator of the
  community is told in private, and the requests whose card had not reached the group yet
  go to each moderator privately instead, so none is lost. New requests then come to each
  moderator privately, as in a community without a staff chat.
- **Upgraded** (`migrate_to_chat_id` in the old group, `migrate_from_chat_id` in the new
  one; either may come first, and the outbox may learn it first from a 400): the link,
  the pending rows and the undelivered cards move to the new id
  (`storage.repositories.staff_chats.move_chat`, idempotent), and the cards delivered to
  the old group of requests that can still change are sent again to the new one.
- The bot added or promoted: nothing; a moderator links a chat with /link_staff_chat.
"""

from __future__ import annotations

from enum import Enum
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatMemberStatus

from handlers.core.context import Services
from handlers.core.router import BOT_MEMBERSHIP, MIGRATED, Router
from handlers.shared import staff_chat
from handlers.shared.names import community_name, staff_label
from handlers.shared.notices import Notices
from handlers.shared.notifications import tell_moderators, tell_moderators_of_new
from handlers.staff import group_chat
from locales import Translator
from storage.models import Community, StaffRole
from storage.repositories import requests, staff_chats

router = Router()
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


def _notices(db: AsyncSession, services: Services) -> Notices:
    return Notices(db, services.translators, services.default_language)


@router.group_event(BOT_MEMBERSHIP)
async def bot_membership(update: Update, db: AsyncSession, services: Services) -> None:
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in GONE:
        return
    unlinked = await staff_chats.unlink(db, change.chat.id)
    n = _notices(db, services)
    if unlinked is None:  # not a staff chat: perhaps a self-help group's
        key = f"chat:{change.chat.id}:removed:{update.update_id}"
        await group_chat.bot_removed(n, change.chat.id, change.chat.title or "", key)
        return
    community = await db.get(Community, unlinked.community_id)
    assert community is not None
    title = escape(change.chat.title or "")

    def removed(t: Translator) -> str:
        return t.gettext(
            "The bot was removed from “{chat}”, the staff chat of {community}. New requests "
            "now come to each moderator here; the open ones are in /queue. To have a staff "
            "chat again, add the bot to a group and send /link_staff_chat there."
        ).format(chat=title, community=escape(community_name(community, t.language)))

    await tell_moderators(
        n, community.id, removed, key=f"chat:{change.chat.id}:removed:{update.update_id}"
    )
    for request_id in unlinked.undelivered:
        request = await requests.get_request(db, request_id)
        if request is not None and request.status in requests.OPEN:
            await tell_moderators_of_new(n, request)


@router.group_event(MIGRATED)
async def migrated(update: Update, db: AsyncSession, services: Services) -> None:
    message = update.message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await group_chat.chat_moved(db, old, new)  # a self-help group's chat, if it is one
    await staff_chats.move_chat(db, old, new)
    await staff_chat.resend_cards(_notices(db, services), old, new)


class Removal(Enum):
    """What `python -m bot staff revoke` could do about the staff chat."""

    REMOVED = "removed"  # the bot banned and unbanned them: out, and may be invited again
    CANNOT = "cannot"  # the bot is no administrator allowed to ban, or they are an admin
    UNKNOWN = "unknown"  # Telegram could not be asked (or refused): moderators check


async def tell_revoked(
    n: Notices, role: StaffRole, removal: Removal, telegram_name: str | None
) -> int:
    """Tell the community's other moderators that `role`'s holder is staff no more, and
    whether they still have to remove them from the staff chat. Returns how many."""
    community = await n.db.get(Community, role.community_id)
    assert community is not None

    def text_of(t: Translator) -> str:
        who = staff_label(role, t) + (f" ({telegram_name})" if telegram_name else "")
        values = {
            "who": escape(who),
            "community": escape(community_name(community, t.language)),
        }
        if removal is Removal.REMOVED:
            text = t.gettext(
                "{who} no longer has a role in {community}. The bot removed them from the "
                "staff chat; they can be invited again later."
            )
        else:
            text = t.gettext(
                "{who} no longer has a role in {community}. Please remove them from the "
                "staff chat if they are still in it: the bot could not (it needs to be an "
                "administrator allowed to ban users, and cannot remove administrators)."
            )
        return text.format(**values)

    return await tell_moderators(
        n, role.community_id, text_of, key=f"revoked:{role.id}", leave_out=role.user_id
    )
