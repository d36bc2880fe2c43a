"""The yardstick: a bare python-telegram-bot echo bot, written as a beginner would.

``python -m bench.echo_bot`` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL in the
environment.  ``run_polling()`` with its defaults, so PTB processes one update at a time (no
``concurrent_updates``), no database, no rate limiter.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling()


if __name__ == "__main__":
    main()
