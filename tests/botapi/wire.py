"""Moved to :mod:`bot.botapi.wire` (a shim until imports use it)."""

import sys

from bot.botapi import wire as _moved
from bot.botapi.wire import *  # noqa: F403

sys.modules[__name__] = _moved
