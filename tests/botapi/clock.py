"""Moved to :mod:`bot.botapi.clock` (a shim until imports use it)."""

import sys

from bot.botapi import clock as _moved
from bot.botapi.clock import *  # noqa: F403

sys.modules[__name__] = _moved
