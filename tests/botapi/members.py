"""Moved to :mod:`bot.botapi.members` (a shim until imports use it)."""

import sys

from bot.botapi import members as _moved
from bot.botapi.members import *  # noqa: F403

sys.modules[__name__] = _moved
