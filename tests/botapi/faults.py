"""Moved to :mod:`bot.botapi.faults` (a shim until imports use it)."""

import sys

from bot.botapi import faults as _moved
from bot.botapi.faults import *  # noqa: F403

sys.modules[__name__] = _moved
