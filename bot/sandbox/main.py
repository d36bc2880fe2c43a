"""``python -m bot sandbox [--host H] [--port P] [--data DIR]``: run until Ctrl+C."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.sandbox.runtime import Sandbox
from bot.sandbox.web import serve
from bot.settings import Settings

__all__ = ["DEFAULT_DATA", "run_sandbox"]

DEFAULT_DATA = Path("data/sandbox")


async def _main(settings: Settings, host: str, port: int, data: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(Sandbox(settings, data), host, port, stop)


def run_sandbox(settings: Settings, host: str, port: int, data: Path = DEFAULT_DATA) -> None:
    print(f"sandbox: http://{host}:{port} (offline: nothing leaves this machine)", flush=True)
    asyncio.run(_main(settings, host, port, data))
