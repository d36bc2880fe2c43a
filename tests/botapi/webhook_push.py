"""Moved to :mod:`bot.botapi.webhook_push` (a shim until imports use it)."""

import sys

from bot.botapi import webhook_push as _moved
from bot.botapi.webhook_push import *  # noqa: F403

sys.modules[__name__] = _moved
