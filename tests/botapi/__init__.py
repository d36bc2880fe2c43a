"""Moved to :mod:`bot.botapi` (the local Bot API server is part of the product now).

Every ``tests.botapi.<module>`` is the same module object as ``bot.botapi.<module>``; only
:mod:`tests.botapi.fixtures` (the pytest fixture) lives here.
"""

from bot.botapi import *  # noqa: F403
from bot.botapi import __all__ as __all__
