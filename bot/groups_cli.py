"""`python -m bot groups add|list|edit` for administrators: a community's self-help groups.

Both languages are asked for; one left empty falls back to the other (so a group written in
Ukrainian only reads in Ukrainian to Russian readers too). The sensitive flag follows the
topic unless `--sensitive` / `--not-sensitive` says otherwise.
"""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings, SettingsError
from bot.startup import open_database
from flows.group_topics import JOIN_POLICIES, TOPICS
from storage.engine import session_factory
from storage.models import SelfHelpGroup
from storage.repositories import group_moves, groups, staff
from storage.repositories.group_moves import GroupFields


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser("groups", help="add, list or edit a community's self-help groups")
    groups_sub = cmd.add_subparsers(dest="groups_command", required=True)
    add = groups_sub.add_parser("add", help="add a group")
    add.add_argument("--community", required=True, help="community slug or code, e.g. dru")
    _fields(add, required=True)
    listing = groups_sub.add_parser("list", help="list groups with member counts")
    listing.add_argument("--community", help="only this community (slug or code)")
    edit = groups_sub.add_parser("edit", help="change a group (only the options given)")
    edit.add_argument("group_id", type=int)
    _fields(edit, required=False)
    edit.add_argument("--close", action="store_true", help="close the group (no new members)")


def _fields(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--title-uk", default=None, help="title in Ukrainian")
    parser.add_argument("--title-ru", default=None, help="title in Russian")
    parser.add_argument("--description-uk", default=None)
    parser.add_argument("--description-ru", default=None)
    parser.add_argument("--topic", choices=list(TOPICS), required=required)
    parser.add_argument("--join", choices=JOIN_POLICIES, default=None, help="(approval)")
    sensitive = parser.add_mutually_exclusive_group()
    sensitive.add_argument("--sensitive", dest="sensitive", action="store_true", default=None)
    sensitive.add_argument("--not-sensitive", dest="sensitive", action="store_false")


def _line(group: SelfHelpGroup, members: int, pending: int) -> str:
    flags = [group.join_policy, "sensitive" if group.sensitive else "not sensitive"]
    if not group.is_active:
        flags.append("closed")
    return (
        f"{group.id}\tcommunity={group.community_id}\t{group.title_uk} / {group.title_ru}\t"
        f"{group.topic}\t{', '.join(flags)}\tmembers={members} waiting={pending}"
    )


async def groups_command(settings: Settings, args: argparse.Namespace) -> list[str]:
    async with (
        open_database(settings) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        try:
            if args.groups_command == "add":
                community = await staff.community_by_slug(session, args.community)
                if community is None:
                    raise SettingsError(f"no community {args.community!r}")
                group = await group_moves.create_group(
                    session,
                    community.id,
                    GroupFields(
                        args.title_uk or "",
                        args.title_ru or "",
                        args.description_uk or "",
                        args.description_ru or "",
                        args.topic,
                        args.join or "approval",
                        args.sensitive,
                    ),
                )
                return [f"group {group.id} added", _line(group, 0, 0)]
            if args.groups_command == "edit":
                return await _edit(session, args)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        query = select(SelfHelpGroup).order_by(SelfHelpGroup.community_id, SelfHelpGroup.id)
        if args.community:
            community = await staff.community_by_slug(session, args.community)
            if community is None:
                raise SettingsError(f"no community {args.community!r}")
            query = query.where(SelfHelpGroup.community_id == community.id)
        lines = []
        for group in await session.scalars(query):
            counts = await groups.member_counts(session, group.id)
            lines.append(_line(group, counts.accepted, counts.pending))
        return lines or ["no groups yet"]


async def _edit(session: AsyncSession, args: argparse.Namespace) -> list[str]:
    group = await groups.get_group(session, args.group_id)
    if group is None:
        return [f"no group {args.group_id}"]
    sensitive = group.sensitive if args.sensitive is None else args.sensitive
    topic = args.topic or group.topic
    await group_moves.edit_group(
        session,
        group,
        GroupFields(
            group.title_uk if args.title_uk is None else args.title_uk,
            group.title_ru if args.title_ru is None else args.title_ru,
            group.description_uk if args.description_uk is None else args.description_uk,
            group.description_ru if args.description_ru is None else args.description_ru,
            topic,
            args.join or group.join_policy,
            sensitive,
        ),
    )
    if args.close:
        group.is_active = False
    counts = await groups.member_counts(session, group.id)
    return [f"group {group.id} changed", _line(group, counts.accepted, counts.pending)]
