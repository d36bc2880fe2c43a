"""The local Telegram Bot API server (see :mod:`bot.botapi.server`): the tests, the benchmark
and the offline sandbox (``python -m bot sandbox``) all run the bot against it.

Main names: :class:`BotApiServer`, :class:`FakeUser`, :class:`FakeGroup` (group chats, see
:mod:`bot.botapi.groups`), :class:`BotMessage`, :class:`Button`, :class:`ServerClock`,
:func:`validate_call`, :func:`validate_object`; the pytest fixture is in
:mod:`tests.botapi.fixtures`.
"""

from .clock import ServerClock
from .groups import FakeGroup
from .people import ExpectMessage, FakeUser
from .server import TEST_TOKEN, BotApiServer, Call
from .spec import Upload, validate_call, validate_object
from .state import BotMessage, Button

__all__ = [
    "TEST_TOKEN",
    "BotApiServer",
    "BotMessage",
    "Button",
    "Call",
    "ExpectMessage",
    "FakeGroup",
    "FakeUser",
    "ServerClock",
    "Upload",
    "validate_call",
    "validate_object",
]
