"""Webhook mode: the worker's HTTP server (`server.py`) and the one command that tells
Telegram where to post (`commands.py`). See docs/ARCHITECTURE.md, "Running it"."""
