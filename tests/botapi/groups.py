"""Moved to :mod:`bot.botapi.groups` (a shim until imports use it)."""

import sys

from bot.botapi import groups as _moved
from bot.botapi.groups import *  # noqa: F403

sys.modules[__name__] = _moved
