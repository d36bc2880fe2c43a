"""Moved to :mod:`bot.botapi.formatting` (a shim until imports use it)."""

import sys

from bot.botapi import formatting as _moved
from bot.botapi.formatting import *  # noqa: F403

sys.modules[__name__] = _moved
