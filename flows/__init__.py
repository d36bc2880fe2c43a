"""Conversation flows: state machines that decide, with no Telegram and no SQL."""
