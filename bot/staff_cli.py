"""`python -m bot invite ...` and `python -m bot staff list|revoke ...` for administrators.

`staff revoke ID` also takes the person out of the community's staff chat (whoever is in it
reads its cards), unless they keep another role in that community: where the bot is an
administrator allowed to ban, it bans and at once unbans them (**Decision:** out of the
chat, yet free to be invited again later; in a basic group, where Telegram has no unban,
the ban alone, which an administrator can lift by adding them back). The community's other
moderators are told in private either way, asked to remove the person themselves when the
bot could not.
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, ChatMemberAdministrator
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from bot.settings import Settings, SettingsError, require_token
from bot.startup import open_database
from flows.categories import CATEGORY_CODES
from handlers.shared.notices import Notices
from handlers.staff.staff_chat import Removal, tell_revoked
from locales import load_translators
from storage.engine import session_factory
from storage.models import SelfHelpGroup, StaffRole, User
from storage.repositories import staff


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invite = sub.add_parser("invite", help="print a one-time link that gives a staff role")
    invite.add_argument("--role", required=True, choices=staff.ROLES)
    invite.add_argument("--community", required=True, help="community slug or code, e.g. dru")
    invite.add_argument("--category", choices=CATEGORY_CODES, help="providers: their category")
    invite.add_argument("--org-uk", help="providers: organisation name in Ukrainian")
    invite.add_argument("--org-ru", help="providers: organisation name in Russian")
    invite.add_argument("--label", help="how other staff see this person, e.g. 'Olha, NGO Vilni'")
    invite.add_argument("--group", type=int, help="facilitators: their group's id (groups list)")
    invite.add_argument("--days", type=int, default=7, help="days the link stays valid (7)")
    staff_cmd = sub.add_parser("staff", help="list or revoke staff roles")
    staff_sub = staff_cmd.add_subparsers(dest="staff_command", required=True)
    listing = staff_sub.add_parser("list")
    listing.add_argument("--community", help="only this community (slug or code)")
    revoke = staff_sub.add_parser("revoke")
    revoke.add_argument("role_id", type=int)


async def _bot_username(settings: Settings) -> str | None:
    try:
        token = require_token(settings)
        async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except (SettingsError, TelegramError):
        return None


async def invite(settings: Settings, args: argparse.Namespace) -> str:
    async with (
        open_database(settings) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        community = await staff.community_by_slug(session, args.community)
        if community is None:
            raise SettingsError(f"no community {args.community!r}; run `python -m bot seed`")
        if args.role == "facilitator":
            group = await session.get(SelfHelpGroup, args.group or 0)
            if group is None or group.community_id != community.id:
                raise SettingsError(
                    "a facilitator needs --group, the id of one of the community's groups "
                    "(`python -m bot groups list`)"
                )
        try:
            code = await staff.create_invite(
                session,
                role=args.role,
                community=community,
                category=args.category,
                org_name_uk=args.org_uk,
                org_name_ru=args.org_ru,
                label=args.label,
                group_id=args.group if args.role == "facilitator" else None,
                valid_for=timedelta(days=args.days),
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    username = await _bot_username(settings)
    if username:
        return f"https://t.me/{username}?start={code}"
    return f"(bot username unknown: the person sends the bot)  /start {code}"


async def staff_command(settings: Settings, args: argparse.Namespace) -> list[str]:
    async with (
        open_database(settings) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        if args.staff_command == "revoke":
            return await _revoke(settings, session, args.role_id)
        community_id = None
        if args.community:
            community = await staff.community_by_slug(session, args.community)
            if community is None:
                raise SettingsError(f"no community {args.community!r}")
            community_id = community.id
        rows = await staff.list_staff(session, community_id)
        return [
            f"{r.id}\t{r.role}\tcommunity={r.community_id}\t{r.category or '-'}\t"
            f"{r.org_name_uk or '-'}\t{r.label or '-'}"
            for r in rows
        ] or ["no staff yet"]


async def _revoke(settings: Settings, session: AsyncSession, role_id: int) -> list[str]:
    role = await session.get(StaffRole, role_id)
    if role is None or not await staff.revoke(session, role_id):
        return [f"no active role {role_id}"]
    lines = [f"role {role_id} revoked"]
    chat_id = await staff.staff_chat_of(session, role.community_id)
    if chat_id is None:
        return lines
    kept = [r for r in await staff.active_roles(session, role.user_id) if r.id != role_id]
    if any(r.community_id == role.community_id for r in kept):
        return [*lines, "they keep another role in this community: left in the staff chat"]
    person = await session.get(User, role.user_id)
    assert person is not None
    removal, name = await _remove_from_chat(settings, chat_id, person.telegram_id)
    if removal is None:
        return [*lines, "not in the staff chat"]
    notices = Notices(session, load_translators(), settings.default_language)
    told = await tell_revoked(notices, role, removal, name)
    return [*lines, f"staff chat: {removal.value}; {told} moderator(s) told"]


async def _remove_from_chat(
    settings: Settings, chat_id: int, telegram_id: int
) -> tuple[Removal | None, str | None]:
    """Take the person out of the staff chat if the bot may; None: they are not in it.
    Also the name they have there, for the moderators (never stored)."""
    try:
        async with Bot(require_token(settings), base_url=settings.telegram_api_base_url) as bot:
            member = await bot.get_chat_member(chat_id, telegram_id)
            if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
                return None, None
            name = member.user.full_name
            if member.user.username:
                name += f" @{member.user.username}"
            me = await bot.get_chat_member(chat_id, bot.id)
            allowed = isinstance(me, ChatMemberAdministrator) and me.can_restrict_members
            if not allowed or member.status in (
                ChatMemberStatus.OWNER,
                ChatMemberStatus.ADMINISTRATOR,
            ):
                return Removal.CANNOT, name
            await bot.ban_chat_member(chat_id, telegram_id)
            with contextlib.suppress(BadRequest):  # a basic group has no unban
                await bot.unban_chat_member(chat_id, telegram_id, only_if_banned=True)
            return Removal.REMOVED, name
    except (SettingsError, TelegramError):
        return Removal.UNKNOWN, None
