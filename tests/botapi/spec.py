"""Moved to :mod:`bot.botapi.spec` (a shim until imports use it)."""

import sys

from bot.botapi import spec as _moved
from bot.botapi.spec import *  # noqa: F403

sys.modules[__name__] = _moved
