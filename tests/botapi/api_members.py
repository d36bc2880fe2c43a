"""Moved to :mod:`bot.botapi.api_members` (a shim until imports use it)."""

import sys

from bot.botapi import api_members as _moved
from bot.botapi.api_members import *  # noqa: F403

sys.modules[__name__] = _moved
