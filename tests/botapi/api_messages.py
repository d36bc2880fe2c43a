"""Moved to :mod:`bot.botapi.api_messages` (a shim until imports use it)."""

import sys

from bot.botapi import api_messages as _moved
from bot.botapi.api_messages import *  # noqa: F403

sys.modules[__name__] = _moved
