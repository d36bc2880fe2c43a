"""`python -m bot [run [--webhook]|webhook|doctor|migrate|seed|...]`; see `--help`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import export_cli, groups_cli, privacy_cli, staff_cli
from bot.logging_setup import configure_logging, secrets_of
from bot.settings import Settings, SettingsError, load_settings, require_webhook
from bot.startup import StartupError, check_telegram, open_database
from storage.engine import session_factory
from storage.repositories import outbox, skipped
from storage.repositories.communities import read_seed, seed_communities


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hromada bot")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot with long polling (the default)")
    run.add_argument("--webhook", action="store_true", help="run one webhook worker instead")
    run.add_argument("--port", type=int, help="the worker's port (default WEBHOOK_PORT)")
    webhook = sub.add_parser("webhook", help="tell Telegram where to post updates")
    sub.add_parser("doctor", help="check settings, database, Telegram, webhook and outbox")
    copy = sub.add_parser("copy-db", help="copy DATABASE_URL's data into an empty database")
    copy.add_argument("--to", required=True, help="the target URL (migrated, empty)")
    webhook.add_argument("action", choices=["set", "delete", "info"])
    sub.add_parser("migrate", help="upgrade the database schema to the newest version")
    sub.add_parser("seed", help="load communities from storage/data/communities.json")
    sandbox = sub.add_parser("sandbox", help="the offline sandbox: the bot in a browser page")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    outbox_parser = sub.add_parser("outbox", help="messages the bot gave up sending")
    outbox_sub = outbox_parser.add_subparsers(dest="outbox_command", required=True)
    dead = outbox_sub.add_parser("dead", help="list given-up (dead) outbox messages")
    dead.add_argument("--limit", type=int, default=50, help="how many, newest first")
    retry = outbox_sub.add_parser("retry", help="queue a dead outbox message again")
    retry.add_argument("id", type=int, help="the message's id (see `outbox dead`)")
    nobody = outbox_sub.add_parser("skipped", help="notifications that reached nobody")
    nobody.add_argument("--limit", type=int, default=50, help="how many, newest first")
    staff_cli.add_parsers(sub)
    groups_cli.add_parsers(sub)
    privacy_cli.add_parser(sub)
    export_cli.add_parser(sub)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format, secrets_of(settings))
        if args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("database schema is up to date")
        elif args.command == "seed":
            created, updated = asyncio.run(_seed(settings))
            print(f"communities: {created} added, {updated} updated")
        elif args.command == "invite":
            print(asyncio.run(staff_cli.invite(settings, args)))
        elif args.command == "staff":
            print("\n".join(asyncio.run(staff_cli.staff_command(settings, args))))
        elif args.command == "groups":
            print("\n".join(asyncio.run(groups_cli.groups_command(settings, args))))
        elif args.command == "outbox":
            return asyncio.run(_outbox(settings, args))
        elif args.command == "export":
            print(export_cli.export_polls(settings, args))
        elif args.command == "copy-db":
            from bot.copy_db import copy_database

            print("\n".join(asyncio.run(copy_database(settings.database_url, args.to))))
        elif args.command == "doctor":
            return _doctor(settings)
        elif args.command == "webhook":
            print("\n".join(asyncio.run(_webhook(settings, args.action))))
        elif args.command == "sandbox":
            from bot.sandbox.main import run_sandbox

            run_sandbox(settings, args.host, args.port)
        elif args.command == "run" and args.webhook:
            _run_webhook(settings, args.port)
        elif args.command == "forget":
            code, lines = asyncio.run(privacy_cli.forget(settings, args))
            print("\n".join(lines), file=sys.stderr if code else sys.stdout)
            return code
        else:
            _run(settings)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _run(settings: Settings) -> None:
    from bot.app import ALLOWED_UPDATES, build_application

    app = build_application(settings)  # a missing or placeholder token stops here
    asyncio.run(check_telegram(settings))  # a rejected token or an unreachable API here
    app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)


def _run_webhook(settings: Settings, port: int | None) -> None:
    from bot.webhook.worker import serve

    require_webhook(settings)
    asyncio.run(check_telegram(settings))
    asyncio.run(serve(settings, port=port))


def _doctor(settings: Settings) -> int:
    from bot.doctor import diagnose

    report = asyncio.run(diagnose(settings))
    print("\n".join(report.lines))
    return 1 if report.problems else 0


async def _webhook(settings: Settings, action: str) -> list[str]:
    from bot.webhook import commands

    if action == "set":
        return await commands.set_webhook(settings)
    if action == "delete":
        return await commands.delete_webhook(settings)
    return await commands.webhook_info(settings)


async def _migrate(settings: Settings) -> None:
    async with open_database(settings):
        pass


async def _seed(settings: Settings) -> tuple[int, int]:
    async with (
        open_database(settings) as engine,
        session_factory(engine)() as session,
        session.begin(),
    ):
        result = await seed_communities(session, read_seed())
    return result.created, result.updated


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    """`outbox dead`: one line per dead row (no message text, no chat id); `outbox retry ID`."""
    async with open_database(settings) as engine:
        async with session_factory(engine)() as session, session.begin():
            if args.outbox_command == "retry":
                if await outbox.retry_dead(session, args.id):
                    print(f"outbox message {args.id} is queued again")
                    return 0
                print(f"error: no dead outbox message {args.id}", file=sys.stderr)
                return 1
            if args.outbox_command == "skipped":
                return _print_skipped(await skipped.recent(session, args.limit))
            rows = await outbox.list_dead(session, args.limit)
            counts = await outbox.stats(session)
        for row in rows:
            kind = "group" if row.chat_id < 0 else "private"
            print(
                f"{row.id}\t{row.created_at:%Y-%m-%d %H:%M}Z\t{kind}\t"
                f"attempts={row.attempts}\t{row.dedup_key}\t{row.last_error or ''}"
            )
        print(f"{counts.dead} dead, {counts.pending} pending")
        return 0


def _print_skipped(rows: list[skipped.SkippedRow]) -> int:
    """`outbox skipped`: who was not told of what (request, news, why; no names, no chats)."""
    for row in rows:
        who = row.role_label or ("staff" if row.reason == skipped.NO_RECIPIENT else "resident")
        print(f"{row.id}\t{row.at:%Y-%m-%d %H:%M}Z\t{row.ref}\t{row.news}\t{row.reason}\t{who}")
    print(f"{len(rows)} skipped")
    return 0
