"""Residents' data: what the bot holds about a person (/mydata), erasing it (/forget), the
erasure ledger and retention. Each part of the product contributes a `Section`
(`registry.py`); `sections.py` lists them. Import the submodules themselves: this package's
`__init__` imports nothing, because `storage.repositories.outbox` uses `chat_messages`."""
