"""`python -m bot invite ...` and `python -m bot staff list|revoke ...` for administrators."""

from __future__ import annotations

import argparse
from datetime import timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.settings import Settings, SettingsError, require_token
from bot.startup import open_database
from flows.categories import CATEGORY_CODES
from storage.engine import session_factory
from storage.repositories import staff


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invite = sub.add_parser("invite", help="print a one-time link that gives a staff role")
    invite.add_argument("--role", required=True, choices=staff.ROLES)
    invite.add_argument("--community", required=True, help="community slug or code, e.g. dru")
    invite.add_argument("--category", choices=CATEGORY_CODES, help="providers: their category")
    invite.add_argument("--org-uk", help="providers: organisation name in Ukrainian")
    invite.add_argument("--org-ru", help="providers: organisation name in Russian")
    invite.add_argument("--label", help="how other staff see this person, e.g. 'Olha, NGO Vilni'")
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
        try:
            code = await staff.create_invite(
                session,
                role=args.role,
                community=community,
                category=args.category,
                org_name_uk=args.org_uk,
                org_name_ru=args.org_ru,
                label=args.label,
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
            done = await staff.revoke(session, args.role_id)
            return [f"role {args.role_id} revoked" if done else f"no active role {args.role_id}"]
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
