"""Moved to :mod:`bot.botapi.server` (a shim until imports use it)."""

import sys

from bot.botapi import server as _moved
from bot.botapi.server import *  # noqa: F403

sys.modules[__name__] = _moved
