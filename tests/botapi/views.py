"""Moved to :mod:`bot.botapi.views` (a shim until imports use it)."""

import sys

from bot.botapi import views as _moved
from bot.botapi.views import *  # noqa: F403

sys.modules[__name__] = _moved
