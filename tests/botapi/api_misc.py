"""Moved to :mod:`bot.botapi.api_misc` (a shim until imports use it)."""

import sys

from bot.botapi import api_misc as _moved
from bot.botapi.api_misc import *  # noqa: F403

sys.modules[__name__] = _moved
