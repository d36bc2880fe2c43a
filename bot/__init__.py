"""Composition root: settings, the Application factory and the command line."""

import os

# python-telegram-bot 22 is moving durations (RetryAfter.retry_after and others) from ints to
# datetime.timedelta and warns on every int access until a program opts in. We opt in, before
# anything reads a duration, and handle timedeltas (bot/outbox_sender.py: retry_seconds).
os.environ["PTB_TIMEDELTA"] = "true"
