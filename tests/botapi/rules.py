"""Moved to :mod:`bot.botapi.rules` (a shim until imports use it)."""

import sys

from bot.botapi import rules as _moved
from bot.botapi.rules import *  # noqa: F403

sys.modules[__name__] = _moved
