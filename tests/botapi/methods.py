"""Moved to :mod:`bot.botapi.methods` (a shim until imports use it)."""

import sys

from bot.botapi import methods as _moved
from bot.botapi.methods import *  # noqa: F403

sys.modules[__name__] = _moved
