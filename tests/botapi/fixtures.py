"""pytest fixture ``botapi``: a running :class:`~bot.botapi.server.BotApiServer`.

Register with ``pytest_plugins = ["tests.botapi.fixtures"]`` (in the root conftest).  The
server uses :data:`TEST_TOKEN`; point the bot at it with
``ApplicationBuilder().token(TEST_TOKEN).base_url(botapi.base_url)
.base_file_url(botapi.base_file_url)``.  At teardown the test fails if the bot made any call
Telegram would reject (``botapi.violations``) or left a callback query unanswered.  Tests that
cause violations on purpose wrap them in ``with botapi.expect_violation("..."):`` or clear
``botapi.violations``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.botapi.server import TEST_TOKEN, BotApiServer

__all__ = ["TEST_TOKEN", "botapi"]


@pytest_asyncio.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    """A started Bot API server for :data:`TEST_TOKEN`, checked for misuse at teardown."""
    async with BotApiServer(TEST_TOKEN) as server:
        yield server
    problems = server.problems()
    if problems:
        pytest.fail("Bot API misuse:\n  " + "\n  ".join(problems), pytrace=False)
