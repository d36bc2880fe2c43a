"""``python -m bot.sandbox.has_token``: exit 0 when a usable TELEGRAM_BOT_TOKEN is set (the
environment or .env), 1 when not (none, or .env.example's placeholder), 2 when the settings
are invalid (the reason printed).  ``make run`` starts the bot or, without a token, the
offline sandbox."""

from __future__ import annotations

import sys

from bot.settings import PLACEHOLDER_TOKEN_MARK, SettingsError, load_settings


def main() -> int:
    try:
        token = load_settings().telegram_bot_token
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if token is None:
        return 1
    value = token.get_secret_value().strip()
    return 0 if value and PLACEHOLDER_TOKEN_MARK not in value else 1


if __name__ == "__main__":
    sys.exit(main())
