"""``python -m bot`` with python-telegram-bot's HTTP client on aiohttp (issue 11, measured).

``python -m bench --http-client aiohttp`` runs the Hromada bot through this module: every
``ApplicationBuilder`` gets :class:`bot.aiohttp_request.AiohttpRequest` for its calls and its
getUpdates before it builds; nothing else changes. It is not the bot's default: measured it
pays (about 25 % less CPU per update); wiring it into ``bot/app.py`` waits for a
whole-suite run with it (see docs/ARCHITECTURE.md, "Performance and the benchmark").
"""

from __future__ import annotations

import sys
from typing import Any

from telegram.ext import ApplicationBuilder

from bot.aiohttp_request import AiohttpRequest

_build = ApplicationBuilder.build


def _build_with_aiohttp(self: Any) -> Any:
    self.request(AiohttpRequest())
    self.get_updates_request(AiohttpRequest(connection_pool_size=1))
    return _build(self)


ApplicationBuilder.build = _build_with_aiohttp  # type: ignore[method-assign]

if __name__ == "__main__":
    from bot.cli import main

    sys.exit(main())
