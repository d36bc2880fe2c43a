"""A deployment rehearsal without Telegram: ``python -m bot.botapi.rehearsal --token T``.

Runs the local Bot API server (as ``python -m bot.botapi``) and, once the bot answers, one
resident who sends ``/start``, chooses Ukrainian and Дружківка, and asks the police a
question, as a person would in Telegram. Each reply is printed as it arrives (these are
test people: nothing real is shown); the exit code is 0 when every step got its reply.
Point the deployment at it with ``TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot``: in
webhook mode ``python -m bot webhook set`` makes the server post the updates to
``WEBHOOK_URL`` (nginx), as Telegram would; in polling mode the bot fetches them.

With ``--serve-after`` the server keeps running after the scenario (for ``python -m bot
doctor`` and ``webhook info``) until SIGTERM or SIGINT. See docs/DEPLOY.md, "Rehearsal".
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable

from .people import FakeUser
from .server import BotApiServer
from .state import BotMessage

__all__ = ["main", "scenario"]

Step = tuple[str, Callable[[BotMessage], bool], Callable[[BotMessage | None], Awaitable[int]]]
QUESTION = "Тестове питання: чи працює бот після розгортання?"


def _buttons(*labels: str) -> Callable[[BotMessage], bool]:
    return lambda m: all(label in m.button_texts() for label in labels)


def _starting(message: BotMessage | None, prefix: str) -> str:
    assert message is not None
    return next(b for b in message.button_texts() if b.startswith(prefix))


def steps(resident: FakeUser) -> list[Step]:
    """What a Ukrainian-speaking resident of Дружківка does to ask the police a question."""

    def press(label: str) -> Callable[[BotMessage | None], Awaitable[int]]:
        def act(screen: BotMessage | None) -> Awaitable[int]:
            assert screen is not None
            return resident.press(screen, label)

        return act

    def press_starting(prefix: str) -> Callable[[BotMessage | None], Awaitable[int]]:
        def act(screen: BotMessage | None) -> Awaitable[int]:
            assert screen is not None
            return resident.press(screen, _starting(screen, prefix))

        return act

    return [
        ("/start", _buttons("Українська"), lambda _s: resident.send_command("/start")),
        ("Українська", _buttons("Дружківка"), press("Українська")),
        ("Дружківка", lambda m: "Головне меню" in (m.text or ""), press("Дружківка")),
        ("Поставити запитання", _buttons("Продовжити"), press("Поставити запитання")),
        ("Продовжити", _buttons("Поліція"), press("Продовжити")),
        ("Поліція", lambda m: True, press("Поліція")),
        ("(the question)", lambda m: any("(0" in b for b in m.button_texts()), _typed(resident)),
        ("Продовжити", _buttons("Залишитися анонімним"), press_starting("Продовжити")),
        ("Залишитися анонімним", _buttons("Надіслати"), press("Залишитися анонімним")),
        ("Надіслати", lambda m: "надіслано" in (m.text or ""), press("Надіслати")),
    ]


def _typed(resident: FakeUser) -> Callable[[BotMessage | None], Awaitable[int]]:
    return lambda _screen: resident.send_text(QUESTION)


async def scenario(server: BotApiServer, *, wait: float = 30.0) -> bool:
    """One resident's /start and question; prints every step and reply; True if all came."""
    resident = server.user(first_name="Тест", language_code="uk")
    screen: BotMessage | None = None
    for label, expected, act in steps(resident):
        try:
            async with resident.expect_message(expected, timeout=wait) as got:
                await act(screen)
        except (AssertionError, TimeoutError) as exc:
            print(f"FAILED at {label!r}: no reply within {wait:.0f} s ({exc})", flush=True)
            return False
        screen = got.message
        first = (screen.text or "").strip().splitlines()
        print(f"> {label}\n< {first[0] if first else '(no text)'}", flush=True)
    print("rehearsal passed: the resident got every reply", flush=True)
    return True


async def run(args: argparse.Namespace) -> int:
    server = BotApiServer(args.token, host=args.host, port=args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        print(f"Bot API test server listening on {server.base_url}", flush=True)
        ok = await scenario(server, wait=args.timeout)
        for violation in server.violations:
            print(f"violation: {violation}", flush=True)
        if args.serve_after:
            print("serving until SIGTERM (doctor, webhook info)", flush=True)
            await stop.wait()
    return 0 if ok and not server.violations else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.botapi.rehearsal", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", required=True)
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait for each reply"
    )
    parser.add_argument("--serve-after", action="store_true", help="keep serving afterwards")
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
