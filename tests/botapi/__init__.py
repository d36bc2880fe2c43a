"""A local Telegram Bot API server for tests (see :mod:`tests.botapi.server`).

Main names: :class:`BotApiServer`, :class:`FakeUser`, :class:`FakeGroup`, :class:`BotMessage`,
:class:`Button`, :func:`validate_call`; the pytest fixture is in :mod:`tests.botapi.fixtures`.
"""

from .people import ExpectMessage, FakeGroup, FakeUser
from .server import TEST_TOKEN, BotApiServer, Call
from .spec import Upload, validate_call
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
    "Upload",
    "validate_call",
]
