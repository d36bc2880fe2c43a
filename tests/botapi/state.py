"""Moved to :mod:`bot.botapi.state` (a shim until imports use it)."""

import sys

from bot.botapi import state as _moved
from bot.botapi.state import *  # noqa: F403

sys.modules[__name__] = _moved
