"""Run the test Bot API server as a process: ``python -m bot.botapi --port 8081 --token T``.

It serves until SIGTERM or SIGINT.  The server itself lives in :mod:`bot.botapi.server`;
a benchmark driver can instead import :class:`~bot.botapi.server.BotApiServer` and run it
with :func:`serve_until_signal` next to its scripted users.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from .server import BotApiServer

__all__ = ["main", "serve_until_signal"]


async def serve_until_signal(server: BotApiServer) -> None:
    """Start ``server``, wait for SIGTERM/SIGINT, stop it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        print(f"Bot API test server listening on {server.base_url}", flush=True)
        await stop.wait()
    print(
        f"stopped: {len(server.calls)} calls, {len(server.violations)} violations",
        file=sys.stderr,
        flush=True,
    )
    for violation in server.violations:
        print(f"violation: {violation}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", required=True)
    parser.add_argument("--bot-id", type=int, default=7000001)
    parser.add_argument("--bot-username", default="hromada_test_bot")
    args = parser.parse_args(argv)
    server = BotApiServer(
        args.token,
        bot_id=args.bot_id,
        bot_username=args.bot_username,
        host=args.host,
        port=args.port,
    )
    asyncio.run(serve_until_signal(server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
