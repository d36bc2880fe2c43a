"""Moved to :mod:`bot.botapi.people` (a shim until imports use it)."""

import sys

from bot.botapi import people as _moved
from bot.botapi.people import *  # noqa: F403

sys.modules[__name__] = _moved
